"""Compressed-sensing MRI with a GAN: the first reconstruction network, and mri_reconstruct for every model.

An MRI scanner measures k-space, the image's 2-D Fourier transform, one line at a time; measuring fewer
lines makes the scan faster and leaves aliasing in the image. The k-space convention and the masks are in
gan_core.mri.kspace (their names are importable from here too).

The generator follows DAGAN (Yang et al., IEEE TMI 2018): a U-Net reads the zero-filled image (the inverse
FFT of the measured lines, real and imaginary parts) and predicts a correction over it; then data
consistency puts the measured k-space lines back, so the network may only invent what was not measured.
Its last layer starts at zero, so an untrained generator returns exactly the zero-filled image.

The model that generalises to other scanners and contrasts is the unrolled cascade (gan_core.mri.unrolled,
weights/mri-unrolled.safetensors when trained); mri_reconstruct runs either. Data (mri.slices, mri.transfer), the
training game (mri.train), the classical peers (mri.classical) live beside this module, the evaluation in
gan_core.eval.mri; `python -m gan_core.training --recipe mri-recon` trains.
"""
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from gan_core.core import registry
from gan_core.core.layers import UNet, count_parameters
from gan_core.core.paths import WEIGHTS_DIR
from gan_core.core.registry import register
from gan_core.core.weights import load_state
from gan_core.mri.classical import tv_cs
# the k-space names stay importable from here, where the studio, the evaluations and the scripts found them
from gan_core.mri.kspace import (ACCELERATIONS, CENTRE_FRACTION, check_mask, column_mask, from_kspace,  # noqa: F401
                                 from_kspace_t, magnitude, to_kspace, to_kspace_t, undersample, zero_filled)
from gan_core.mri.unrolled import UnrolledRecon

DEFAULT_WEIGHTS = WEIGHTS_DIR / "mri-unrolled.safetensors"   # the model that generalises to other sources
FIRST_WEIGHTS = WEIGHTS_DIR / "mri-recon.safetensors"        # the first model: one U-Net, trained on both brains
GENERATORS = ("MRIReconGenerator", "UnrolledRecon")


# ----------------------------------------------------------------------------------------------------
# Generator: U-Net correction + data consistency


@dataclass
class MRIReconConfig:
    channels: int = 32       # width of the first U-Net level; doubled at each level below, capped at 8x
    depth: int = 3           # halvings in the U-Net: sizes are padded to a multiple of fold * 2**depth
    fold: int = 2            # pixel_unshuffle folds fold x fold pixels into channels: the U-Net runs at 1/fold
    scale_quantile: float = 0.995  # inputs are divided by this quantile of |zero-filled| so any units work


