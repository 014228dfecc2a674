"""Using the trained models on real photos of any size: gan_core.inpaint and gan_core.restore.

Inpainting follows the deployment recipe of MI-GAN and IOPaint's "crop" strategy: work on a crop around
the mask with enough context, shrink it to the model's working size only when it is larger, fill, scale the
fill back, and paste back only the masked pixels, so every unmasked pixel returns bit-exact. Restoration runs
in overlapping tiles whose seams are cross-faded, so memory stays bounded on large photos.
"""
import functools
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from gan_core.core import image_modes
from gan_core.inpainting import masks as masks_lib
from gan_core.core import tasks
from gan_core.photos.data import to_rgb
from gan_core.core.weights import WEIGHTS_DIR, list_weights, named_weights
from gan_core.core.registry import load_models
from gan_core.inpainting.model import InpaintGenerator  # noqa: F401  registers the class the cards name
from gan_core.restoration.model import RestorationGenerator  # noqa: F401  (the same)

MIN_WORKING_SIDE = 64  # smaller crops are padded: the discriminator's strided convolutions need ~24 px


# ----------------------------------------------------------------------------------------------------
# Inputs


def as_rgb_array(image) -> np.ndarray:
    """A PIL image or an array (HxW, HxWx1/3/4; uint8, uint16 or float in [0, 1]) -> HxWx3 uint8."""
    if isinstance(image, Image.Image):
        return np.asarray(to_rgb(image), dtype=np.uint8)
    array = np.asarray(image)
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (1, 3, 4)):
        raise ValueError(f"image must be HxW or HxWx1/3/4, not shape {array.shape}")
    if array.size == 0:
        raise ValueError("image is empty")
    if array.dtype == np.uint16:
        array = (array.astype(np.float64) / 257.0).round().astype(np.uint8)
    elif array.dtype.kind == "f":
        array = (np.clip(array, 0, 1) * 255.0).round().astype(np.uint8)
    elif array.dtype == bool:
        array = array.astype(np.uint8) * 255
    elif array.dtype != np.uint8:
        array = np.clip(array, 0, 255).astype(np.uint8)
    if array.ndim == 2:
        array = np.repeat(array[..., None], 3, axis=2)
    elif array.shape[2] == 1:
        array = np.repeat(array, 3, axis=2)
    elif array.shape[2] == 4:  # composite over white, as a viewer shows it
        alpha = array[..., 3:].astype(np.float32) / 255.0
        array = (array[..., :3] * alpha + 255.0 * (1 - alpha)).round().astype(np.uint8)
    return np.ascontiguousarray(array)


def as_mask_array(mask, shape: tuple[int, int], grow: int = 0) -> np.ndarray:
    """A PIL image or array, non-zero = fill -> HxW float {0, 1}, checked against the image size."""
    if isinstance(mask, Image.Image):
        mask = np.asarray(mask.convert("RGBA" if mask.mode in ("RGBA", "LA", "PA") else "L"))
        if mask.ndim == 3:  # a transparent drawing layer: painted where alpha > 0
            mask = mask[..., 3]
    mask = np.asarray(mask)
    if mask.ndim == 3:
        mask = mask.max(axis=2)
    if mask.shape != tuple(shape):
        raise ValueError(f"mask is {mask.shape[1]}x{mask.shape[0]} but the image is {shape[1]}x{shape[0]}; "
                         "they must be the same size")
    return masks_lib.clean_user_mask(mask, grow)


# ----------------------------------------------------------------------------------------------------
# Models, loaded once


