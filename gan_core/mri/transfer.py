"""Training views for medical reconstruction that teach the physics rather than one brain.

The brain slices of mricron-data are essentially one person's T1 scan. A model trained on them alone learns
that brain's look. Transfer learning (Dar et al. 2020) pretrains on natural images: here the project's training
photos, texture tiles and paintings, read as grey magnitude images, with a smooth random phase like a real
scanner's. Every view, brain or photo, is also varied in what other scans vary in:
    contrast   T2-like inversion of the foreground, gamma 0.5-2 (T1, T2, proton-density looks)
    geometry   size 64-320 px, rotation by any angle, flips and transposes
    noise      complex Gaussian noise in k-space, up to 2% of the image's peak
"""
from functools import lru_cache

import cv2
import numpy as np

from gan_core.photos import data as photo_data

SIZES = (64, 96, 128, 160, 192, 224, 256, 320)
PIXELS_PER_BATCH = 4 * 128 * 128          # a batch of small views holds more of them (cost stays level)


@lru_cache(maxsize=1)
def transfer_images(max_side: int = 384) -> tuple:
    """The training photos, texture tiles and paintings as grey float32 images in [0, 1] (read once)."""
    files = photo_data.manifest_files("train")
    try:
        files += photo_data.manifest_files("train", photo_data.PAINTINGS_MANIFEST)
    except FileNotFoundError:
        pass  # the paintings are extracted by get_data.sh; without them the photos and tiles serve
    images = []
    for path in files:
        rgb = photo_data.load_rgb(path, max_side=max_side)
        images.append(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0)
    return tuple(images)


def batch_shape(rng: np.random.Generator, sizes=SIZES) -> tuple[int, int]:
    """(batch size, side) of one step: any of the sizes, as many views as keep the pixels level."""
    side = int(rng.choice(sizes))
    return max(1, round(PIXELS_PER_BATCH / side ** 2)), side


def random_view(image: np.ndarray, side: int, rng: np.random.Generator, foreground: float = 0.0) -> np.ndarray:
    """A side x side window of the image at a random scale and angle, flipped and transposed at random.

    foreground: the share of pixels above 0.1 the window should have (tried five times), so brain windows are
    not all background.
    """
    height, width = image.shape
    for _ in range(5):
        zoom = rng.uniform(0.6, 1.6) * side / min(height, width) if rng.random() < 0.5 else rng.uniform(0.7, 1.4)
        angle = rng.uniform(-180, 180) if rng.random() < 0.5 else 0.0
        centre = (rng.uniform(0.3, 0.7) * width, rng.uniform(0.3, 0.7) * height)
        matrix = cv2.getRotationMatrix2D(centre, angle, zoom)
        matrix[:, 2] += (side / 2 - centre[0], side / 2 - centre[1])       # the centre lands mid-window
        view = cv2.warpAffine(image, matrix, (side, side), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        if foreground <= 0 or (view > 0.1).mean() >= foreground:
            break
    if rng.random() < 0.5:
        view = view[:, ::-1]
    if rng.random() < 0.5:
        view = view.T
    return np.ascontiguousarray(np.clip(view, 0, 1))


def vary_contrast(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A T2-like inversion inside the foreground (a third of the time) and a gamma of 0.5-2."""
    if rng.random() < 1 / 3:
        inside = image > 0.05
        image = np.where(inside, 1.05 - image, 0.0).astype(np.float32)
    image = image ** np.float32(np.exp(rng.uniform(np.log(0.5), np.log(2.0))))
    top = max(float(image.max()), 1e-6)
    return (image / top * rng.uniform(0.7, 1.0)).astype(np.float32)


def smooth_phase(side: int, rng: np.random.Generator, strength: float = np.pi) -> np.ndarray:
    """exp(i phi) with phi a random smooth field (low-order 2-D polynomial and a wide bump), as scanners give."""
    y, x = np.mgrid[-1:1:side * 1j, -1:1:side * 1j]
    coefficients = rng.normal(0, 1, 6)
    phi = (coefficients[0] + coefficients[1] * x + coefficients[2] * y + coefficients[3] * x * y
           + coefficients[4] * x ** 2 + coefficients[5] * y ** 2)
    phi = strength * phi / max(np.abs(phi).max(), 1e-6) * rng.uniform(0, 1)
    return np.exp(1j * phi).astype(np.complex64)


def mixed_view(slices: list, side: int, share: float, rng: np.random.Generator) -> np.ndarray:
    """One training view: a transfer image (with probability `share`) or a window of a brain slice, its contrast
    varied. The MRI and CT games both draw their views here."""
    if rng.random() < share:
        pool = transfer_images()
        image = random_view(pool[rng.integers(len(pool))], side, rng)
    else:
        image = random_view(slices[rng.integers(len(slices))].image, side, rng, foreground=0.2)
    return vary_contrast(image, rng)


def complex_view(image: np.ndarray, rng: np.random.Generator, phase_share: float = 0.5) -> np.ndarray:
    """The image as a complex slice: real (as the project's k-space convention has it) or with a smooth phase."""
    if rng.random() < phase_share:
        return image * smooth_phase(image.shape[0], rng)
    return image.astype(np.complex64)


def kspace_noise(kspace: np.ndarray, rng: np.random.Generator, level: float) -> np.ndarray:
    """Complex Gaussian noise; level is its standard deviation per image pixel as a share of the image's peak."""
    sigma = level / np.sqrt(2)
    return kspace + (rng.normal(0, sigma, kspace.shape) + 1j * rng.normal(0, sigma, kspace.shape)).astype(np.complex64)
