SYNTHETIC_STREAM = 0x73796E74  # "synt": the data's own stream, apart from the weights'


def synthetic_binary(seed):
    """The exercise's toy problem, X = torch.randn(1000, 10) with random 0/1 labels, drawn as
    ajuste draws it (engine/data/synthetic.ts), so the run's seed gives the rows it trained on."""
    rng = Xoshiro128(lowbias32(seed ^ SYNTHETIC_STREAM))
    inputs = torch.tensor([rng.normal() for _ in range(1000 * 10)], dtype=torch.float64)
    labels = torch.tensor([rng.below(2) for _ in range(1000)])
    return Dataset(inputs.float().reshape(1000, 10), labels, None, None, False, 2)
