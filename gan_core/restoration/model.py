"""The restoration generator: denoising and super-resolution (2x, 4x) of photos.

Images are tensors in [-1, 1], shape (B, 3, H, W).
"""
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from gan_core.core.registry import register


# ----------------------------------------------------------------------------------------------------
# Restoration generator (denoising and super-resolution)


@dataclass
class RestorationConfig:
    scale: int = 1           # 1 for denoising, 2 or 4 for super-resolution
    channels: int = 64
    n_convs: int = 16        # 3x3 conv + PReLU layers, as in Real-ESRGAN's compact SRVGG model
    skips: bool = False      # pair the convs into residual blocks (EDSR): a plain stack learned denoising slowly


class ConvPair(nn.Module):
    """conv - PReLU - conv with a skip around it, so each block starts near the identity (EDSR's blocks)."""

    def __init__(self, channels: int):
        super().__init__()
        self.layers = nn.Sequential(nn.Conv2d(channels, channels, 3, padding=1), nn.PReLU(channels),
                                    nn.Conv2d(channels, channels, 3, padding=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.layers(x)


@register(RestorationConfig)
class RestorationGenerator(nn.Module):
    """A plain stack of convolutions that predicts a residual over a simple upsampling of the input.

    For scale 1 (denoising) the input is folded 2x2 into channels first, as in the inpainter, so the
    body runs at half resolution; for scale s the body runs at the low resolution and pixel_shuffle
    produces the s-times larger residual.
    """

    def __init__(self, config: RestorationConfig = RestorationConfig()):
        super().__init__()
        if config.scale not in (1, 2, 4):
            raise ValueError(f"scale must be 1, 2 or 4, not {config.scale}")
        self.config = config
        self.fold = 2 if config.scale == 1 else 1
        in_channels = 3 * self.fold**2
        out_channels = 3 * (self.fold * config.scale) ** 2
        c = config.channels
        layers = [nn.Conv2d(in_channels, c, 3, padding=1), nn.PReLU(c)]
        if config.skips:
            layers += [ConvPair(c) for _ in range(config.n_convs // 2)] + [nn.PReLU(c)]
        else:
            for _ in range(config.n_convs):
                layers += [nn.Conv2d(c, c, 3, padding=1), nn.PReLU(c)]
        layers.append(nn.Conv2d(c, out_channels, 3, padding=1))
        self.body = nn.Sequential(*layers)
        # He initialisation for PReLU's starting slope (0.25): with PyTorch's default the signal shrank ~10x in
        # the first layers and G stayed at bilinear upsampling for hundreds of steps
        for conv in self.body[:-1].modules():
            if isinstance(conv, nn.Conv2d):
                nn.init.kaiming_normal_(conv.weight, a=0.25, nonlinearity="leaky_relu")
                nn.init.zeros_(conv.bias)
        for pair in self.body:
            if isinstance(pair, ConvPair):  # residual scaling (EDSR): blocks start as small corrections
                pair.layers[-1].weight.data.mul_(0.1)
        nn.init.zeros_(self.body[-1].weight)  # start as plain bilinear upsampling / the identity
        nn.init.zeros_(self.body[-1].bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        height, width = x.shape[-2:]
        pad_h, pad_w = -height % self.fold, -width % self.fold
        padded = F.pad(x, (0, pad_w, 0, pad_h), mode="replicate") if pad_h or pad_w else x
        residual = F.pixel_shuffle(self.body(F.pixel_unshuffle(padded, self.fold)), self.fold * self.config.scale)
        scale = self.config.scale
        residual = residual[..., : height * scale, : width * scale]
        base = x if scale == 1 else F.interpolate(x, scale_factor=scale, mode="bilinear", align_corners=False)
        return base + residual
