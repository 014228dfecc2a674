"""Denoise a photo or enlarge it 2x / 4x, with the GAN or a classical method: gan_core.restore.

    clean = restore(photo, "denoise")                        # the GAN; or method="nlmeans" / "blur"
    bigger = restore(photo, "sr4", method="lanczos")         # or "gan" / "bicubic"
    bigger = restore(photo, "sr4", setting="real")           # the model for phone, scanner and web photos

The GAN runs in overlapping tiles whose seams are cross-faded, so memory stays bounded on large photos.
Every method sees the photo's 8-bit colour and gives its result back in the photo's own mode and depth
(gan_core.core.image_modes); transparency is kept, and enlarged with the photo.
"""
from pathlib import Path

import cv2
import numpy as np
import torch

from gan_core.core import image_modes, images, metrics, tasks
from gan_core.core.device import autocast, load
from gan_core.photos import classical
from gan_core.restoration.model import RestorationGenerator  # noqa: F401  registers the class the cards name


# The two settings a GAN is trained for, and what each is for (the studio shows these lines)
SETTINGS = {
    "clean": "for clean photos: trained on plain bicubic downscaling and Gaussian noise, the benchmark settings",
    "real": "for photos from phones, scanners and the web: trained on blurred, noisy, JPEG-compressed photos",
}


def weights_for(task: str, setting: str = "clean") -> str:
    """The shipped weights of a task in a setting: weights/denoise, sr2, sr4 (clean) or their -real versions."""
    if setting not in SETTINGS:
        raise ValueError(f"unknown setting {setting!r}; choose one of: {', '.join(SETTINGS)}")
    default = check_task(task).default_weights
    return default if setting == "clean" else f"{default}-real"


def tile_weights(height: int, width: int, ramp: int) -> np.ndarray:
    """A window that is 1 inside and falls linearly to near 0 over `ramp` pixels at the borders."""
    def profile(n):
        edge = np.minimum(np.arange(n) + 1, np.arange(n)[::-1] + 1).astype(np.float32)
        return np.clip(edge / max(ramp, 1), 1e-3, 1.0)
    return np.outer(profile(height), profile(width))


def check_task(task: str) -> tasks.Task:
    if task not in tasks.RESTORE_TASKS:
        raise ValueError(f"unknown restoration task {task!r}; choose one of {tasks.RESTORE_TASKS}")
    return tasks.get(task)


def gan_restore(photo: np.ndarray, task: str = "denoise", weights: str | Path | None = None, tile: int = 512,
                tile_pad: int = 32, precision: str = "auto", device: torch.device | None = None,
                progress=None) -> np.ndarray:
    """Run a restoration GAN over an 8-bit photo (HxWx3 uint8) in overlapping tiles; returns HxWx3 uint8
    (`scale` times larger for sr2 / sr4).

    Each tile is processed with `tile_pad` pixels of extra context on every side; neighbouring outputs
    overlap by 2 * tile_pad and are cross-faded with linear ramps, so no seam shows. progress: called with
    the fraction of tiles done.
    """
    check_task(task)
    if tile <= 2 * tile_pad:
        raise ValueError("tile must be larger than twice tile_pad")
    generator, _, _ = load(weights, task, device)
    device = next(generator.parameters()).device
    scale = generator.config.scale
    height, width = photo.shape[:2]
    out = np.zeros((height * scale, width * scale, 3), np.float32)
    total = np.zeros((height * scale, width * scale, 1), np.float32)
    step = tile - 2 * tile_pad
    tops = list(range(0, max(height - tile, 0) + 1, step)) or [0]
    lefts = list(range(0, max(width - tile, 0) + 1, step)) or [0]
    if tops[-1] + tile < height:
        tops.append(height - tile)
    if lefts[-1] + tile < width:
        lefts.append(width - tile)
    boxes = [(t, l) for t in tops for l in lefts]
    for index, (top, left) in enumerate(boxes):
        patch = photo[top:top + tile, left:left + tile]
        with torch.inference_mode(), autocast(device, precision):
            restored = generator(images.to_tensor(patch).permute(2, 0, 1)[None].to(device)).float()  # (1, 3, h, w)
        restored = images.to_uint8(restored[0].permute(1, 2, 0)).astype(np.float32)
        # the ramps cross-fade overlapping tiles; dividing by the summed weights below makes borders exact
        weight = tile_weights(*restored.shape[:2], ramp=2 * tile_pad * scale)[..., None]
        y, x = top * scale, left * scale
        out[y:y + restored.shape[0], x:x + restored.shape[1]] += restored * weight
        total[y:y + restored.shape[0], x:x + restored.shape[1]] += weight
        if progress is not None:
            progress((index + 1) / len(boxes))
    out /= total  # in place: for a 4x result of a large photo these arrays are the main memory cost
    out += 0.5
    return np.clip(out, 0, 255, out=out).astype(np.uint8)


