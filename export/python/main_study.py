def objective(trial, dataset, device):
    """Trains one trial's config; its value is the study metric at the last epoch (at the best
    epoch where early stopping keeps that epoch's weights). Each epoch's metric goes to the
    pruner, which may stop the trial."""
    config = suggest_config(trial)
    # when: synthetic
    dataset = synthetic_binary(config["seed"])
    # end when
    train_set, dev_set, _ = make_splits(dataset, config)
    metric = STUDY["metric"]

    def report(epoch, metrics):
        print(f"trial {trial.number:3d} ", end="")
        print_epoch(epoch, metrics)
        if metrics[metric] is not None and math.isfinite(metrics[metric]):
            trial.report(metrics[metric], epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()

    features = dataset.pool_x.shape[1]
    _, history, best_epoch = fit(
        config, train_set, dev_set, features, dataset.classes, device, on_epoch=report
    )
    stopping = config.get("earlyStopping")
    if best_epoch is not None and stopping["restoreBest"]:
        return history[best_epoch - 1][metric]
    values = [m[metric] for m in history if m[metric] is not None and math.isfinite(m[metric])]
    if not values:
        raise ValueError(f"The trial reported no {metric}: is the dev split empty?")
    return values[-1]


def study_jobs(parallel, device):
    """Optuna's n_jobs for the study's `parallel` (trials at once, here in this process's threads):
    "auto" as ajuste chooses it, 1 on a GPU, else one trial per core."""
    if parallel != "auto":
        return parallel
    return 1 if device.type == "cuda" else os.cpu_count() or 1


def draw_plots(study):
    """The notebook's two plots: the optimisation history and the parameters' importances."""
    try:
        optuna.visualization.plot_optimization_history(study).show()
        optuna.visualization.plot_param_importances(study).show()
    except ImportError:
        print("Install plotly to draw the optimisation history and the parameters' importances")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # when: files
    parser.add_argument("--data", default=DATA_PATH, help=f"the dataset (default {DATA_PATH})")
    # end when
    parser.add_argument("--trials", type=int, default=STUDY["trials"], help="trials to run")
    parser.add_argument(
        "--n-jobs", type=int, help="trials at once (default: the study's parallel, STUDY below)"
    )
    parser.add_argument("--no-plots", action="store_true", help="draw no plots at the end")
    args = parser.parse_args()
    use_gpu = FULL_BASE["device"] != "cpu" and torch.cuda.is_available()
    device = torch.device("cuda" if use_gpu else "cpu")
    # when: files
    dataset = load_dataset(args.data)
    # end when
    # when: synthetic
    dataset = None  # drawn for each trial from its seed
    # end when

    n_jobs = args.n_jobs or study_jobs(STUDY["parallel"], device)
    if n_jobs > 1 and device.type == "cpu":
        # The trials share the cores: PyTorch's own threads would otherwise take all of them each.
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // n_jobs))
    study = create_study()
    study.optimize(
        lambda trial: objective(trial, dataset, device), n_trials=args.trials, n_jobs=n_jobs
    )
    print(f"Best trial #{study.best_trial.number}: {STUDY['metric']} {study.best_value:.4f}")
    for name, value in study.best_params.items():
        print(f"    {name} = {value!r}")
    if not args.no_plots:
        draw_plots(study)


if __name__ == "__main__":
    main()
