def round_half_up(x):
    """JavaScript's Math.round, which sizes ajuste's splits (Python's round() halves to even)."""
    return math.floor(x + 0.5)


def to_inputs(raw, config, pixels):
    """ToTensor (pixels / 255) then Normalize(mean, std), as ajuste applies them: one multiply-add,
    raw · scale + shift, the product and the sum each rounded to float32. transforms.Compose(
    [ToTensor(), Normalize((mean,), (std,))]) computes the same to within a float32 rounding; this
    way the inputs are the run's bit for bit, so --weights reproduces its test metrics exactly."""
    scale, shift = (1 / 255 if pixels else 1.0), 0.0
    normalize = config["data"]["normalize"]
    if normalize is not None:
        scale, shift = scale / normalize["std"], -normalize["mean"] / normalize["std"]
    return (raw.double() * scale).float().double().add(shift).float()


# when: carved_test
SPLIT_STREAM = 0x73706C74  # "splt": the split's own stream, apart from the weights'


def ajuste_permutation(n, seed):
    """The order ajuste shuffles the pool into before cutting it train | dev | test."""
    return Xoshiro128(lowbias32(seed ^ SPLIT_STREAM)).shuffle(list(range(n)))


# end when
def make_splits(dataset, config):
    """The train, dev and test sets (engine/data/split.ts): the pool is the first trainSize
    examples, dev takes round(n · dev) of them and train the rest.

    The test set must be the run's own for --weights to reproduce its metrics: the official test
    set (its first testSize examples), or where there is none the rows ajuste's seeded permutation
    puts last. Train and dev are drawn with random_split and PyTorch's generator, so the dev rows
    differ from the run's; the seeds differ anyway.
    """
    data, seed = config["data"], config["seed"]
    n = data.get("trainSize") or len(dataset.pool_y)
    pool = TensorDataset(to_inputs(dataset.pool_x[:n], config, dataset.pixels), dataset.pool_y[:n])
    dev_rows = round_half_up(n * data["split"]["dev"])
    # when: official_test
    count = data.get("testSize") or len(dataset.test_y)
    test_x = to_inputs(dataset.test_x[:count], config, dataset.pixels)
    rest, test = pool, TensorDataset(test_x, dataset.test_y[:count])
    # end when
    # when: carved_test
    test_rows = round_half_up(n * data["split"]["test"])
    order = ajuste_permutation(n, seed)
    rest, test = Subset(pool, order[: n - test_rows]), Subset(pool, order[n - test_rows :])
    # end when
    generator = torch.Generator().manual_seed(seed)
    train, dev = random_split(rest, [len(rest) - dev_rows, dev_rows], generator=generator)
    return train, dev, test
