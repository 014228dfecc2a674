"""Samples from a shipped DCGAN as plain images: `gan_core.generate(weights="dcgan-fashion", n=64, seed=0)`.

The seed fixes the noise vectors and the generator runs in eval mode (batch-norm running statistics), so the
same seed always gives the same images.
"""
import functools

import numpy as np
import torch

from gan_core.learn.dcgan import generate as run_generator
from gan_core.learn.dcgan import seeded_noise
from gan_core.core.weights import named_weights
from gan_core.core.registry import load_models


@functools.lru_cache(maxsize=4)
def _load(path: str, mtime: float):
    generator, _, card = load_models(path, "cpu")
    if card.get("task") != "dcgan":
        raise ValueError(f"{path} is a {card.get('task')!r} model, not a DCGAN")
    return generator


def load_generator(weights: str = "dcgan-fashion"):
    path = named_weights(weights)
    return _load(str(path), path.stat().st_mtime)


def generate(weights: str = "dcgan-fashion", n: int = 64, seed: int = 0, batch_size: int = 500) -> np.ndarray:
    """n samples of a DCGAN as uint8 (n, H, W) at the model's own size (32 x 32 for dcgan-fashion)."""
    if int(n) < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    return sample_images(load_generator(weights), int(n), seed, batch_size)


@torch.no_grad()
def sample_images(generator, n: int, seed: int = 0, batch_size: int = 500) -> np.ndarray:
    """The first n samples of a DCGAN generator from the seeded noise, as uint8 (n, H, W), in eval mode."""
    device = next(generator.parameters()).device
    noise = seeded_noise(seed, n, generator.config.noise_dim).to(device)
    images = torch.cat([run_generator(generator, noise[i:i + batch_size]).float().cpu()
                        for i in range(0, len(noise), batch_size)])
    return images[:, 0].add(1).mul(127.5).round().to(torch.uint8).numpy()  # first channel: grey images
