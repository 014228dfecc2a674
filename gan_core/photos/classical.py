"""Classical baselines the GANs are measured against: OpenCV and Pillow, and the strongest published peers.

Inpainting: Telea's fast marching method (2004), the Navier-Stokes method (Bertalmio et al. 2001), frequency-selective
reconstruction (FSR, OpenCV contrib) and PatchMatch (Barnes et al. 2009).
Denoising: non-local means (Buades et al. 2005), a Gaussian blur and BM3D (Dabov et al. 2007).
Super-resolution: bicubic, Lanczos and Real-ESRGAN (Wang et al. 2021), its x4plus model and a small one.
BM3D and Real-ESRGAN live in gan_core.photos.peers: they need packages of their own (`available` says whether
they are installed) and take seconds where the filters take milliseconds.
Images are HxWx3 uint8 RGB; masks HxW with non-zero in the hole.
"""
from importlib.util import find_spec

import cv2
import numpy as np
from PIL import Image

from gan_core.core import tasks
from gan_core.photos import peers

INPAINT_RADIUS = 5


def telea(image: np.ndarray, mask: np.ndarray, radius: int = INPAINT_RADIUS) -> np.ndarray:
    return cv2.inpaint(np.ascontiguousarray(image), (np.asarray(mask) > 0).astype(np.uint8), radius, cv2.INPAINT_TELEA)


def navier_stokes(image: np.ndarray, mask: np.ndarray, radius: int = INPAINT_RADIUS) -> np.ndarray:
    return cv2.inpaint(np.ascontiguousarray(image), (np.asarray(mask) > 0).astype(np.uint8), radius, cv2.INPAINT_NS)


def around_hole(fill, image: np.ndarray, mask: np.ndarray, margin: int = 96) -> np.ndarray:
    """Run a slow fill on the hole's bounding box plus `margin` pixels of context, and paste back only the hole.

    FSR and PatchMatch take seconds per half megapixel and touch pixels outside the hole (FSR's blocks,
    PatchMatch's seam blending): the crop keeps them to the hole's neighbourhood, the paste keeps every
    known pixel bit-exact.
    """
    hole = np.asarray(mask) > 0
    if not hole.any():
        return np.array(image, copy=True)
    rows, cols = np.nonzero(hole.any(axis=1))[0], np.nonzero(hole.any(axis=0))[0]
    top, bottom = max(rows[0] - margin, 0), min(rows[-1] + 1 + margin, hole.shape[0])
    left, right = max(cols[0] - margin, 0), min(cols[-1] + 1 + margin, hole.shape[1])
    filled = fill(np.ascontiguousarray(image[top:bottom, left:right]), hole[top:bottom, left:right])
    result = np.array(image, copy=True)
    inside = hole[top:bottom, left:right]
    result[top:bottom, left:right][inside] = filled[inside]
    return result


def fsr_crop(image: np.ndarray, hole: np.ndarray) -> np.ndarray:
    known = (~hole * 255).astype(np.uint8)  # xphoto's mask is inverted: non-zero marks the known pixels
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    result = np.zeros_like(bgr)
    cv2.xphoto.inpaint(bgr, known, result, cv2.xphoto.INPAINT_FSR_FAST)
    return cv2.cvtColor(result, cv2.COLOR_BGR2RGB)


