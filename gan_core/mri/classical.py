"""The classical peers of the learned reconstructions, and the two numbers every method is judged by.

MRI: L1-wavelet compressed sensing (Lustig et al. 2007) through sigpy, and total-variation compressed sensing
by projections onto convex sets (tv_cs), under this project's k-space convention (gan_core.mri.kspace).
CT: SART with a total-variation step (sart_tv), under the sinogram convention of gan_core.mri.ct.
The studio's Medical tab runs them beside the networks; gan_core.eval.mri and gan_core.eval.ct measure them.
PSNR and SSIM are on the [0, 1] scale of a slice, the result clipped to it first; training validates with them.
"""
import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity
from skimage.restoration import denoise_tv_chambolle
from skimage.transform import iradon_sart, radon

from gan_core.mri.ct import check_sinogram, fbp, inscribed_circle
from gan_core.mri.kspace import check_mask, from_kspace, to_kspace


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


# ----------------------------------------------------------------------------------------------------
# Total variation: MRI (tv_cs) and CT (sart_tv)

# Tuned on 6 evenly spaced colin27 training slices (load_slices("train", scans=TRAINING_SOURCES): 2 of ch2 and 1
# of ch2bet at 217x181, 3 of ch2better at 370x301) with gan_core.eval.mri's tuning masks (seed 77 + index),
# `python -m gan_core.eval.mri --tune-tv`; mean PSNR (zero-filled 23.36 at 4x, 19.31 at 8x):
#   4x  weight 0.001 30.96, 0.002 33.30, 0.003 33.50, 0.004 33.28, 0.005 33.08, 0.01 32.12, 0.02 30.78
#   8x  weight 0.002 22.62, 0.003 23.54, 0.005 24.51, 0.008 24.81, 0.01 24.84, 0.015 24.49, 0.02 23.98
# The skull-stripped 0.5 mm slices gain most; a ch2 slice with skull went from 21.96 (zero-filled) to 24.36 at 4x.
TV_WEIGHT = {4: 0.003, 8: 0.01}           # acceleration -> TV weight on the slice scaled to about [0, 1]
TV_ITERATIONS = 60
# Tuned on the same 6 training slices made square (gan_core.mri.ct.square_slice: 180 and 300 px), relaxation 0.5,
# 10 rounds, `python -m gan_core.eval.ct --tune`; mean PSNR (FBP: 60 views 28.97, 30 views 23.25):
#   60 views  weight 0.0025 33.15, 0.005 33.56, 0.01 33.61, 0.02 33.02, 0.03 32.38
#   30 views  weight 0.0025 27.57, 0.005 28.13, 0.01 28.63, 0.02 28.86, 0.03 28.71
SART_TV_WEIGHT = {60: 0.01, 30: 0.02}    # views -> TV weight on the slice scaled to about [0, 1]
SART_ITERATIONS = 10
SART_RELAXATION = 0.5
SCALE_QUANTILE = 0.995                    # the networks' choice: a slice's "white" is this quantile of it


def tuned(table: dict, setting: float) -> float:
    """The value tuned for the setting nearest to `setting` on a log scale (6x takes 4x's, 12x takes 8x's)."""
    return table[min(table, key=lambda key: abs(np.log(key / setting)))]


def tv_cs(kspace: np.ndarray, mask: np.ndarray, weight: float | None = None, iterations: int = TV_ITERATIONS,
          complex_result: bool = False) -> np.ndarray:
    """Total-variation compressed sensing: float32 HxW magnitude, in the units of the input.

    Projections onto convex sets, accelerated: from the zero-filled image, alternate a TV denoising step
    (skimage's denoise_tv_chambolle on the real and imaginary parts) with putting the measured k-space lines
    back, with Nesterov's momentum between rounds (FISTA, Beck and Teboulle 2009). The iteration is proximal
    gradient descent on a convex problem, so the momentum is safe, and it is what makes 60 rounds enough:
    on the tuning slices at 4x plain POCS reached 30.29 dB (weight 0.015) in 60 rounds and 31.24 in 150, the
    accelerated one 33.50 in 60 (about 1 s for 217x181). sigpy's TotalVariationRecon (the same objective
    solved by primal-dual steps, through sigpy_centred) reached 28.79 dB in 300 iterations and 30.99 in 1000
    (lamda 0.01, best of 0.003-0.1; 8 s a slice), so this is the TV peer.

    The weight is relative to the slice's scale (SCALE_QUANTILE of |zero-filled|, as the networks normalise),
    so any intensity units work; None takes TV_WEIGHT for the mask's acceleration. The last step puts the
    measured lines back, so with a fully sampled mask the image itself comes back.
    """
    kspace = np.asarray(kspace)
    if kspace.ndim != 2:
        raise ValueError(f"kspace must be one HxW slice, not an array of shape {kspace.shape}")
    if not np.isfinite(kspace).all():
        raise ValueError("kspace holds NaN or infinite values")
    mask = check_mask(mask, kspace.shape)
    weight = tuned(TV_WEIGHT, mask.size / mask.sum()) if weight is None else float(weight)
    if weight <= 0:
        raise ValueError(f"the TV weight must be positive, not {weight}")
    estimate = from_kspace(kspace * mask)
    scale = float(np.quantile(np.abs(estimate), SCALE_QUANTILE))
    if scale <= 0:
        return estimate.astype(np.complex64) if complex_result else np.abs(estimate).astype(np.float32)
    measured = kspace[mask] / scale
    estimate = estimate / scale
    lookahead, momentum = estimate, 1.0
    for _ in range(iterations):
        smooth = (denoise_tv_chambolle(lookahead.real, weight=weight)
                  + 1j * denoise_tv_chambolle(lookahead.imag, weight=weight))
        spectrum = to_kspace(smooth)
        spectrum[mask] = measured                                    # the measured lines are facts
        consistent = from_kspace(spectrum)
        next_momentum = (1 + np.sqrt(1 + 4 * momentum ** 2)) / 2
        lookahead = consistent + (momentum - 1) / next_momentum * (consistent - estimate)
        estimate, momentum = consistent, next_momentum
    if complex_result:   # the complex image, phase and all (the unrolled network starts from it)
        return (estimate * scale).astype(np.complex64)
    return (np.abs(estimate) * scale).astype(np.float32)


