"""Classical baselines the GANs are measured against, all from OpenCV and Pillow.

Inpainting: Telea's fast marching method (2004) and the Navier-Stokes method (Bertalmio et al. 2001).
Denoising: non-local means (Buades et al. 2005) and a Gaussian blur. Super-resolution: bicubic, Lanczos.
Images are HxWx3 uint8 RGB; masks HxW with non-zero in the hole.
"""
import cv2
import numpy as np
from PIL import Image

INPAINT_RADIUS = 5


def telea(image: np.ndarray, mask: np.ndarray, radius: int = INPAINT_RADIUS) -> np.ndarray:
    return cv2.inpaint(np.ascontiguousarray(image), (np.asarray(mask) > 0).astype(np.uint8), radius, cv2.INPAINT_TELEA)


def navier_stokes(image: np.ndarray, mask: np.ndarray, radius: int = INPAINT_RADIUS) -> np.ndarray:
    return cv2.inpaint(np.ascontiguousarray(image), (np.asarray(mask) > 0).astype(np.uint8), radius, cv2.INPAINT_NS)


INPAINT_METHODS = {"telea": telea, "ns": navier_stokes}


def nl_means_strength(sigma: float) -> float:
    """Filter strength h for fastNlMeansDenoisingColored at noise sigma (0-255 scale).

    Tuned on the training photos (see gan_core.evaluate --tune-nlm): h close to sigma works best.
    """
    return float(np.clip(0.9 * sigma + 1.0, 3.0, 60.0))


def nl_means(image: np.ndarray, sigma: float, h: float | None = None) -> np.ndarray:
    strength = nl_means_strength(sigma) if h is None else h
    return cv2.fastNlMeansDenoisingColored(np.ascontiguousarray(image), None, strength, strength, 7, 21)


def gaussian_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """A blur whose width grows with the noise level: the simplest denoiser."""
    return cv2.GaussianBlur(image, (0, 0), max(0.5, sigma / 25.0))


def upscale(image: np.ndarray, scale: int, method: str = "bicubic") -> np.ndarray:
    filters = {"bicubic": Image.Resampling.BICUBIC, "lanczos": Image.Resampling.LANCZOS}
    height, width = image.shape[:2]
    return np.asarray(Image.fromarray(image).resize((width * scale, height * scale), filters[method]))