def pick_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@functools.lru_cache(maxsize=1)
def cpu_has_bf16() -> bool:
    """True where bfloat16 runs natively (AVX512-BF16 or AMX); elsewhere bf16 is many times slower.

    Torch must also be using its AVX512 kernels: ATEN_CPU_CAPABILITY=avx2 (how the benchmark plays an AVX2
    laptop on a newer CPU) turns them off, and bfloat16 with them."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    avx512_kernels = torch.backends.cpu.get_cpu_capability().startswith("AVX512")
    return avx512_kernels and ("avx512_bf16" in flags or "amx_bf16" in flags)


def resolve_weights(weights: str | Path | None, task: str, folder: str | Path = WEIGHTS_DIR) -> Path:
    """A path, a name in `folder` (without .safetensors), or None for the default model of the task there."""
    folder = Path(folder)
    if weights is not None:
        return named_weights(weights, folder)
    default = folder / f"{tasks.get(task).default_weights}.safetensors"
    if default.exists():
        return default
    candidates = list_weights(task, folder)
    if not candidates:
        raise FileNotFoundError(f"no {task} weights in {folder}; train and export one with "
                                f"`python -m gan_core.training --task {task} ... --export NAME`")
    return candidates[0]


_load_lock = threading.Lock()  # concurrent first requests must not each load the model


@functools.lru_cache(maxsize=8)
def _load(path: str, mtime: float, device: str):
    """Weights go channels-last: convolutions on the CPU run about 1.2-1.5x faster on NHWC tensors, in fp32 and
    bf16 alike, with the same numbers (measured in docs/inpaint-bench.txt); inputs are converted where they enter."""
    generator, discriminator, card = load_models(path, device)
    generator.to(memory_format=torch.channels_last)
    return generator, discriminator, card


def load(weights: str | Path | None, task: str, device: torch.device | None = None):
    """(generator, discriminator, card), cached per file (a re-exported file is reloaded)."""
    path = resolve_weights(weights, task)
    device = device or pick_device()
    with _load_lock:
        generator, discriminator, card = _load(str(path), path.stat().st_mtime, str(device))
    if card.get("task") != task:
        raise ValueError(f"{path.name} is a {card.get('task')!r} model, not {task!r}")
    return generator, discriminator, card


def autocast(device: torch.device, precision: str):
    """precision "auto" uses bfloat16 on GPUs and on CPUs with native bf16, float32 elsewhere."""
    use_bf16 = precision == "bf16" or (precision == "auto" and (device.type == "cuda" or cpu_has_bf16()))
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_bf16)


def to_tensor(array: np.ndarray, device) -> torch.Tensor:
    """HxWx3 uint8 -> (1, 3, H, W) in [-1, 1]."""
    return torch.from_numpy(np.array(array, copy=True)).to(device).permute(2, 0, 1)[None].float().div(127.5).sub(1.0)


def to_array(tensor: torch.Tensor) -> np.ndarray:
    """(1, 3, H, W) in [-1, 1] -> HxWx3 uint8."""
    return tensor[0].float().clamp(-1, 1).add(1).mul(127.5).round().byte().permute(1, 2, 0).cpu().numpy()


# ----------------------------------------------------------------------------------------------------
# Inpainting


@dataclass
class InpaintResult:
    image: np.ndarray                     # HxWx3 uint8, the filled photo at full size as 8-bit RGB (over white)
    box: tuple[int, int, int, int]        # (top, left, bottom, right) of the crop that was processed
    working_size: tuple[int, int]         # (height, width) the generator ran at
    seconds: float
    critic: np.ndarray | None = None      # HxW in [0, 1]: D's "looks real" probability, NaN outside the crop
    card: dict = field(default_factory=dict)
    photo: object = None                  # the filled photo in the input's own mode (see gan_core.core.image_modes)


def context_box(mask: np.ndarray, margin: int = 128, min_side: int = 256) -> tuple[int, int, int, int]:
    """The crop to process: the mask's bounding box grown by max(margin, half its size) on every side.

    The generator was trained on holes that cover at most half of what it sees; this keeps as much
    context around the hole, clipped to the image.
    """
    height, width = mask.shape
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    grow_y = max(margin, (bottom - top) // 2, (min_side - (bottom - top)) // 2)
    grow_x = max(margin, (right - left) // 2, (min_side - (right - left)) // 2)
    return (int(max(0, top - grow_y)), int(max(0, left - grow_x)), int(min(height, bottom + grow_y)),
            int(min(width, right + grow_x)))


def fill_alpha(alpha: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Opacity inside the hole, continued from around it (HxW uint8 in and out).

    Why classical and not the GAN: an alpha channel is nearly always flat (opaque, or transparent) or one
    clean edge between the two. The generator learned photo texture and would add grain to a plane that has
    none, at the cost of a second pass. Navier-Stokes continues edges (isophotes) into the hole in
    milliseconds and keeps a flat alpha exactly flat (Telea rippled a flat 200 by +-3).
    """
    return cv2.inpaint(np.ascontiguousarray(alpha), (hole > 0).astype(np.uint8), 5, cv2.INPAINT_NS)


