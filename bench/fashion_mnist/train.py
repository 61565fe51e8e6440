#!/usr/bin/env python3
"""Trains the small Fashion-MNIST CNN that edgec's quantisation is measured on
and exports it to ONNX (opset 13, batch 1, input 'image' [1,1,28,28] in
[0, 1], output 'logits' [1,10]).

    /usr/bin/python3 bench/fashion_mnist/train.py [--out bench/fashion_mnist/fashion_cnn.onnx]

Fixed seed, a few minutes on two cores with Debian's python3-torch. The
architecture is MCU-sized (about 50k weights): two conv+BN+ReLU+maxpool
stages and two fully connected layers; BatchNorm is there because real
models have it (edgec folds it into the conv).
"""
import argparse
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dataset  # noqa: E402


class FashionCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(16 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def accuracy(model, images, labels):
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(torch.from_numpy(images[i:i + 1000]))
                            for i in range(0, len(images), 1000)])
    return float((logits.argmax(1).numpy() == labels).mean())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "fashion_cnn.onnx"))
    parser.add_argument("--epochs", type=int, default=6)
    args = parser.parse_args()

    torch.manual_seed(0)
    np.random.seed(0)
    torch.set_num_threads(2)
    train_x, train_y = dataset.load("train")
    test_x, test_y = dataset.load("t10k")
    model = FashionCNN()
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, args.epochs)
    loss_fn = nn.CrossEntropyLoss()
    batch = 128
    for epoch in range(args.epochs):
        start = time.time()
        model.train()
        order = np.random.permutation(len(train_x))
        total = 0.0
        for i in range(0, len(order), batch):
            idx = order[i:i + batch]
            optimiser.zero_grad()
            loss = loss_fn(model(torch.from_numpy(train_x[idx])), torch.from_numpy(train_y[idx]))
            loss.backward()
            optimiser.step()
            total += float(loss) * len(idx)
        schedule.step()
        print(f"epoch {epoch + 1}/{args.epochs}: loss {total / len(order):.4f}, "
              f"test accuracy {accuracy(model, test_x, test_y):.4f} ({time.time() - start:.0f} s)",
              flush=True)

    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), args.out, opset_version=13,
                      input_names=["image"], output_names=["logits"], do_constant_folding=True)
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes); "
          f"torch test accuracy {accuracy(model, test_x, test_y):.4f}")


if __name__ == "__main__":
    main()
