@dataclass
class Dataset:
    """A dataset as ajuste holds it: the training pool and, where there is one, the official test
    set, with inputs as stored (uint8 pixels, or float32 values) and integer labels."""

    pool_x: torch.Tensor
    pool_y: torch.Tensor
    test_x: "torch.Tensor | None"
    test_y: "torch.Tensor | None"
    pixels: bool
    classes: int
