ACTIVATIONS = {
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "leaky_relu": nn.LeakyReLU,  # slope 0.01
    "gelu": nn.GELU,  # exact (erf), not the tanh approximation
}


def output_units(loss, classes):
    """One output for a binary loss on two classes (class 1's logit), else one per class."""
    return 1 if loss in ("bce", "bce_with_logits") and classes == 2 else classes


def build_model(config, features, outputs):
    """Hidden layers Linear → BatchNorm1d → activation → Dropout, then an output Linear. The
    names (hidden.0.linear, hidden.0.norm, …, output) are those of ajuste's weights file."""
    blocks, fan_in = [], features
    for layer in config["model"]["layers"]:
        block = OrderedDict(linear=nn.Linear(fan_in, layer["units"]))
        if layer["batchNorm"]:
            block["norm"] = nn.BatchNorm1d(layer["units"])
        if layer["activation"] != "none":
            block["activation"] = ACTIVATIONS[layer["activation"]]()
        if layer["dropout"] > 0:
            block["dropout"] = nn.Dropout(layer["dropout"])
        blocks.append(nn.Sequential(block))
        fan_in = layer["units"]
    head = OrderedDict(hidden=nn.Sequential(*blocks), output=nn.Linear(fan_in, outputs))
    if config["loss"] == "bce":
        head["probability"] = nn.Sigmoid()  # nn.BCELoss takes probabilities
    return nn.Sequential(head)


# when: init
INITS = {
    "xavier_uniform": nn.init.xavier_uniform_,
    "xavier_normal": nn.init.xavier_normal_,
    "kaiming_uniform": lambda weight: nn.init.kaiming_uniform_(weight, nonlinearity="relu"),
    "kaiming_normal": lambda weight: nn.init.kaiming_normal_(weight, nonlinearity="relu"),
    # LeCun's schemes are Kaiming's with gain 1: U(±√(3/fan_in)) and N(0, 1/fan_in).
    "lecun_uniform": lambda weight: nn.init.kaiming_uniform_(weight, nonlinearity="linear"),
    "lecun_normal": lambda weight: nn.init.kaiming_normal_(weight, nonlinearity="linear"),
}


def init_weights(model, scheme):
    """"default" keeps nn.Linear's own U(±1/√fan_in) for weight and bias; a named scheme draws
    every Linear's weight, the output layer's too, and zeroes its bias."""
    if scheme == "default":
        return
    for module in model.modules():
        if isinstance(module, nn.Linear):
            INITS[scheme](module.weight)
            nn.init.zeros_(module.bias)
# end when