def fsr(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Frequency-selective reconstruction (Genser et al. 2018, OpenCV contrib's xphoto, fast variant).

    Each block is modelled as a sum of Fourier basis functions fitted to its known pixels: the best SSIM of
    the classical fills on unseen photos, and seconds rather than milliseconds.
    """
    return around_hole(fsr_crop, image, mask)


def patchmatch_crop(image: np.ndarray, hole: np.ndarray) -> np.ndarray:
    from patchmatch_cython import inpaint_pyramid  # here: a compiled dependency only this method needs
    return inpaint_pyramid(image, hole.astype(np.uint8), patch_size=7, seed=0)


def patchmatch(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """PatchMatch (Barnes et al. 2009), the method behind content-aware fill: copies 7x7 patches from around
    the hole, coarse to fine. The most detail of the classical fills, often the wrong content."""
    if min(np.asarray(image).shape[:2]) < tasks.PATCHMATCH.min_side:  # its coarsest level must hold a 7x7 patch
        raise ValueError(f"PatchMatch needs a photo of at least {tasks.PATCHMATCH.min_side} px on each side")
    return around_hole(patchmatch_crop, image, mask, margin=160)


INPAINT_METHODS = {"telea": telea, "ns": navier_stokes, "fsr": fsr, "patchmatch": patchmatch}   # by their names in gan_core.core.tasks


# Best strengths per noise sigma (0-255 scale), by mean PSNR on crops of the TRAINING photos:
#     python -m gan_core.eval.restore --task denoise --tune
# sigma: (fastNlMeans luminance strength h, its colour strength, Gaussian blur width in pixels).
# Between sigmas: linear interpolation.
TUNED_DENOISE = {5: (2.5, 2.0, 0.5), 10: (6.0, 5.0, 0.7), 15: (9.0, 9.0, 1.1), 25: (17.5, 17.5, 1.4),
                 35: (24.5, 21.0, 1.7), 50: (30.0, 30.0, 2.0)}
# Measured (12 crops of 256 px, mean PSNR in dB): NLM 37.03 / 32.58 / 30.24 / 27.77 / 26.37 / 24.53 and blur
# 36.43 / 33.08 / 31.31 / 29.17 / 27.63 / 25.77 at sigma 5 / 10 / 15 / 25 / 35 / 50. These downscaled photos
# have many smooth areas (sky, bokeh), where a plain blur does well.


def tuned(sigma: float, column: int) -> float:
    sigmas = sorted(TUNED_DENOISE)
    return float(np.interp(sigma, sigmas, [TUNED_DENOISE[s][column] for s in sigmas]))


def nl_means_strength(sigma: float) -> float:
    """Filter strength h for fastNlMeansDenoisingColored at noise sigma, from the tuned table."""
    return tuned(sigma, 0)


def nl_means(image: np.ndarray, sigma: float, h: float | None = None, h_colour: float | None = None) -> np.ndarray:
    """OpenCV's non-local means for colour images (7x7 patches, 21x21 search window), tuned strengths by default."""
    strength = nl_means_strength(sigma) if h is None else h
    colour = (tuned(sigma, 1) if h is None else strength) if h_colour is None else h_colour
    return cv2.fastNlMeansDenoisingColored(np.ascontiguousarray(image), None, strength, colour, 7, 21)


def gaussian_blur(image: np.ndarray, sigma: float, width: float | None = None) -> np.ndarray:
    """The simplest denoiser: a blur whose width (in pixels) grows with the noise sigma, from the tuned table."""
    return cv2.GaussianBlur(image, (0, 0), tuned(sigma, 2) if width is None else width)


DENOISE_METHODS = {"nlmeans": nl_means, "blur": gaussian_blur}   # each takes (image, noise sigma)


def upscale(image: np.ndarray, scale: int, method: str = "bicubic") -> np.ndarray:
    filters = {"bicubic": Image.Resampling.BICUBIC, "lanczos": Image.Resampling.LANCZOS}
    height, width = image.shape[:2]
    return np.asarray(Image.fromarray(image).resize((width * scale, height * scale), filters[method]))


def available(method: str) -> bool:
    """Whether the classical method called `method` (a name in gan_core.core.tasks) can run here: the OpenCV and
    Pillow ones always can; PatchMatch, BM3D and Real-ESRGAN need packages of their own."""
    if method in peers.PEERS:
        return peers.available(method)
    if method == "patchmatch":
        return find_spec("patchmatch_cython") is not None
    if method in (*INPAINT_METHODS, *DENOISE_METHODS, "bicubic", "lanczos"):
        return True
    raise ValueError(f"unknown classical method {method!r}")


def restore(image: np.ndarray, method: str, scale: int = 1, sigma: float | None = 25, progress=None) -> np.ndarray:
    """The classical restoration named `method` in gan_core.core.tasks: "nlmeans", "blur" or "bm3d" for noise of
    the given sigma (BM3D estimates it when None), "bicubic", "lanczos", "realesrgan" (x4plus) or
    "realesrgan-small" to enlarge `scale` times. progress: called with the fraction done (Real-ESRGAN's tiles)."""
    if method == "nlmeans":
        return nl_means(image, sigma)
    if method == "blur":
        return gaussian_blur(image, sigma)
    if method == "bm3d":
        return peers.bm3d(image, sigma)
    if method in ("bicubic", "lanczos"):
        return upscale(image, scale, method)
    if method in ("realesrgan", "realesrgan-small"):
        return peers.realesrgan(image, scale, "x4plus" if method == "realesrgan" else "small", progress)
    raise ValueError(f"unknown classical restoration {method!r}; choose nlmeans, blur, bm3d, bicubic, lanczos, "
                     "realesrgan or realesrgan-small")
