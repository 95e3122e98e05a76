def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # when: files
    parser.add_argument("--data", default=DATA_PATH, help=f"the dataset (default {DATA_PATH})")
    # end when
    parser.add_argument("--weights", help="test ajuste's trained weights (a .safetensors file)")
    parser.add_argument("--epochs", type=int, help="train this many epochs instead of the run's")
    args = parser.parse_args()
    config = copy.deepcopy(CONFIG)
    if args.epochs:
        config["epochs"] = args.epochs
    use_gpu = config["device"] != "cpu" and torch.cuda.is_available()
    device = torch.device("cuda" if use_gpu else "cpu")

    # when: files
    dataset = load_dataset(args.data)
    # end when
    # when: synthetic
    dataset = synthetic_binary(config["seed"])
    # end when
    train_set, dev_set, test_set = make_splits(dataset, config)
    features = dataset.pool_x.shape[1]
    print(f"{len(train_set)} train, {len(dev_set)} dev, {len(test_set)} test examples on {device}")
    if args.weights:
        state, metadata = load_safetensors(args.weights)
        if json.loads(metadata.get("ajuste.config", "null")) != CONFIG:
            print(f"Warning: {args.weights} was trained with another config than this script's")
        model = build_model(config, features, output_units(config["loss"], dataset.classes))
        model.load_state_dict(state)
        model = model.to(device)
    else:
        model, _, _ = fit(config, train_set, dev_set, features, dataset.classes, device)
    criterion = LOSSES[config["loss"]]()
    test_loader = DataLoader(test_set, batch_size=EVAL_BATCH_SIZE)
    test_loss, test_accuracy = evaluate(model, test_loader, criterion, device)
    print(f"test loss {test_loss:.9g} accuracy {test_accuracy:.9g} ({len(test_set)} examples)")
    if RUN_TEST is not None:
        print(f"ajuste's run: test loss {RUN_TEST['loss']:.9g} accuracy {RUN_TEST['accuracy']:.9g}")


if __name__ == "__main__":
    main()
