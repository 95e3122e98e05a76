NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def unquote(field):
    field = field.strip()
    return field[1:-1].strip() if len(field) >= 2 and field[0] == field[-1] == '"' else field


def load_dataset(path):
    """A numeric CSV file as ajuste reads it: every column a feature but the last, the integer
    label; blank lines skipped; the first line a header when none of its fields is a number."""
    rows, labels = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            fields = [unquote(field) for field in line.rstrip("\r\n").split(",")]
            if not rows and not labels and not any(NUMBER.match(field) for field in fields):
                continue
            rows.append([float(field) for field in fields[:-1]])
            labels.append(int(fields[-1]))
    inputs = torch.tensor(rows, dtype=torch.float64).float()
    return Dataset(inputs, torch.tensor(labels), None, None, False, max(labels) + 1)
