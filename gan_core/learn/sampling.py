"""Samples from a shipped DCGAN as plain images: `gan_core.generate(weights="dcgan-fashion", n=64, seed=0)`.

The seed fixes the noise vectors and the generator runs in eval mode (batch-norm running statistics), so the
same seed always gives the same images.
"""
import numpy as np
import torch

from gan_core.core import registry
from gan_core.core.images import to_uint8
from gan_core.learn.dcgan import generate as run_generator
from gan_core.learn.dcgan import seeded_noise


def build_generator(path: str, device: str):
    """The generator of a DCGAN weights file, in eval mode (what registry.load caches)."""
    generator, _, card = registry.load_models(path, device)
    if card.get("task") != "dcgan":
        raise ValueError(f"{path} is a {card.get('task')!r} model, not a DCGAN")
    return generator


def load_generator(weights: str = "dcgan-fashion"):
    return registry.load(weights, build_generator)


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
    return to_uint8(images[:, 0])  # first channel: grey images


def sample_grid(weights: str = "dcgan-fashion", side: int = 6, seed: int = 0, padding: int = 2) -> np.ndarray:
    """The first side x side samples of a DCGAN (gan_core.generate) as one HxWx3 uint8 picture, `padding`
    pixels of grey between and around them."""
    from gan_core.learn.dcgan import to_picture
    tiles = torch.from_numpy(generate(weights, n=side * side, seed=seed)).float().div(127.5).sub(1)[:, None]
    return to_picture(tiles, side, padding=padding)   # (N, 1, H, W) in [-1, 1] -> a grid
