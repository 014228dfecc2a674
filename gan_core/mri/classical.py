"""The classical peers of the MRI GAN, and the two numbers every method is judged by.

L1-wavelet compressed sensing (Lustig et al. 2007) through sigpy, under this project's k-space convention
(gan_core.mri.recon): the studio's Medical tab runs it beside the GAN, gan_core.eval.mri tunes and measures it.
PSNR and SSIM are on the [0, 1] scale of a slice, the result clipped to it first; training validates with them.
"""
import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity


def psnr01(original: np.ndarray, result: np.ndarray) -> float:
    """PSNR in dB of a reconstruction of a [0, 1] slice (the result is clipped to [0, 1] first)."""
    return float(peak_signal_noise_ratio(original, np.clip(result, 0, 1).astype(original.dtype), data_range=1.0))


def ssim01(original: np.ndarray, result: np.ndarray) -> float:
    return float(structural_similarity(original, np.clip(result, 0, 1).astype(original.dtype), data_range=1.0))


def sigpy_centred(kspace: np.ndarray) -> np.ndarray:
    """Our k-space rewritten in sigpy's convention, so that sigpy's image is our image, unshifted.

    sigpy's centred FFT is fftshift(fft2(ifftshift(x))): it shifts the image domain too. ifftshift is a
    circular shift by N // 2 along each axis, which in k-space is a linear phase exp(2 pi i k (N // 2) / N)
    (exact for odd sizes too). Without it sigpy would solve for fftshift(image), the head cut into four
    corners, and its wavelets would see seams that are not in the slice.
    """
    phase = np.ones(kspace.shape, np.complex128)
    for axis, size in enumerate(kspace.shape):
        k = np.arange(size) - size // 2                                    # frequency of each centred index
        shape = [1] * kspace.ndim
        shape[axis] = size
        phase = phase * np.exp(2j * np.pi * k * (size // 2) / size).reshape(shape)
    return kspace * phase


def l1_wavelet(kspace: np.ndarray, mask: np.ndarray, lamda: float, iterations: int = 100) -> np.ndarray:
    """Compressed sensing: argmin_x 1/2 |M F x - y|^2 + lamda |W x|_1 with sigpy; float32 HxW magnitude."""
    import sigpy.mri.app  # here: importing sigpy compiles numba code (seconds)

    measured = (sigpy_centred(np.asarray(kspace)) * mask)[None].astype(np.complex64)   # (1 coil, H, W)
    coil = np.ones_like(measured)
    solution = sigpy.mri.app.L1WaveletRecon(measured, coil, lamda, weights=mask.astype(np.float32),
                                             max_iter=iterations, show_pbar=False).run()
    return np.abs(solution).astype(np.float32)