def classical_restore(photo: np.ndarray, task: str, method: str, sigma: float | None = None,
                      progress=None) -> np.ndarray:
    """A classical restoration or a published peer of an 8-bit photo (gan_core.photos.classical): a denoiser set
    for noise of `sigma` (on 0-255; None: estimated from the photo), or an upscaler. progress: called with the
    fraction done, by the peers that work in tiles."""
    if task == "denoise" and sigma is None:
        sigma = metrics.noise_sigma(photo)
    return classical.restore(photo, method, tasks.get(task).scale, sigma or 0, progress=progress)


def enlarge_plane(plane: np.ndarray, scale: int, peak: float) -> np.ndarray:
    """One channel (an alpha plane) enlarged by a classical bicubic upscaler, in its own dtype."""
    big = cv2.resize(plane.astype(np.float32), None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    big = np.clip(big, 0, peak)  # bicubic overshoots at edges
    if plane.dtype == bool:
        return big >= 0.5
    return big.astype(plane.dtype) if plane.dtype.kind == "f" else big.round().astype(plane.dtype)


def restore(image, task: str = "denoise", weights: str | Path | None = None, method: str = "gan",
            sigma: float | None = None, setting: str = "clean", **options):
    """Denoise ("denoise") or enlarge 2x / 4x ("sr2" / "sr4") a photo with the restoration GANs, or with a
    classical method or a published peer (method="nlmeans", "blur" or "bm3d" for noise of `sigma`, estimated
    when None; "bicubic", "lanczos", "realesrgan" or "realesrgan-small" to enlarge). `setting` picks the GAN's
    weights when none are named (SETTINGS: "clean" or "real"). options go to the GAN (gan_restore: tile,
    tile_pad, precision, device, progress); progress also goes to the peers that work in tiles.

    Returns the photo in its own mode, like `inpaint` (a PIL image, or an array of the input's dtype; "P"
    comes back as RGB or RGBA). The GAN works on the 8-bit colour; for a 16-bit or float photo its result is
    scaled back to full scale (16-bit values then move in steps of 257: the model has no finer levels).
    Transparency is kept: unchanged for denoising, enlarged by a bicubic upscaler for "sr2" / "sr4" (the
    colour under fully transparent pixels is first replaced by the nearest visible colour, so it cannot
    bleed into visible edges).
    """
    chosen = check_task(task).method(method)   # a ValueError that lists the task's methods
    weights = weights or weights_for(task, setting)
    planes = image_modes.split(image)
    colour = planes.colour
    if planes.alpha is not None:
        colour = image_modes.bleed_under_transparency(colour, planes.alpha)
    if chosen == tasks.GAN:
        restored = gan_restore(colour, task, weights, **options)  # HxWx3 uint8, `scale` times larger
    else:
        restored = classical_restore(colour, task, chosen.name, sigma, options.get("progress"))
    scale = restored.shape[0] // colour.shape[0]
    values = image_modes.colour_to_own(planes, restored)
    if planes.alpha is not None:
        alpha = planes.values[..., -1]
        if scale > 1:
            alpha = enlarge_plane(alpha, scale, planes.peak)
        values = np.concatenate([values, alpha[..., None]], axis=2)
    return image_modes.join(planes, values)