@dataclass
class CropFill:
    """The generator's fill of one crop, at the crop's size (8-bit, as the models see photos)."""
    box: tuple[int, int, int, int]        # (top, left, bottom, right) in the photo
    inside: np.ndarray                    # crop-sized bool: the hole
    colour: np.ndarray                    # crop-sized HxWx3 uint8, valid inside the hole
    alpha: np.ndarray | None              # crop-sized HxW uint8 opacity, valid inside the hole; None if opaque
    working_size: tuple[int, int]         # (height, width) the generator ran at
    critic: np.ndarray | None             # crop-sized D probability, or None


def fill_crop(generator, discriminator, colour: np.ndarray, alpha: np.ndarray | None, hole: np.ndarray,
              working_side: int = 1024, margin: int = 128, with_critic: bool = False,
              precision: str = "auto") -> CropFill:
    """Fill `hole` (HxW float {0, 1}) in an 8-bit photo (colour HxWx3 uint8, alpha HxW uint8 or None).

    Works on a crop around the hole, shrunk to `working_side` only when larger; the caller pastes the
    result inside the hole, so nothing else can change.
    """
    device = next(generator.parameters()).device
    top, left, bottom, right = context_box(hole, margin)
    crop, crop_hole = colour[top:bottom, left:right], hole[top:bottom, left:right]
    crop_alpha = None if alpha is None else alpha[top:bottom, left:right]
    if crop_alpha is not None:
        crop = image_modes.bleed_under_transparency(crop, crop_alpha)
    height, width = crop.shape[:2]
    scale = min(1.0, working_side / max(height, width))
    work_h, work_w = max(1, round(height * scale)), max(1, round(width * scale))
    if scale < 1.0:  # area resampling keeps detail; any pixel touched by the hole stays in the hole
        crop_in = cv2.resize(crop, (work_w, work_h), interpolation=cv2.INTER_AREA)
        hole_in = (cv2.resize(crop_hole, (work_w, work_h), interpolation=cv2.INTER_AREA) > 0).astype(np.float32)
    else:
        crop_in, hole_in = crop, crop_hole

    # tiny crops are padded (edge pixels repeated, not holes) to what the networks' convolutions need
    pad_h, pad_w = max(0, MIN_WORKING_SIDE - work_h), max(0, MIN_WORKING_SIDE - work_w)
    hole_padded = hole_in
    if pad_h or pad_w:
        crop_in = np.pad(crop_in, ((0, pad_h), (0, pad_w), (0, 0)), mode="edge")
        hole_padded = np.pad(hole_in, ((0, pad_h), (0, pad_w)))
    with torch.inference_mode(), autocast(device, precision):
        image_t = to_tensor(crop_in, device)
        hole_t = torch.from_numpy(hole_padded).to(device)[None, None]
        # hole_only: only hole pixels are kept, so the full-resolution refinement runs on the hole's box alone
        filled_t = generator(image_t.contiguous(memory_format=torch.channels_last),
                             hole_t.contiguous(memory_format=torch.channels_last), hole_only=True).float()
        critic = None
        if with_critic and discriminator is not None:
            filled_t = filled_t * hole_t + image_t * (1 - hole_t)  # what the critic judges: the pasted result
            logits, _ = discriminator(torch.cat([filled_t, hole_t], 1))
            critic = torch.sigmoid(logits.float())[0, 0].cpu().numpy()
            critic = critic[: max(1, round(critic.shape[0] * work_h / (work_h + pad_h))),
                            : max(1, round(critic.shape[1] * work_w / (work_w + pad_w)))]
            critic = cv2.resize(critic, (width, height), interpolation=cv2.INTER_NEAREST)
    filled = to_array(filled_t)[:work_h, :work_w]
    if scale < 1.0:
        filled = cv2.resize(filled, (width, height), interpolation=cv2.INTER_CUBIC)
    filled_alpha = None
    if crop_alpha is not None:
        alpha_in = cv2.resize(crop_alpha, (work_w, work_h), interpolation=cv2.INTER_AREA) if scale < 1 else crop_alpha
        filled_alpha = fill_alpha(alpha_in, hole_in)
        if scale < 1.0:
            filled_alpha = cv2.resize(filled_alpha, (width, height), interpolation=cv2.INTER_CUBIC)
    return CropFill((top, left, bottom, right), crop_hole > 0, filled, filled_alpha, (work_h, work_w), critic)


