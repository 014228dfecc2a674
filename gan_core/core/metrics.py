"""Image quality numbers, from scikit-image where it has them.

PSNR and L1 over the hole tell how close a fill is to the truth; SSIM over the whole image tells whether
structure survived; the detail ratio tells a sharp fill from a smooth smear, which PSNR alone rewards:
mean Sobel gradient magnitude of the result's grey image inside the hole (eroded by 2 px to leave the seam
out) over the same for the original. 1.0 = as much fine detail as the photo had; classical fills ~0.4.
grain and speckle tell texture from noise: the fine energy a fill adds where the photo is calm, and its fine
colour energy over the photo's. noise_sigma estimates how noisy a photo is without a clean original, to set a classical denoiser's strength.
"""
import cv2
import numpy as np
from skimage.color import rgb2gray
from skimage.filters import sobel
from skimage.metrics import peak_signal_noise_ratio, structural_similarity


def psnr(original: np.ndarray, result: np.ndarray, mask: np.ndarray | None = None) -> float:
    """PSNR in dB over all pixels, or over the hole's pixels when a mask is given (8-bit images)."""
    if mask is None:
        return float(peak_signal_noise_ratio(original, result, data_range=255))
    inside = np.asarray(mask) > 0
    if not inside.any():
        raise ValueError("PSNR over an empty mask is undefined")
    return float(peak_signal_noise_ratio(original[inside], result[inside], data_range=255))


def ssim(original: np.ndarray, result: np.ndarray) -> float:
    """Structural similarity over the whole image (colour channels averaged)."""
    side = min(original.shape[:2])
    window = min(7, side if side % 2 else side - 1)
    if window < 3:
        raise ValueError("images smaller than 3x3 have no SSIM")
    return float(structural_similarity(original, result, channel_axis=2, data_range=255, win_size=window))


def ssim_around(original: np.ndarray, result: np.ndarray, mask: np.ndarray, pad: int = 8) -> float:
    """SSIM over the hole's bounding box grown by `pad` pixels: the whole-image SSIM mostly sees untouched pixels."""
    rows, cols = np.nonzero(np.asarray(mask) > 0)
    if not len(rows):
        raise ValueError("SSIM around an empty mask is undefined")
    top, left = max(rows.min() - pad, 0), max(cols.min() - pad, 0)
    bottom, right = rows.max() + 1 + pad, cols.max() + 1 + pad
    return ssim(original[top:bottom, left:right], result[top:bottom, left:right])


def l1_masked(original: np.ndarray, result: np.ndarray, mask: np.ndarray) -> float:
    """Mean absolute error over the hole, on the 0-1 scale."""
    inside = np.asarray(mask) > 0
    return float(np.abs(original[inside].astype(np.float64) - result[inside]).mean() / 255.0)


def hole_interior(mask: np.ndarray, erode: int = 2) -> np.ndarray:
    """The hole without its outer `erode` pixels (boolean): where a fill's own texture is judged, not its seam."""
    inner = (np.asarray(mask) > 0).astype(np.uint8)
    if erode > 0:
        inner = cv2.erode(inner, np.ones((2 * erode + 1, 2 * erode + 1), np.uint8))
    return inner > 0


def detail_ratio(original: np.ndarray, result: np.ndarray, mask: np.ndarray, erode: int = 2) -> float:
    """Mean Sobel gradient of the result inside the eroded hole over that of the original (1.0 = as sharp)."""
    inside = hole_interior(mask, erode)
    if not inside.any():
        return float("nan")
    reference = sobel(rgb2gray(original))[inside].mean()
    return float(sobel(rgb2gray(result))[inside].mean() / max(reference, 1e-8))


def fine_energy(image: np.ndarray, sigma: float, channels=(0, 1, 2)) -> np.ndarray:
    """Per pixel, the sum over the chosen Y, Cr, Cb channels of |channel - its Gaussian blur|, in 8-bit levels."""
    ycrcb = cv2.cvtColor(np.ascontiguousarray(image, dtype=np.uint8), cv2.COLOR_RGB2YCrCb).astype(np.float32)
    energy = np.zeros(image.shape[:2], np.float32)
    for channel in channels:
        plane = ycrcb[..., channel]
        energy += np.abs(plane - cv2.GaussianBlur(plane, (0, 0), sigma))
    return energy


def grain(original: np.ndarray, result: np.ndarray, mask: np.ndarray, erode: int = 2) -> float:
    """Fine energy a fill adds where the photo is calm, in 8-bit levels (faithful ~0, classical smears ~0.5).

    Detail belongs where the photo has texture; dots and mottling on a wall, the sky or skin are what a
    person sees first. Over the eroded hole, the calmer half of the pixels (the photo's fine Y+Cr+Cb energy,
    blurred with sigma 3, below its median there) is where we look: the mean of the fill's fine energy
    beyond the photo's own, never below 0.
    """
    inside = hole_interior(mask, erode)
    if not inside.any():
        return float("nan")
    photo_energy = fine_energy(original, 1.5)
    fill_energy = fine_energy(result, 1.5)
    calmness = cv2.GaussianBlur(photo_energy, (0, 0), 3)[inside]
    calm = calmness <= np.median(calmness)
    excess = np.maximum(0, fill_energy[inside] - photo_energy[inside])
    return float(excess[calm].mean())


def speckle(original: np.ndarray, result: np.ndarray, mask: np.ndarray, erode: int = 2) -> float:
    """Fine colour energy (|Cr, Cb - their blur, sigma 1|) inside the eroded hole, the fill's over the photo's.

    1.0 = as much colour detail as the photo had; a fill of coloured dots scores well above it."""
    inside = hole_interior(mask, erode)
    if not inside.any():
        return float("nan")
    reference = fine_energy(original, 1.0, channels=(1, 2))[inside].mean()
    return float(fine_energy(result, 1.0, channels=(1, 2))[inside].mean() / max(reference, 1e-6))


# Immerkaer's kernel: the difference of two Laplacians, which cancels smooth image structure (up to
# second order) and keeps noise; for Gaussian noise of std sigma, E|response| = 6 * sigma * sqrt(2 / pi).
NOISE_KERNEL = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)


def noise_sigma(image: np.ndarray) -> float:
    """Standard deviation of the Gaussian noise in an 8-bit image (0-255 scale), estimated from the image alone.

    Immerkaer, "Fast Noise Variance Estimation" (1996), averaged over the colour channels. Fine texture
    counts as a little noise (a clean photo gives about 1), and clipping at 0 and 255 makes heavy noise read
    low (sigma 50 reads about 42). Images under 3x3 px give 0.
    """
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[..., None]
    if min(image.shape[:2]) < 3:
        return 0.0
    sigmas = []
    for channel in range(image.shape[2]):
        response = cv2.filter2D(image[..., channel].astype(np.float32), -1, NOISE_KERNEL)[1:-1, 1:-1]
        sigmas.append(np.sqrt(np.pi / 2) * np.abs(response).mean() / 6)
    return float(np.mean(sigmas))


def compare(original: np.ndarray, result: np.ndarray, mask: np.ndarray | None = None) -> dict:
    """All numbers for one result against the original: masked ones only when a mask is given."""
    numbers = {"psnr": psnr(original, result), "ssim": ssim(original, result)}
    if mask is not None:
        numbers.update(psnr_masked=psnr(original, result, mask), l1_masked=l1_masked(original, result, mask),
                       detail=detail_ratio(original, result, mask), grain=grain(original, result, mask),
                       speckle=speckle(original, result, mask))
    return numbers
