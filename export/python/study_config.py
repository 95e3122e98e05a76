def set_param(config, full, path, value):
    """Sets a dotted path such as "optimizer.lr" or "model.layers.0.units" on a partial run
    config, as ajuste's tuner does (config/params.ts): a list left to its default (the layers) is
    copied in first, so the other items stay; an object left out starts empty, so that it takes
    the defaults of the type the trial gives it, not the base's."""
    *parents, last = path.split(".")
    node = config
    for key in parents:
        if isinstance(node, list):
            node, full = node[int(key)], full[int(key)] if isinstance(full, list) else None
            continue
        full = full.get(key) if isinstance(full, dict) else None
        if key not in node:
            node[key] = copy.deepcopy(full) if isinstance(full, list) else {}
        node = node[key]
    node[int(last) if isinstance(node, list) else last] = value


def with_defaults(partial):
    """The run config with every field left out given its default, as ajuste's schema fills it
    (config/schema.ts; DEFAULTS were read from it when this script was written)."""
    config = {**DEFAULTS["run"], **copy.deepcopy(partial)}
    data = config["data"] = {**DEFAULTS["data"], **config.get("data", {})}
    if data.get("normalize", {}) is not None:
        data["normalize"] = {**DEFAULTS["normalize"], **data.get("normalize", {})}
    data["split"] = {**DEFAULTS["split"], **data.get("split", {})}
    model = config["model"] = {**DEFAULTS["model"], **config.get("model", {})}
    layers = model.get("layers", DEFAULTS["layers"])
    model["layers"] = [{**DEFAULTS["layer"], **layer} for layer in layers]
    for section in ("regularization", "batch"):
        config[section] = {**DEFAULTS[section], **config.get(section, {})}
    if config["batch"]["mode"] == "stochastic":
        config["batch"]["size"] = 1  # one example a step, whatever the size says
    optimizer = config.get("optimizer", {})
    config["optimizer"] = {**DEFAULTS["optimizer"][optimizer.get("type", "adam")], **optimizer}
    for section in ("scheduler", "gradientClipping"):
        if config.get(section):
            config[section] = {**DEFAULTS[section][config[section]["type"]], **config[section]}
    if config.get("earlyStopping") is not None:
        stopping = {**DEFAULTS["earlyStopping"], **config["earlyStopping"]}
        stopping.setdefault("mode", "min" if stopping["metric"] == "devLoss" else "max")
        config["earlyStopping"] = stopping
    return config


FULL_BASE = with_defaults(BASE)
