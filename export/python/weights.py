def load_safetensors(path):
    """A safetensors file as a state_dict and its metadata: what safetensors.torch.load_file
    reads, in a few lines so that the script needs nothing beyond torch."""
    with open(path, "rb") as f:
        header = json.loads(f.read(struct.unpack("<Q", f.read(8))[0]))
        data = f.read()
    dtypes = {"F32": torch.float32, "I64": torch.int64}
    state = OrderedDict()
    for name, info in header.items():
        if name != "__metadata__":
            begin, end = info["data_offsets"]
            tensor = torch.frombuffer(bytearray(data[begin:end]), dtype=dtypes[info["dtype"]])
            state[name] = tensor.reshape(info["shape"])
    return state, header.get("__metadata__", {})
