"""The classic DCGAN (Radford et al. 2016) as in PyTorch's DCGAN example, sized for 32x32 images.

Generator: 100-d noise -> transposed convolutions -> image. Discriminator: strided convolutions -> one
number. The example's discriminator ends in a sigmoid; ours returns the logit and the losses apply the
sigmoid inside (log-sigmoid is stable where log(sigmoid) underflows). D(x) = sigmoid(logit).
Its training game is gan_core.learn.dcgan_game.
"""
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
from torchvision.utils import make_grid

from gan_core.core.images import to_uint8
from gan_core.core.registry import register


@dataclass
class DCGANConfig:
    noise_dim: int = 100     # nz in the example
    channels: int = 1        # 1 for Fashion-MNIST
    g_width: int = 64        # ngf
    d_width: int = 64        # ndf


def dcgan_init(module: nn.Module) -> None:
    """The paper's initialisation: conv weights from N(0, 0.02), batch-norm scales from N(1, 0.02)."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


@register(DCGANConfig)
class DCGANGenerator(nn.Module):
    def __init__(self, config: DCGANConfig = DCGANConfig()):
        super().__init__()
        self.config = config
        nz, ngf, nc = config.noise_dim, config.g_width, config.channels
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            # state size. (ngf*4) x 4 x 4
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            # state size. (ngf*2) x 8 x 8
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
            # state size. (ngf) x 16 x 16
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh(),
            # state size. (nc) x 32 x 32
        )
        self.apply(dcgan_init)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.main(z.view(z.shape[0], -1, 1, 1))


@register(DCGANConfig)
class DCGANDiscriminator(nn.Module):
    """Returns (logits (B,), [features]) like PatchDiscriminator, so one training loop serves both."""

    def __init__(self, config: DCGANConfig = DCGANConfig()):
        super().__init__()
        self.config = config
        nc, ndf = config.channels, config.d_width
        self.features = nn.Sequential(
            # input is (nc) x 32 x 32
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
            # state size. (ndf) x 16 x 16
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
            # state size. (ndf*2) x 8 x 8
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, inplace=True),
            # state size. (ndf*4) x 4 x 4
        )
        self.logit = nn.Conv2d(ndf * 4, 1, 4, 1, 0, bias=False)  # the example follows this with nn.Sigmoid()
        self.apply(dcgan_init)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        features = self.features(x)
        return self.logit(features).view(-1), [features]


def seeded_noise(seed: int, n: int, noise_dim: int = 100) -> torch.Tensor:
    """n noise vectors z ~ N(0, I) fixed by a seed: the same seed always gives the same samples."""
    return torch.randn(n, noise_dim, generator=torch.Generator().manual_seed(int(seed)))


def interpolate(z_a: torch.Tensor, z_b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Points at fractions t (shape (n,)) along the line z_a -> z_b, put back on the sphere |z| = sqrt(dim).

    Gaussian noise in many dimensions lives near that sphere; the plain average of two random z is
    too short and G draws it washed out.
    """
    return project_to_sphere((1 - t[:, None]) * z_a + t[:, None] * z_b)


def project_to_sphere(z: torch.Tensor) -> torch.Tensor:
    """Put each z (B, nz) on the sphere of radius sqrt(nz), where N(0, I) noise concentrates."""
    return z * (z.shape[1] ** 0.5 / z.norm(dim=1, keepdim=True).clamp_min(1e-8))


@torch.no_grad()
def generate(generator: DCGANGenerator, noise: torch.Tensor) -> torch.Tensor:
    """G(z) in eval mode (batch-norm running statistics), clamped to [-1, 1]; G is left in the mode it came in."""
    was_training = generator.training
    images = generator.eval()(noise).clamp(-1, 1)
    generator.train(was_training)
    return images


def walk(generator: DCGANGenerator, seed_a: int, seed_b: int, fractions) -> torch.Tensor:
    """G(z) at each fraction (0 = z_a, 1 = z_b) of the way between the seeded noise vectors: (n, C, H, W)."""
    nz = generator.config.noise_dim
    t = torch.as_tensor(fractions, dtype=torch.float32)
    return generate(generator, interpolate(seeded_noise(seed_a, 1, nz), seeded_noise(seed_b, 1, nz), t))


def to_picture(images: torch.Tensor, columns: int = 1, padding: int = 0, background: int = 60) -> np.ndarray:
    """(N, C, H, W) or (C, H, W) in [-1, 1] -> one HxWx3 uint8 picture, `columns` images a row, `padding`
    pixels of grey `background` (0-255) between and around them (torchvision's make_grid)."""
    grid = make_grid(images.detach().cpu().float(), nrow=columns, padding=padding, pad_value=background / 127.5 - 1)
    return to_uint8(grid).transpose(1, 2, 0)   # (3, H, W) -> HxWx3