def write_fill(planes: image_modes.Planes, fill: CropFill, values: np.ndarray) -> None:
    """Paste a fill into `values` (the photo's own numbers, HxWxC) inside its hole only, in their own dtype."""
    top, left, bottom, right = fill.box
    region = values[top:bottom, left:right]
    colours = planes.colour_channels
    if planes.space == "rgb" and values.dtype == np.uint8 and values.shape[2] == 3:  # the common case:
        cv2.copyTo(fill.colour, fill.inside.astype(np.uint8), region)  # in place, ~50x faster than gathering
    else:
        region[fill.inside, :colours] = image_modes.colour_to_own(planes, fill.colour[fill.inside])
    if fill.alpha is not None:
        region[fill.inside, colours] = image_modes.alpha_to_own(planes, fill.alpha[fill.inside])


def inpaint_detailed(image, mask, weights: str | Path | None = None, grow: int = 0, working_side: int = 1024,
                     margin: int = 128, with_critic: bool = False, precision: str = "auto",
                     device: torch.device | None = None) -> InpaintResult:
    """Fill `mask` in `image` with the inpainting GAN; see `inpaint` for the arguments."""
    started = time.perf_counter()
    planes = image_modes.split(image)
    hole = as_mask_array(mask, planes.colour.shape[:2], grow)
    if not hole.any():
        raise ValueError("the mask is empty: paint over the part of the photo to fill")
    generator, discriminator, card = load(weights, "inpaint", device)
    fill = fill_crop(generator, discriminator, planes.colour, planes.alpha, hole, working_side, margin,
                     with_critic, precision)

    # only hole pixels change, written in the photo's own mode and depth: the rest stays bit-exact
    values = planes.values.copy()
    write_fill(planes, fill, values)
    top, left, bottom, right = fill.box
    if planes.space == "rgb" and planes.alpha is None and values.dtype == np.uint8:
        rgb = values  # the common case: the result is already what callers show
    else:
        colour = planes.colour.copy()
        colour[top:bottom, left:right][fill.inside] = fill.colour[fill.inside]
        alpha = None
        if planes.alpha is not None:
            alpha = planes.alpha.copy()
            alpha[top:bottom, left:right][fill.inside] = fill.alpha[fill.inside]
        rgb = image_modes.over_white(colour, alpha)
    critic = None
    if fill.critic is not None:
        critic = np.full(hole.shape, np.nan, np.float32)
        critic[top:bottom, left:right] = fill.critic
    return InpaintResult(rgb, fill.box, fill.working_size, time.perf_counter() - started, critic, card,
                         image_modes.join(planes, values))


