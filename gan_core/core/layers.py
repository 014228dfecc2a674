"""What every GAN here shares: the PatchGAN critic, a plain U-Net, the moving average of G, parameter counts.

Images are tensors in [-1, 1], shape (B, C, H, W).
"""
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.parametrizations import spectral_norm



def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


@torch.no_grad()
def update_ema(average: nn.Module, model: nn.Module, decay: float, step: int) -> None:
    """Move `average`, a copy of model, towards it: the exponential moving average of G that trainers sample
    from and export. Early on the decay is smaller (short memory), so the random start is soon forgotten."""
    decay = min(decay, (1 + step) / (10 + step))
    for average_p, p in zip(average.parameters(), model.parameters()):
        average_p.lerp_(p.detach(), 1 - decay)
    for average_b, b in zip(average.buffers(), model.buffers()):
        average_b.copy_(b)



# ----------------------------------------------------------------------------------------------------
# Discriminator


@dataclass
class DiscriminatorConfig:
    in_channels: int = 4     # image (3) + mask (1) for inpainting; 3 for restoration
    channels: int = 32
    n_layers: int = 3        # stride-2 layers; each logit sees a 70x70 patch with 3 (pix2pix)


class PatchDiscriminator(nn.Module):
    """Spectral-normalised PatchGAN (pix2pix; SN-PatchGAN of DeepFill v2): a map of realism logits.

    Each logit judges one patch of the input; the map is what the studio shows as "what the critic sees".
    forward returns (logits (B, 1, h, w), features of each layer for feature matching).
    """

    def __init__(self, config: DiscriminatorConfig = DiscriminatorConfig()):
        super().__init__()
        self.config = config
        c = config.channels
        layers, in_c = [], config.in_channels
        for i in range(config.n_layers):
            out_c = c * 2 ** min(i, 2)
            layers.append(nn.Sequential(spectral_norm(nn.Conv2d(in_c, out_c, 4, 2, 1)), nn.LeakyReLU(0.2, inplace=True)))
            in_c = out_c
        out_c = c * 2 ** min(config.n_layers, 2)  # capped at 4c: the last layers dominate the cost on a CPU
        layers.append(nn.Sequential(spectral_norm(nn.Conv2d(in_c, out_c, 4, 1, 1)), nn.LeakyReLU(0.2, inplace=True)))
        self.layers = nn.ModuleList(layers)
        self.logits = spectral_norm(nn.Conv2d(out_c, 1, 4, 1, 1))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        features = []
        for layer in self.layers:
            x = layer(x)
            features.append(x)
        return self.logits(x), features


def conv_block(in_channels: int, out_channels: int) -> nn.Sequential:
    """Two 3x3 convolutions with leaky ReLUs: one U-Net level (no normalisation, so any size and batch 1 behave)."""
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.LeakyReLU(0.2, inplace=True),
                         nn.Conv2d(out_channels, out_channels, 3, padding=1), nn.LeakyReLU(0.2, inplace=True))


class UNet(nn.Module):
    """The U-Net of Ronneberger et al. 2015 in its plainest form: average-pool down, bilinear up, skip concat."""

    def __init__(self, in_channels: int, out_channels: int, channels: int, depth: int):
        super().__init__()
        widths = [channels * min(2 ** i, 8) for i in range(depth + 1)]          # e.g. 32, 64, 128, 256
        self.encoders = nn.ModuleList([conv_block(in_channels, widths[0])] +
                                      [conv_block(widths[i], widths[i + 1]) for i in range(depth)])
        self.decoders = nn.ModuleList([conv_block(widths[i + 1] + widths[i], widths[i]) for i in reversed(range(depth))])
        self.out = nn.Conv2d(widths[0], out_channels, 1)
        nn.init.zeros_(self.out.weight)  # start as "no correction"
        nn.init.zeros_(self.out.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for i, encoder in enumerate(self.encoders):
            x = encoder(x if i == 0 else F.avg_pool2d(x, 2))                       # (B, w_i, H/2^i, W/2^i)
            skips.append(x)
        for decoder, skip in zip(self.decoders, reversed(skips[:-1])):
            x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
            x = decoder(torch.cat([x, skip], dim=1))
        return self.out(x)
