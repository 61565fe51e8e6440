"""Factories for edgec-torch's lit test."""
import torch
from torch import nn


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Linear(8 * 4 * 4, 3)

    def forward(self, x):
        return self.head(torch.flatten(self.body(x), 1))


def make():
    torch.manual_seed(0)
    return SmallNet().eval()


def with_example():
    return make(), (torch.randn(1, 1, 8, 8),)


class Upsampling(nn.Module):
    """Unfolded into patches, which edgec-torch does not map yet."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.Unfold(2))

    def forward(self, x):
        return self.body(x)


def unsupported():
    return Upsampling().eval()
