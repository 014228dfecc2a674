"""Pixels to network values and back: uint8 0..255 <-> float32 in [-1, 1] (the range every generator here uses).

The layout is left as it is: a caller that wants (3, H, W) from an HxWx3 photo, or (n, 1, H, W) from grey items
(n, H, W), permutes or adds the axis itself, so this one pair serves photos and Fashion-MNIST alike.
"""
import numpy as np
import torch


def to_tensor(pixels: np.ndarray) -> torch.Tensor:
    """uint8 pixels of any shape -> float32 tensor of the same shape in [-1, 1]."""
    return torch.from_numpy(np.array(pixels, dtype=np.float32)) / 127.5 - 1


def to_uint8(tensor: torch.Tensor) -> np.ndarray:
    """A tensor in [-1, 1] (clamped first) -> uint8 pixels of the same shape, rounded to the nearest level."""
    return tensor.detach().float().clamp(-1, 1).add(1).mul(127.5).round().to(torch.uint8).cpu().numpy()
