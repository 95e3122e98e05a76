LOSSES = {
    "cross_entropy": nn.CrossEntropyLoss,
    "bce_with_logits": nn.BCEWithLogitsLoss,
    "bce": nn.BCELoss,
    "mse": nn.MSELoss,
}


def batch_loss(criterion, output, labels):
    """The mean loss of a batch. Cross entropy takes class indices; the others the one-hot rows,
    or with a single output unit the 0/1 label itself."""
    if isinstance(criterion, nn.CrossEntropyLoss):
        return criterion(output, labels)
    if output.shape[1] == 1:
        return criterion(output, labels.float().unsqueeze(1))
    return criterion(output, nn.functional.one_hot(labels, output.shape[1]).float())


def predicted_classes(criterion, output):
    """argmax over the classes; one unit says class 1 when its logit is > 0 (probability > 0.5)."""
    if output.shape[1] == 1:
        return (output[:, 0] > (0.5 if isinstance(criterion, nn.BCELoss) else 0)).long()
    return output.argmax(1)


def make_optimizer(parameters, spec):
    """torch.optim with every knob of the run's optimizer."""
    # when: sgd
    if spec["type"] == "sgd":
        return torch.optim.SGD(
            parameters,
            lr=spec["lr"],
            momentum=spec["momentum"],
            dampening=spec["dampening"],
            weight_decay=spec["weightDecay"],
            nesterov=spec["nesterov"],
        )
    # end when
    # when: rmsprop
    if spec["type"] == "rmsprop":
        return torch.optim.RMSprop(
            parameters,
            lr=spec["lr"],
            alpha=spec["alpha"],
            eps=spec["eps"],
            weight_decay=spec["weightDecay"],
            momentum=spec["momentum"],
            centered=spec["centered"],
        )
    # end when
    # when: adam, adamw
    adam = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[spec["type"]]
    return adam(
        parameters,
        lr=spec["lr"],
        betas=tuple(spec["betas"]),
        eps=spec["eps"],
        weight_decay=spec["weightDecay"],
        amsgrad=spec["amsgrad"],
    )
    # end when


# when: scheduler
def make_scheduler(optimizer, spec, epochs, steps_per_epoch):
    """torch.optim.lr_scheduler's class for the run's schedule. OneCycleLR steps after every
    batch, ReduceLROnPlateau after every epoch with the dev metric, the others after every epoch."""
    schedulers = torch.optim.lr_scheduler
    # when: step
    if spec["type"] == "step":
        return schedulers.StepLR(optimizer, step_size=spec["stepSize"], gamma=spec["gamma"])
    # end when
    # when: multi_step
    if spec["type"] == "multi_step":
        return schedulers.MultiStepLR(
            optimizer, milestones=spec["milestones"], gamma=spec["gamma"]
        )
    # end when
    # when: exponential
    if spec["type"] == "exponential":
        return schedulers.ExponentialLR(optimizer, gamma=spec["gamma"])
    # end when
    # when: cosine_annealing
    if spec["type"] == "cosine_annealing":
        return schedulers.CosineAnnealingLR(
            optimizer, T_max=spec["tMax"], eta_min=spec["etaMin"]
        )
    # end when
    # when: linear
    if spec["type"] == "linear":
        return schedulers.LinearLR(
            optimizer,
            start_factor=spec["startFactor"],
            end_factor=spec["endFactor"],
            total_iters=spec["totalIters"],
        )
    # end when
    # when: one_cycle
    if spec["type"] == "one_cycle":
        total_steps = spec.get("totalSteps") or (
            spec.get("epochs", epochs) * spec.get("stepsPerEpoch", steps_per_epoch)
        )
        return schedulers.OneCycleLR(
            optimizer,
            max_lr=spec["maxLr"],
            total_steps=total_steps,
            pct_start=spec["pctStart"],
            anneal_strategy=spec["annealStrategy"],
            cycle_momentum=spec["cycleMomentum"],
            base_momentum=spec["baseMomentum"],
            max_momentum=spec["maxMomentum"],
            div_factor=spec["divFactor"],
            final_div_factor=spec["finalDivFactor"],
            three_phase=spec["threePhase"],
        )
    # end when
    # when: reduce_on_plateau
    if spec["type"] == "reduce_on_plateau":
        return schedulers.ReduceLROnPlateau(
            optimizer,
            mode=spec["mode"],
            factor=spec["factor"],
            patience=spec["patience"],
            threshold=spec["threshold"],
            threshold_mode=spec["thresholdMode"],
            cooldown=spec["cooldown"],
            min_lr=spec["minLr"],
            eps=spec["eps"],
        )
    # end when
    raise ValueError(f"Unknown scheduler {spec['type']!r}")


# end when
# when: early_stopping
class EarlyStopping:
    """PyTorch Lightning's EarlyStopping rule, as ajuste applies it: an epoch improves when its
    metric beats the best so far by more than min_delta; a NaN or infinite metric stops at once,
    and so do `patience` epochs in a row without improving."""

    def __init__(self, mode, patience, min_delta):
        self.mode, self.patience, self.min_delta = mode, patience, min_delta
        self.best, self.wait = (math.inf if mode == "min" else -math.inf), 0

    def step(self, value):
        """(improved, stop) after an epoch whose metric is `value`."""
        if not math.isfinite(value):
            return False, True
        if self.mode == "min":
            improved = value < self.best - self.min_delta
        else:
            improved = value > self.best + self.min_delta
        if improved:
            self.best, self.wait = value, 0
            return True, False
        self.wait += 1
        return False, self.wait >= self.patience


