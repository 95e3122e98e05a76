def read_idx(path):
    """One IDX file (MNIST's format: a big-endian header, then uint8 data), plain or gzipped."""
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4 : 4 + 4 * dims])
    return torch.frombuffer(bytearray(data[4 + 4 * dims :]), dtype=torch.uint8).reshape(shape)


def idx_file(folder, name):
    for path in (os.path.join(folder, name), os.path.join(folder, name + ".gz")):
        if os.path.exists(path):
            return path
    return None


def load_dataset(folder):
    """The IDX files in `folder`: train-* is the pool, t10k-* the official test set."""
    # when: download
    if idx_file(folder, "train-images-idx3-ubyte") is None and folder == DATA_PATH:
        from torchvision import datasets  # it downloads these very files to DATA_PATH

        getattr(datasets, TORCHVISION_DATASET)("data", download=True)
    # end when
    images = read_idx(idx_file(folder, "train-images-idx3-ubyte"))
    labels = read_idx(idx_file(folder, "train-labels-idx1-ubyte")).long()
    test_images, test_labels = idx_file(folder, "t10k-images-idx3-ubyte"), None
    if test_images is not None:
        test_images = read_idx(test_images).flatten(1)
        test_labels = read_idx(idx_file(folder, "t10k-labels-idx1-ubyte")).long()
    every_label = labels if test_labels is None else torch.cat([labels, test_labels])
    classes = int(every_label.max()) + 1
    return Dataset(images.flatten(1), labels, test_images, test_labels, True, classes)
