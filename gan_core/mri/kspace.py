"""k-space: the image's centred Fourier transform, undersampling masks, and the same operations in torch.

The convention throughout the project:

    kspace = numpy.fft.fftshift(numpy.fft.fft2(image, norm="ortho")) * mask

with `image` an HxW slice (real, or complex with a scanner's phase) and `mask` a boolean HxW array that selects
whole columns (the phase-encoding direction is horizontal), so the centre of k-space sits at column W // 2.
"""
import numpy as np
import torch

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
