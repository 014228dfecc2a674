"""Compressed-sensing MRI with a GAN: k-space, undersampling masks, the reconstruction network.

An MRI scanner measures k-space, the image's 2-D Fourier transform, one line at a time; measuring fewer
lines makes the scan faster and leaves aliasing in the image. The convention throughout the project:

    kspace = numpy.fft.fftshift(numpy.fft.fft2(image, norm="ortho")) * mask

with `image` a real HxW slice in [0, 1] and `mask` a boolean HxW array that selects whole columns (the
phase-encoding direction is horizontal), so the centre of k-space sits at column W // 2.

The generator follows DAGAN (Yang et al., IEEE TMI 2018): a U-Net reads the zero-filled image (the inverse
FFT of the measured lines, real and imaginary parts) and predicts a correction over it; then data
consistency puts the measured k-space lines back, so the network may only invent what was not measured.
Its last layer starts at zero, so an untrained generator returns exactly the zero-filled image.

Data (mri.slices), the training game (mri.train), the classical peers (mri.classical) live beside this module,
the evaluation in gan_core.eval.mri; `python -m gan_core.training --recipe mri-recon` trains.
"""
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from gan_core.core import registry
from gan_core.core.layers import count_parameters
from gan_core.core.paths import WEIGHTS_DIR
from gan_core.core.registry import register
from gan_core.core.weights import load_state

DEFAULT_WEIGHTS = WEIGHTS_DIR / "mri-recon.safetensors"
ACCELERATIONS = (4, 8)
CENTRE_FRACTION = {4: 0.08, 8: 0.04}  # fully sampled centre band, as a fraction of the columns (fastMRI's choice)


# ----------------------------------------------------------------------------------------------------
# k-space and masks (numpy)


def to_kspace(image: np.ndarray) -> np.ndarray:
    """Centred, orthonormal 2-D Fourier transform of an image: fftshift(fft2(image, norm="ortho"))."""
    return np.fft.fftshift(np.fft.fft2(image, norm="ortho"), axes=(-2, -1))


def from_kspace(kspace: np.ndarray) -> np.ndarray:
    """The inverse of to_kspace: a complex image."""
    return np.fft.ifft2(np.fft.ifftshift(kspace, axes=(-2, -1)), norm="ortho")