def inpaint(image, mask, weights: str | Path | None = None, grow: int = 0, **options):
    """Fill the masked part of a photo with the GAN; returns the photo in its own mode, at its own size.

    image: a PIL image in any common mode, or an array (HxW, HxWx1/2/3/4; uint8, uint16, float, bool).
    mask: PIL image or array of the same size; non-zero means "fill this". grow: pixels to grow it by.
    weights: a name in weights/, a path, or None for the shipped photo inpainter.
    Returns a PIL image in the input's mode (L stays L, LA stays LA, RGBA stays RGBA, I;16 stays I;16, and
    so on; a palette image "P" comes back as RGB, or RGBA when it has transparency), or for an array an
    array of the same shape and dtype. Every unmasked value comes back exactly as it went in, in every
    channel. The model fills at 8 bits: a 16-bit fill is scaled into 16 bits (steps of 257). Inside the
    hole, transparency is filled too (continued from around the hole), and the colour under fully
    transparent pixels is not used. Modes that cannot be given back ("La", "LAB", ...) raise ValueError.
    """
    return inpaint_detailed(image, mask, weights, grow, **options).photo


# ----------------------------------------------------------------------------------------------------
# Restoration


def tile_weights(height: int, width: int, ramp: int) -> np.ndarray:
    """A window that is 1 inside and falls linearly to near 0 over `ramp` pixels at the borders."""
    def profile(n):
        edge = np.minimum(np.arange(n) + 1, np.arange(n)[::-1] + 1).astype(np.float32)
        return np.clip(edge / max(ramp, 1), 1e-3, 1.0)
    return np.outer(profile(height), profile(width))


def restore_detailed(image, task: str = "denoise", weights: str | Path | None = None, tile: int = 512,
                     tile_pad: int = 32, precision: str = "auto", device: torch.device | None = None,
                     progress=None) -> np.ndarray:
    """Run a restoration GAN over the image in overlapping tiles; returns HxWx3 uint8 (x scale for SR).

    Each tile is processed with `tile_pad` pixels of extra context on every side; neighbouring outputs
    overlap by 2 * tile_pad and are cross-faded with linear ramps, so no seam shows.
    """
    if task not in tasks.RESTORE_TASKS:
        raise ValueError(f"unknown restoration task {task!r}; choose one of {tasks.RESTORE_TASKS}")
    if tile <= 2 * tile_pad:
        raise ValueError("tile must be larger than twice tile_pad")
    photo = as_rgb_array(image)
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
            restored = to_array(generator(to_tensor(patch, device)).float()).astype(np.float32)
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


def enlarge_plane(plane: np.ndarray, scale: int, peak: float) -> np.ndarray:
    """One channel (an alpha plane) enlarged by a classical bicubic upscaler, in its own dtype."""
    big = cv2.resize(plane.astype(np.float32), None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    big = np.clip(big, 0, peak)  # bicubic overshoots at edges
    if plane.dtype == bool:
        return big >= 0.5
    return big.astype(plane.dtype) if plane.dtype.kind == "f" else big.round().astype(plane.dtype)


def restore(image, task: str = "denoise", weights: str | Path | None = None, **options):
    """Denoise ("denoise") or enlarge 2x / 4x ("sr2" / "sr4") a photo with the restoration GANs.

    Returns the photo in its own mode, like `inpaint` (a PIL image, or an array of the input's dtype; "P"
    comes back as RGB or RGBA). The GAN works on the 8-bit colour; for a 16-bit or float photo its result is
    scaled back to full scale (16-bit values then move in steps of 257: the model has no finer levels).
    Transparency is kept: unchanged for denoising, enlarged by a bicubic upscaler for "sr2" / "sr4" (the
    colour under fully transparent pixels is first replaced by the nearest visible colour, so it cannot
    bleed into visible edges).
    """
    planes = image_modes.split(image)
    colour = planes.colour
    if planes.alpha is not None:
        colour = image_modes.bleed_under_transparency(colour, planes.alpha)
    restored = restore_detailed(colour, task, weights, **options)  # HxWx3 uint8, `scale` times larger
    scale = restored.shape[0] // colour.shape[0]
    values = image_modes.colour_to_own(planes, restored)
    if planes.alpha is not None:
        alpha = planes.values[..., -1]
        if scale > 1:
            alpha = enlarge_plane(alpha, scale, planes.peak)
        values = np.concatenate([values, alpha[..., None]], axis=2)
    return image_modes.join(planes, values)
