"""An unrolled reconstruction: physics in the network, so that it learns to undo aliasing rather than one brain.

A single U-Net (gan_core.mri.recon) sees the zero-filled image once and must guess everything; what it learns
is partly how that brain looks. A cascade network (Schlemper et al. 2018; MoDL, Aggarwal et al. 2019, shares
the weights) alternates a small CNN, which proposes a correction of the current estimate, with data
consistency, which puts the measured k-space lines back. Each CNN only has to remove the aliasing that is left,
and the measured lines are kept exactly at every stage, so the network's prior matters less than in one shot.

    kspace, mask -> x0 = zero-filled -> [x += CNN_k(x, x0); x = DC(x)] for k in 1..cascades -> |x|

With start="tv" the cascade begins from total-variation compressed sensing (gan_core.mri.classical.tv_cs,
computed outside the network and passed in as `start`) instead of the zero-filled image: the classical solution
is a far better first estimate on piecewise-smooth slices, and the CNNs learn what TV gets wrong.

The same interface as MRIReconGenerator (forward(kspace, mask) -> magnitude (B, 1, H, W)), so
mri_reconstruct, the studio and the evaluation take either.
"""
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from gan_core.core.layers import UNet
from gan_core.core.registry import register
from gan_core.mri.kspace import from_kspace_t, magnitude, to_kspace_t


@dataclass
class UnrolledConfig:
    cascades: int = 5        # CNN + data-consistency stages
    channels: int = 32       # width of each CNN's first U-Net level
    depth: int = 2           # halvings in each U-Net
    fold: int = 2            # pixel_unshuffle: each CNN runs at 1/fold of the resolution (the CPU is the budget)
    shared: bool = False     # one CNN for every stage (MoDL) instead of one each (a cascade network)
    start: str = "zero-filled"  # the first estimate: "zero-filled", or "tv" (TV compressed sensing, given)
    scale_quantile: float = 0.995  # inputs are divided by this quantile of |zero-filled| so any units work


def data_consistency(image: torch.Tensor, kspace: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The image whose k-space is the measured lines where measured and the image's own elsewhere."""
    return from_kspace_t(torch.where(mask, kspace, to_kspace_t(image)))


@register(UnrolledConfig)
class UnrolledRecon(nn.Module):
    """forward(kspace (B, H, W) complex, mask (B, H, W) bool) -> magnitude (B, 1, H, W) in the input's units."""

    def __init__(self, config: UnrolledConfig = UnrolledConfig()):
        super().__init__()
        self.config = config
        folded = 4 * config.fold ** 2       # in: the estimate and the zero-filled image, real and imaginary parts
        count = 1 if config.shared else config.cascades
        self.cnns = nn.ModuleList([UNet(folded, 2 * config.fold ** 2, config.channels, config.depth)
                                   for _ in range(count)])

    @property
    def multiple(self) -> int:
        return self.config.fold * 2 ** self.config.depth

    def correction(self, stage: int, estimate: torch.Tensor, first: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
        """What CNN number `stage` adds to the estimate (complex, (B, H, W)), in the input's units."""
        height, width = estimate.shape[-2:]
        x = torch.stack([estimate.real, estimate.imag, first.real, first.imag], dim=1) / scale   # (B, 4, H, W)
        x = F.pad(x, (0, -width % self.multiple, 0, -height % self.multiple))
        cnn = self.cnns[0 if self.config.shared else stage]
        out = F.pixel_shuffle(cnn(F.pixel_unshuffle(x, self.config.fold)), self.config.fold)
        out = out[..., :height, :width].float() * scale                                         # (B, 2, H, W)
        return torch.complex(out[:, 0], out[:, 1])

    def consistent_image(self, kspace: torch.Tensor, mask: torch.Tensor, start: torch.Tensor | None = None
                         ) -> torch.Tensor:
        mask = mask.expand_as(kspace)
        kspace = kspace * mask
        first = from_kspace_t(kspace)                                                           # zero-filled
        scale = torch.quantile(magnitude(first).flatten(1), self.config.scale_quantile, dim=1).clamp_min(1e-8)
        scale = scale[:, None, None, None]
        if self.config.start == "tv" and start is None:
            raise ValueError("this model starts from TV compressed sensing: pass start (mri_reconstruct does)")
        estimate = first if start is None else data_consistency(start.to(first.dtype), kspace, mask)
        for stage in range(self.config.cascades):
            estimate = data_consistency(estimate + self.correction(stage, estimate, first, scale), kspace, mask)
        return estimate

    def forward(self, kspace: torch.Tensor, mask: torch.Tensor, start: torch.Tensor | None = None) -> torch.Tensor:
        return magnitude(self.consistent_image(kspace, mask, start))[:, None]