def undersample(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The measured k-space of an image: its centred FFT with the unmeasured lines set to zero."""
    return to_kspace(np.asarray(image, np.float64)) * check_mask(mask, np.shape(image))


def zero_filled(kspace: np.ndarray) -> np.ndarray:
    """The classical baseline: the magnitude of the inverse FFT with the missing lines left at zero."""
    return np.abs(from_kspace(kspace)).astype(np.float32)


def check_mask(mask: np.ndarray, shape: tuple) -> np.ndarray:
    """The mask as a boolean array; a ValueError in a plain sentence if it cannot be one."""
    mask = np.asarray(mask)
    if mask.shape != tuple(shape):
        raise ValueError(f"the mask has shape {mask.shape} but the k-space has shape {tuple(shape)}")
    if mask.dtype != bool:
        if not np.isin(mask, (0, 1)).all():
            raise ValueError("the mask must be boolean (or hold only 0 and 1)")
        mask = mask.astype(bool)
    if not mask.any():
        raise ValueError("the mask selects no k-space lines")
    return mask


def column_mask(height: int, width: int, acceleration: float, seed: int | None = None,
                centre_fraction: float | None = None) -> np.ndarray:
    """A random Cartesian mask (boolean HxW, whole columns) keeping about 1/acceleration of the lines.

    The centre band of low frequencies is always measured (it holds the image's contrast); the remaining
    lines are drawn uniformly at random, so the aliasing they leave looks like noise spread along each row
    rather than a coherent ghost (Lustig et al. 2007). The same seed gives the same mask.
    """
    if acceleration < 1:
        raise ValueError(f"the acceleration must be at least 1, not {acceleration}")
    if centre_fraction is None:
        centre_fraction = CENTRE_FRACTION.get(int(acceleration), 0.32 / acceleration)
    lines = max(1, round(width / acceleration))
    centre = min(lines, max(1, round(width * centre_fraction)))
    start = width // 2 - centre // 2
    chosen = np.zeros(width, bool)
    chosen[start:start + centre] = True
    rng = np.random.default_rng(seed)
    others = np.flatnonzero(~chosen)
    chosen[rng.choice(others, size=min(lines - centre, others.size), replace=False)] = True
    return np.broadcast_to(chosen, (height, width)).copy()


# ----------------------------------------------------------------------------------------------------
# The same operations in torch, batched: images (B, H, W) complex, masks (B, H, W) or (H, W) boolean


def to_kspace_t(image: torch.Tensor) -> torch.Tensor:
    return torch.fft.fftshift(torch.fft.fft2(image, norm="ortho"), dim=(-2, -1))


def from_kspace_t(kspace: torch.Tensor) -> torch.Tensor:
    return torch.fft.ifft2(torch.fft.ifftshift(kspace, dim=(-2, -1)), norm="ortho")


def magnitude(image: torch.Tensor) -> torch.Tensor:
    """|image| with a finite gradient at zero (torch's complex abs has none there)."""
    return torch.sqrt(image.real.square() + image.imag.square() + 1e-12)


# ----------------------------------------------------------------------------------------------------
# Generator: U-Net correction + data consistency


@dataclass
class MRIReconConfig:
    channels: int = 32       # width of the first U-Net level; doubled at each level below, capped at 8x
    depth: int = 3           # halvings in the U-Net: sizes are padded to a multiple of fold * 2**depth
    fold: int = 2            # pixel_unshuffle folds fold x fold pixels into channels: the U-Net runs at 1/fold
    scale_quantile: float = 0.995  # inputs are divided by this quantile of |zero-filled| so any units work


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


def generator_card(generator: MRIReconGenerator) -> dict:
    return {"class": type(generator).__name__, "config": asdict(generator.config),
            "parameters": count_parameters(generator)}


def build_generator(path: str, device: str) -> MRIReconGenerator:
    """The generator of a weights file, in eval mode (what registry.load caches)."""
    state, _, card = load_state(path)
    if card.get("generator", {}).get("class") != "MRIReconGenerator":
        raise ValueError(f"{path} does not hold an MRI reconstruction model")
    generator = MRIReconGenerator(MRIReconConfig(**card["generator"]["config"]))
    generator.load_state_dict(state)
    return generator.to(device).eval()


def load_generator(weights: str | Path | None = None) -> MRIReconGenerator:
    """The generator of a weights file (default weights/mri-recon.safetensors), cached, in eval mode."""
    return registry.load(DEFAULT_WEIGHTS if weights is None else weights, build_generator)


def mri_reconstruct(kspace: np.ndarray, mask: np.ndarray, weights: str | Path | MRIReconGenerator | None = None
                    ) -> np.ndarray:
    """Reconstruct an undersampled slice with the GAN: float32 HxW magnitude, in the units of the input.

    kspace: complex HxW, fftshift(fft2(image, norm="ortho")) (unmeasured lines may hold anything: they are
    masked); mask: boolean HxW, True where a line was measured. Any size works (the network pads), and any
    intensity scale (the network normalises by the zero-filled image and scales back), so slices read from
    16-bit DICOM or NIfTI files need no conversion. weights: a path, a loaded generator, or None for the default.
    """
    kspace = np.asarray(kspace)
    if kspace.ndim != 2:
        raise ValueError(f"kspace must be one HxW slice, not an array of shape {kspace.shape}")
    if min(kspace.shape) < 2:
        raise ValueError(f"a {kspace.shape[0]}x{kspace.shape[1]} slice is too small to reconstruct")
    if not np.isfinite(kspace).all():
        raise ValueError("kspace holds NaN or infinite values")
    mask = check_mask(mask, kspace.shape)
    generator = weights if isinstance(weights, MRIReconGenerator) else load_generator(weights)
    with torch.inference_mode():
        result = generator(torch.from_numpy(kspace.astype(np.complex64))[None], torch.from_numpy(mask)[None])
    return result[0, 0].numpy().astype(np.float32)