def sart_step(estimate: np.ndarray, sinogram: np.ndarray, angles: np.ndarray, relaxation: float) -> np.ndarray:
    """One SART sweep over all views, correcting `estimate` (zero outside the circle) towards the sinogram.

    The sweep (skimage's iradon_sart) runs on the residual that radon() itself leaves, sinogram - radon(estimate),
    and is added to the estimate. A sweep is linear in its starting image, so this is the sweep that starts
    from the estimate, except that the data are compared through the project's forward model instead of
    iradon_sart's own ray sums. Those differ from radon's enough to matter: from the true slice, one sweep of
    iradon_sart(sinogram, image=truth) fell to 32.3 dB on a colin27 slice with skull, and 10 rounds of SART-TV
    that way lost to FBP on such slices (26.7 against 29.0 dB at 60 views); here the true slice is a fixed point.
    """
    residual = sinogram - radon(estimate, theta=angles, circle=True)
    return estimate + iradon_sart(residual, angles, relaxation=relaxation)


def sart_tv(sinogram: np.ndarray, angles: np.ndarray, weight: float | None = None,
            iterations: int = SART_ITERATIONS, relaxation: float = SART_RELAXATION) -> np.ndarray:
    """Sparse-view CT by SART with a total-variation step: float32 HxH slice, zero outside the inscribed circle.

    From the FBP image (clipped at zero), each round is one SART sweep over all views (sart_step) and then
    non-negativity, TV denoising (denoise_tv_chambolle) and the circle. On the tuning slices (numbers above
    SART_TV_WEIGHT): starting from FBP rather than zero was worth +3.7 dB at 60 views and +2.1 at 30;
    relaxation 0.3 / 0.4 / 0.5 / 0.6 / 0.8 gave 33.16 / 33.39 / 33.56 / 33.67 / 31.07 dB at 60 views
    (0.5 for its better SSIM), and skimage's SART diverged at 1.0; 15 rounds add 0.3-0.5 dB for 1.5x the time.
    10 rounds take about 1.2 s for a 180 px slice at 60 views, 0.6 s at 30. The weight is relative to the
    slice's scale (SCALE_QUANTILE of the FBP image), so any units of attenuation work; None takes
    SART_TV_WEIGHT for the number of views. The slice must be an attenuation (non-negative), not Hounsfield units.
    """
    sinogram, angles = check_sinogram(sinogram, angles)
    if not 0 < relaxation < 1:
        raise ValueError(f"the SART relaxation must be between 0 and 1 (skimage's SART diverges at 1), "
                         f"not {relaxation}")
    weight = tuned(SART_TV_WEIGHT, angles.size) if weight is None else float(weight)
    if weight <= 0:
        raise ValueError(f"the TV weight must be positive, not {weight}")
    circle = inscribed_circle(sinogram.shape[0])
    estimate = np.maximum(fbp(sinogram, angles).astype(np.float64), 0)
    scale = float(np.quantile(estimate, SCALE_QUANTILE))
    if scale <= 0:
        return estimate.astype(np.float32)                    # an empty scan
    for _ in range(iterations):
        estimate = np.maximum(sart_step(estimate, sinogram, angles, relaxation), 0)
        estimate = denoise_tv_chambolle(estimate, weight=weight * scale) * circle
    return estimate.astype(np.float32)
