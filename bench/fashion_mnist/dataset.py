"""Fashion-MNIST as installed by Debian's dataset-fashion-mnist package.

Images come back as float32 [N, 1, 28, 28] in [0, 1] (pixel / 255), the
input the trained model expects, and labels as int64 [N].
"""
import gzip
import os

import numpy as np

DATA_DIR = os.environ.get("EDGEC_FASHION_MNIST", "/usr/share/datasets/fashion-mnist")
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def _read_idx(path, magic, header_ints):
    if not os.path.exists(path):
        raise SystemExit(f"{path}: missing; install Debian's dataset-fashion-mnist "
                         f"(scripts/setup.sh) or set EDGEC_FASHION_MNIST")
    with gzip.open(path, "rb") as f:
        data = f.read()
    header = np.frombuffer(data, dtype=">i4", count=header_ints)
    if header[0] != magic:
        raise SystemExit(f"{path}: not an idx file (magic {header[0]:#x})")
    return header, np.frombuffer(data, dtype=np.uint8, offset=4 * header_ints)


def load(split):
    """split is 'train' (60,000 images) or 't10k' (the 10,000 test images)."""
    header, pixels = _read_idx(os.path.join(DATA_DIR, f"{split}-images-idx3-ubyte.gz"), 0x803, 4)
    n, rows, cols = (int(v) for v in header[1:])
    images = pixels.reshape(n, 1, rows, cols).astype(np.float32) / 255.0
    header, labels = _read_idx(os.path.join(DATA_DIR, f"{split}-labels-idx1-ubyte.gz"), 0x801, 2)
    if int(header[1]) != n:
        raise SystemExit(f"{split}: {n} images but {int(header[1])} labels")
    return images, labels.astype(np.int64)