# end when
# when: penalty
def l1_l2_penalty(model, l1, l2):
    """The exercise's l1_l2_regularization, l1·Σ|w| + l2·Σw² over every parameter (biases and
    batch-norm weights too). Part of the loss, its gradient goes through the optimizer, unlike
    weight_decay."""
    weights = list(model.parameters())
    return l1 * sum(w.abs().sum() for w in weights) + l2 * sum(w.pow(2).sum() for w in weights)


# end when
# when: clipping
def clip_gradients(model, clipping):
    """torch.nn.utils' gradient clipping, by global norm or by value."""
    if clipping["type"] == "norm":
        norm_type = math.inf if clipping["normType"] == "inf" else clipping["normType"]
        nn.utils.clip_grad_norm_(model.parameters(), clipping["maxNorm"], norm_type)
    else:
        nn.utils.clip_grad_value_(model.parameters(), clipping["clipValue"])


# end when
@torch.no_grad()
def evaluate(model, loader, criterion, device):
    """Mean loss and accuracy over a whole split, in evaluation mode: no dropout, and batch norm
    with its running statistics."""
    model.eval()
    loss_sum, correct, count = 0.0, 0, 0
    for inputs, labels in loader:
        inputs, labels = inputs.to(device), labels.to(device)
        output = model(inputs)
        loss_sum += batch_loss(criterion, output, labels).item() * len(labels)
        correct += (predicted_classes(criterion, output) == labels).sum().item()
        count += len(labels)
    return loss_sum / count, correct / count


def print_epoch(epoch, metrics):
    line = f"epoch {epoch:3d}  train loss {metrics['trainLoss']:.4f} "
    line += f"accuracy {metrics['trainAccuracy']:.4f}"
    if metrics["devLoss"] is not None:
        line += f"  dev loss {metrics['devLoss']:.4f} accuracy {metrics['devAccuracy']:.4f}"
    print(f"{line}  lr {metrics['lr']:.3g}")


def fit(config, train_set, dev_set, features, classes, device, on_epoch=print_epoch):
    """Trains a fresh model on train_set for the run's epochs, evaluating dev_set after each.

    Returns the model (with its best epoch's weights where early stopping restores them), each
    epoch's metrics, and the best epoch (None without early stopping).
    """
    torch.manual_seed(config["seed"])
    model = build_model(config, features, output_units(config["loss"], classes))
    # when: init
    init_weights(model, config["model"]["init"])
    # end when
    model = model.to(device)
    batch = config["batch"]
    batch_size = {"stochastic": 1, "full": len(train_set)}.get(batch["mode"], batch["size"])
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=batch["shuffle"])
    dev_loader = DataLoader(dev_set, batch_size=EVAL_BATCH_SIZE)
    criterion = LOSSES[config["loss"]]()
    optimizer = make_optimizer(model.parameters(), config["optimizer"])
    # when: scheduler
    spec = config.get("scheduler")
    scheduler = None
    if spec:
        scheduler = make_scheduler(optimizer, spec, config["epochs"], len(train_loader))
    # end when
    # when: early_stopping
    stopping_spec = config.get("earlyStopping")
    stopping, best_epoch, best_state = None, None, None
    if stopping_spec:
        stopping = EarlyStopping(
            stopping_spec["mode"], stopping_spec["patience"], stopping_spec["minDelta"]
        )
    # end when
    history = []
    for epoch in range(1, config["epochs"] + 1):
        model.train()
        loss_sum, correct, seen = 0.0, 0, 0
        for inputs, labels in train_loader:
            inputs, labels = inputs.to(device), labels.to(device)
            lr = optimizer.param_groups[0]["lr"]
            optimizer.zero_grad()
            output = model(inputs)
            loss = batch_loss(criterion, output, labels)
            # when: penalty
            regularization = config["regularization"]
            (loss + l1_l2_penalty(model, regularization["l1"], regularization["l2"])).backward()
            # end when
            # when: not penalty
            loss.backward()
            # end when
            # when: clipping
            if config.get("gradientClipping"):
                clip_gradients(model, config["gradientClipping"])
            # end when
            optimizer.step()
            # when: one_cycle
            if isinstance(scheduler, torch.optim.lr_scheduler.OneCycleLR):
                scheduler.step()
            # end when
            loss_sum += loss.item() * len(labels)
            correct += (predicted_classes(criterion, output) == labels).sum().item()
            seen += len(labels)
        metrics = {"trainLoss": loss_sum / seen, "trainAccuracy": correct / seen, "lr": lr}
        if not math.isfinite(metrics["trainLoss"]):
            print(f"epoch {epoch}: the loss is NaN or infinite (ajuste calls the run diverged)")
            break
        metrics.update(devLoss=None, devAccuracy=None)
        if len(dev_set) > 0:
            dev_loss, dev_accuracy = evaluate(model, dev_loader, criterion, device)
            metrics.update(devLoss=dev_loss, devAccuracy=dev_accuracy)
        # when: scheduler
        if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
            scheduler.step(metrics[spec["metric"]])
        elif not isinstance(scheduler, (type(None), torch.optim.lr_scheduler.OneCycleLR)):
            scheduler.step()
        # end when
        history.append(metrics)
        on_epoch(epoch, metrics)
        # when: early_stopping
        if stopping is not None:
            improved, stop = stopping.step(metrics[stopping_spec["metric"]])
            if improved:
                best_epoch = epoch
                if stopping_spec["restoreBest"]:
                    best_state = copy.deepcopy(model.state_dict())
            if stop and epoch < config["epochs"]:
                print(f"Stopped early at epoch {epoch}; best epoch {best_epoch}")
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    return model, history, best_epoch
    # end when
    # when: not early_stopping
    return model, history, None
    # end when