@register(MRIReconConfig)
class MRIReconGenerator(nn.Module):
    """zero-filled image -> U-Net correction -> data consistency -> magnitude.

    forward(kspace (B, H, W) complex, mask (B, H, W) bool) -> magnitude (B, 1, H, W), in the units of the input;
    consistent_image gives the complex image before the magnitude.
    """

    def __init__(self, config: MRIReconConfig = MRIReconConfig()):
        super().__init__()
        self.config = config
        # real and imaginary parts in and out, folded: 2 * fold**2 channels at 1/fold of the resolution,
        # which cuts the cost of every layer by fold**2 (the inpainter's trick; the CPU is the budget)
        folded = 2 * config.fold ** 2
        self.unet = UNet(folded, folded, config.channels, config.depth)

    @property
    def multiple(self) -> int:
        return self.config.fold * 2 ** self.config.depth

    def consistent_image(self, kspace: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        height, width = kspace.shape[-2:]
        kspace = kspace * mask
        image = from_kspace_t(kspace)                                              # (B, H, W) zero-filled, complex
        scale = torch.quantile(magnitude(image).flatten(1), self.config.scale_quantile, dim=1).clamp_min(1e-8)
        scale = scale[:, None, None]
        x = torch.stack([image.real, image.imag], dim=1) / scale[:, None]          # (B, 2, H, W)
        pad_h, pad_w = -height % self.multiple, -width % self.multiple
        x = F.pad(x, (0, pad_w, 0, pad_h))                                         # zeros: MRI background is dark
        folded = F.pixel_unshuffle(x, self.config.fold)                            # (B, 2 f^2, H/f, W/f)
        correction = F.pixel_shuffle(self.unet(folded), self.config.fold)          # (B, 2, H', W')
        correction = correction[..., :height, :width] * scale[:, None]
        estimate = image + torch.complex(correction[:, 0], correction[:, 1])
        # data consistency: the measured lines are facts, only the unmeasured ones come from the network
        consistent = torch.where(mask, kspace, to_kspace_t(estimate))
        return from_kspace_t(consistent)                                           # (B, H, W) complex

    def forward(self, kspace: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return magnitude(self.consistent_image(kspace, mask))[:, None]             # (B, 1, H, W)


# ----------------------------------------------------------------------------------------------------
# Loading and the public function


def generator_card(generator: nn.Module) -> dict:
    return {"class": type(generator).__name__, "config": asdict(generator.config),
            "parameters": count_parameters(generator)}


def build_generator(path: str, device: str) -> nn.Module:
    """The generator of a weights file (either kind), in eval mode (what registry.load caches)."""
    state, _, card = load_state(path)
    if card.get("generator", {}).get("class") not in GENERATORS:
        raise ValueError(f"{path} does not hold an MRI reconstruction model")
    generator = registry.build_from_card(card["generator"])
    generator.load_state_dict(state)
    return generator.to(device).eval()


def load_generator(weights: str | Path | None = None) -> nn.Module:
    """The generator of a weights file (default weights/mri-unrolled.safetensors), cached, in eval mode."""
    return registry.load(DEFAULT_WEIGHTS if weights is None else weights, build_generator)


def mri_reconstruct(kspace: np.ndarray, mask: np.ndarray, weights: str | Path | nn.Module | None = None
                    ) -> np.ndarray:
    """Reconstruct an undersampled slice with the GAN: float32 HxW magnitude, in the units of the input.

    kspace: complex HxW, fftshift(fft2(image, norm="ortho")) (unmeasured lines may hold anything: they are
    masked); mask: boolean HxW, True where a line was measured. Any size works (the network pads), and any
    intensity scale (the network normalises by the zero-filled image and scales back), so slices read from
    16-bit DICOM or NIfTI files need no conversion. weights: a path, a loaded generator, or None for the default.
    """
    return magnitude(consistent_image(kspace, mask, weights)).numpy().astype(np.float32)


def reconstruct_complex(kspace: np.ndarray, mask: np.ndarray, weights: str | Path | nn.Module | None = None
                        ) -> np.ndarray:
    """The complex image behind mri_reconstruct's magnitude (complex64 HxW): its k-space holds the measured lines
    unchanged, which is what the evaluation checks."""
    return consistent_image(kspace, mask, weights).numpy()


def consistent_image(kspace: np.ndarray, mask: np.ndarray, weights) -> torch.Tensor:
    """Check the input, run the model (a cascade that refines TV compressed sensing gets tv_cs's complex image as
    its start) and return its data-consistent complex image, (H, W)."""
    kspace = np.asarray(kspace)
    if kspace.ndim != 2:
        raise ValueError(f"kspace must be one HxW slice, not an array of shape {kspace.shape}")
    if min(kspace.shape) < 2:
        raise ValueError(f"a {kspace.shape[0]}x{kspace.shape[1]} slice is too small to reconstruct")
    if not np.isfinite(kspace).all():
        raise ValueError("kspace holds NaN or infinite values")
    mask = check_mask(mask, kspace.shape)
    generator = weights if isinstance(weights, (MRIReconGenerator, UnrolledRecon)) else load_generator(weights)
    inputs = [torch.from_numpy(kspace.astype(np.complex64))[None], torch.from_numpy(mask)[None]]
    if getattr(generator.config, "start", "") == "tv":
        inputs.append(torch.from_numpy(tv_cs(kspace * mask, mask, complex_result=True).astype(np.complex64))[None])
    with torch.inference_mode():
        return generator.consistent_image(*inputs)[0]
