"""Fill the masked part of a photo of any size and mode, with the GAN or a classical method: gan_core.inpaint.

    result = fill(photo, mask, method="gan")      # or "telea", "ns", "fsr", "patchmatch" (names or labels)
    result.photo                                  # the photo in its own mode, every unmasked value bit-exact
    result.image                                  # the same as 8-bit RGB over white, as a viewer shows it

The GAN follows the deployment recipe of MI-GAN and IOPaint's "crop" strategy: work on a crop around the
mask with enough context, shrink it to the model's working size only when it is larger, fill, scale the fill
back. Every method's fill, the GAN's and the classical ones alike, is then pasted back inside the hole only,
in the photo's own mode and depth (gan_core.core.image_modes), so every unmasked value returns bit-exact.
"""
import dataclasses
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image

from gan_core.core import image_modes, images, tasks
from gan_core.core.device import autocast, load
from gan_core.inpainting import adapt as adapt_lib
from gan_core.inpainting import masks as masks_lib
from gan_core.inpainting.adapt import AdaptConfig, AdaptStep
from gan_core.inpainting.model import InpaintGenerator  # noqa: F401  registers the class the cards name
from gan_core.photos import classical

INPAINT = tasks.get("inpaint")
MIN_WORKING_SIDE = 64  # smaller crops are padded: the discriminator's strided convolutions need ~24 px


@dataclass
class InpaintResult:
    image: np.ndarray                     # HxWx3 uint8, the filled photo at full size as 8-bit RGB (over white)
    box: tuple[int, int, int, int]        # (top, left, bottom, right) of the crop that was processed
    working_size: tuple[int, int]         # (height, width) the method ran at
    seconds: float
    critic: np.ndarray | None = None      # HxW in [0, 1]: D's "looks real" probability, NaN outside the crop
    card: dict = field(default_factory=dict)   # the GAN's model card ({} for a classical method)
    photo: object = None                  # the filled photo in the input's own mode (see gan_core.core.image_modes)
    method: tasks.Method = tasks.GAN      # the method that filled it
    adapted: int = 0                      # steps the generator learned this photo for before filling it


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


def known_colour(colour: np.ndarray, alpha: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """The colour a method may see: under fully transparent pixels, the nearest visible one outside the hole
    (a hole pixel's colour must not reach the fill, nor adaptation's training, through its neighbours)."""
    return image_modes.bleed_under_transparency(colour, np.where(hole > 0, 0, alpha))


@dataclass
class CropFill:
    """A method's fill of one crop, at the crop's size (8-bit, as the methods see photos)."""
    box: tuple[int, int, int, int]        # (top, left, bottom, right) in the photo
    inside: np.ndarray                    # crop-sized bool: the hole
    colour: np.ndarray                    # crop-sized HxWx3 uint8, valid inside the hole
    alpha: np.ndarray | None              # crop-sized HxW uint8 opacity, valid inside the hole; None if opaque
    working_size: tuple[int, int]         # (height, width) the method ran at
    critic: np.ndarray | None = None      # crop-sized D probability, or None


# ----------------------------------------------------------------------------------------------------
# The methods: each fills the hole of an 8-bit photo (colour HxWx3, alpha HxW or None)


def fill_crop(generator, discriminator, colour: np.ndarray, alpha: np.ndarray | None, hole: np.ndarray,
              working_side: int = 1024, margin: int = 128, with_critic: bool = False,
              precision: str = "auto") -> CropFill:
    """The GAN's fill of `hole` (HxW float {0, 1}) in an 8-bit photo.

    Works on a crop around the hole, shrunk to `working_side` only when larger; the caller pastes the
    result inside the hole, so nothing else can change.
    """
    device = next(generator.parameters()).device
    top, left, bottom, right = context_box(hole, margin)
    crop, crop_hole = colour[top:bottom, left:right], hole[top:bottom, left:right]
    crop_alpha = None if alpha is None else alpha[top:bottom, left:right]
    if crop_alpha is not None:
        crop = known_colour(crop, crop_alpha, crop_hole)
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
        image_t = images.to_tensor(crop_in).permute(2, 0, 1)[None].to(device)     # (1, 3, H, W), channels-last
        hole_t = torch.from_numpy(hole_padded).to(device)[None, None]           # (1, 1, H, W)
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
    filled = images.to_uint8(filled_t[0].permute(1, 2, 0))[:work_h, :work_w]   # HxWx3
    if scale < 1.0:
        filled = cv2.resize(filled, (width, height), interpolation=cv2.INTER_CUBIC)
    filled_alpha = None
    if crop_alpha is not None:
        alpha_in = cv2.resize(crop_alpha, (work_w, work_h), interpolation=cv2.INTER_AREA) if scale < 1 else crop_alpha
        filled_alpha = fill_alpha(alpha_in, hole_in)
        if scale < 1.0:
            filled_alpha = cv2.resize(filled_alpha, (width, height), interpolation=cv2.INTER_CUBIC)
    return CropFill((top, left, bottom, right), crop_hole > 0, filled, filled_alpha, (work_h, work_w), critic)


def classical_fill(name: str, colour: np.ndarray, alpha: np.ndarray | None, hole: np.ndarray) -> CropFill:
    """A classical method of gan_core.photos.classical over the whole photo (they crop where they need to).

    They see 8-bit colour, with the colour under fully transparent pixels replaced by the nearest visible
    one; opacity is continued into the hole as for the GAN (fill_alpha)."""
    inside = hole > 0
    if alpha is not None:
        colour = known_colour(colour, alpha, hole)
    filled = classical.INPAINT_METHODS[name](colour, inside)
    filled_alpha = None if alpha is None else fill_alpha(alpha, hole)
    height, width = hole.shape
    return CropFill((0, 0, height, width), inside, filled, filled_alpha, (height, width))


# ----------------------------------------------------------------------------------------------------
# Any method, any photo


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


def fill(image, mask, method: str = "gan", weights: str | Path | None = None, grow: int = 0,
         working_side: int = 1024, margin: int = 128, with_critic: bool = False, precision: str = "auto",
         device: torch.device | None = None, adapt: bool | int = False, seed: int = 0,
         adapt_config: AdaptConfig | None = None) -> InpaintResult:
    """Fill `mask` in `image` with `method` (a name or label of gan_core.core.tasks: gan, telea, ns, fsr,
    patchmatch); see `inpaint` for the arguments. The GAN alone uses weights, working_side, margin,
    with_critic (the critic's map), precision, device and adapt (learn the photo first: see fill_steps)."""
    result = None
    for _, result in fill_steps(image, mask, method, weights, grow, working_side, margin, with_critic, precision,
                                device, adapt, seed, adapt_config, every=0):
        pass
    return result


def adapt_steps(adapt: bool | int, config: AdaptConfig | None) -> AdaptConfig | None:
    """adapt False/0: None (no adaptation); True: the default budget; a number: that many steps."""
    if adapt is False or adapt is None or (not isinstance(adapt, bool) and int(adapt) == 0):
        return None
    config = config or AdaptConfig()
    if isinstance(adapt, bool):
        return config
    if int(adapt) != adapt or adapt < 0:
        raise ValueError(f"adapt must be False, True or a number of steps >= 0, not {adapt!r}")
    return dataclasses.replace(config, steps=int(adapt))


def fill_steps(image, mask, method: str = "gan", weights: str | Path | None = None, grow: int = 0,
               working_side: int = 1024, margin: int = 128, with_critic: bool = False, precision: str = "auto",
               device: torch.device | None = None, adapt: bool | int = True, seed: int = 0,
               adapt_config: AdaptConfig | None = None, every: int = 5
               ) -> Iterator[tuple[AdaptStep, InpaintResult | None]]:
    """fill(), step by step: with adapt, the generator first learns the photo (gan_core.inpainting.adapt),
    and this yields (where adaptation is, the fill with the generator as it is then, or None) after every
    update; the fill is drawn before the first update, every `every` updates (0: never) and after the last.
    The last item always carries the final result. Without adaptation (or for a classical method) it yields once.
    Stop iterating at any time: the last fill drawn is the fill reached so far."""
    started = time.perf_counter()
    chosen = INPAINT.method(method)    # a ValueError that lists the methods
    config = adapt_steps(adapt, adapt_config)
    if config is not None:
        config = dataclasses.replace(config, seed=seed)
    planes = image_modes.split(image)
    hole = as_mask_array(mask, planes.colour.shape[:2], grow)
    if not hole.any():
        raise ValueError("the mask is empty: paint over the part of the photo to fill")
    if chosen != tasks.GAN:
        crop_fill = classical_fill(chosen.name, planes.colour, planes.alpha, hole)
        yield AdaptStep(0, 0), assemble(planes, hole, crop_fill, {}, chosen, started)
        return
    generator, discriminator, card = load(weights, "inpaint", device)
    if config is None:
        crop_fill = fill_crop(generator, discriminator, planes.colour, planes.alpha, hole, working_side, margin,
                              with_critic, precision)
        yield AdaptStep(0, 0), assemble(planes, hole, crop_fill, card, chosen, started)
        return
    config = dataclasses.replace(config, precision=precision)
    view = adaptation_view(planes.colour, planes.alpha, hole, working_side, margin, config.crop)
    plain = None   # the shipped generator's fill: keep_detail takes its fine texture
    for step in adapt_lib.adapt(generator, discriminator, card, view.colour, view.hole, config, device):
        shown = step.step == step.steps or (every and step.step % every == 0)
        if not (shown or (step.step == 0 and config.keep_detail)):
            yield step, None
            continue
        crop_fill = adapted_fill(step, plain, config, discriminator, planes, hole, working_side, margin,
                                 with_critic, precision)
        if step.step == 0:
            plain = crop_fill
        if not shown:
            yield step, None
            continue
        result = assemble(planes, hole, crop_fill, card, chosen, started)
        result.adapted = step.step
        yield step, result


def adapted_fill(step: AdaptStep, plain: CropFill | None, config: AdaptConfig, discriminator, planes, hole,
                 working_side: int, margin: int, with_critic: bool, precision: str) -> CropFill:
    """The fill of the generator as adaptation has left it, with the plain fill's fine detail (keep_detail)."""
    crop_fill = fill_crop(step.generator, discriminator, planes.colour, planes.alpha, hole, working_side, margin,
                          with_critic, precision)
    if plain is not None and step.step > 0 and config.keep_detail:
        crop_fill.colour = keep_detail(crop_fill.colour, plain.colour, config.keep_detail)
    return crop_fill


def keep_detail(adapted: np.ndarray, plain: np.ndarray, sigma: float) -> np.ndarray:
    """The adapted fill's coarse picture with the plain fill's fine detail (8-bit HxWx3).

    Adaptation's losses pull the fill towards the mean of what could be there: its colours and shapes
    improve while fine texture fades. Below a Gaussian of `sigma` px the adapted fill is kept; above it, the
    texture the shipped generator drew."""
    a, p = adapted.astype(np.float32), plain.astype(np.float32)
    mixed = cv2.GaussianBlur(a, (0, 0), sigma) + p - cv2.GaussianBlur(p, (0, 0), sigma)
    return np.clip(np.rint(mixed), 0, 255).astype(np.uint8)


@dataclass
class AdaptationView:
    colour: np.ndarray     # the part of the photo adaptation learns from, at the fill's working scale
    hole: np.ndarray       # its hole, HxW float {0, 1}


def adaptation_view(colour: np.ndarray, alpha: np.ndarray | None, hole: np.ndarray, working_side: int,
                    margin: int, crop: int) -> AdaptationView:
    """What the generator learns from: the fill's context box grown by a training crop on every side, at the
    scale the fill will work at (fill_crop shrinks a box larger than working_side)."""
    top, left, bottom, right = context_box(hole, margin)
    scale = min(1.0, working_side / max(bottom - top, right - left))
    grow = int(np.ceil(crop / scale))
    height, width = hole.shape
    top, left, bottom, right = max(0, top - grow), max(0, left - grow), min(height, bottom + grow), min(width, right + grow)
    part, part_hole = colour[top:bottom, left:right], hole[top:bottom, left:right]
    if alpha is not None:
        part = known_colour(part, alpha[top:bottom, left:right], part_hole)
    if scale < 1.0:
        size = (max(1, round(part.shape[1] * scale)), max(1, round(part.shape[0] * scale)))
        part = cv2.resize(part, size, interpolation=cv2.INTER_AREA)
        part_hole = (cv2.resize(part_hole, size, interpolation=cv2.INTER_AREA) > 0).astype(np.float32)
    pad_h, pad_w = max(0, crop - part.shape[0]), max(0, crop - part.shape[1])
    if pad_h or pad_w:   # a photo smaller than a training crop: edges repeated, as fill_crop pads
        part = np.pad(part, ((0, pad_h), (0, pad_w), (0, 0)), mode="edge")
        part_hole = np.pad(part_hole, ((0, pad_h), (0, pad_w)))
    return AdaptationView(np.ascontiguousarray(part), part_hole)


def assemble(planes: image_modes.Planes, hole: np.ndarray, crop_fill: CropFill, card: dict,
             chosen: tasks.Method, started: float) -> InpaintResult:
    """The photo with the fill written inside its hole only, in its own mode and depth (the rest bit-exact)."""
    values = planes.values.copy()
    write_fill(planes, crop_fill, values)
    top, left, bottom, right = crop_fill.box
    if planes.space == "rgb" and planes.alpha is None and values.dtype == np.uint8:
        rgb = values  # the common case: the result is already what callers show
    else:
        colour = planes.colour.copy()
        colour[top:bottom, left:right][crop_fill.inside] = crop_fill.colour[crop_fill.inside]
        alpha = None
        if planes.alpha is not None:
            alpha = planes.alpha.copy()
            alpha[top:bottom, left:right][crop_fill.inside] = crop_fill.alpha[crop_fill.inside]
        rgb = image_modes.over_white(colour, alpha)
    critic = None
    if crop_fill.critic is not None:
        critic = np.full(hole.shape, np.nan, np.float32)
        critic[top:bottom, left:right] = crop_fill.critic
    return InpaintResult(rgb, crop_fill.box, crop_fill.working_size, time.perf_counter() - started, critic, card,
                         image_modes.join(planes, values), chosen)


def inpaint(image, mask, weights: str | Path | None = None, grow: int = 0, **options):
    """Fill the masked part of a photo with the GAN; returns the photo in its own mode, at its own size.

    image: a PIL image in any common mode, or an array (HxW, HxWx1/2/3/4; uint8, uint16, float, bool).
    mask: PIL image or array of the same size; non-zero means "fill this". grow: pixels to grow it by.
    weights: a name in weights/, a path, or None for the shipped photo inpainter.
    method="telea" (or "ns", "fsr", "patchmatch") fills with a classical method instead, in the same way.
    adapt=True lets the generator learn this photo first (the studio's budget of adaptation steps), or
    adapt=N for N steps; seed seeds it (the same photo, mask, seed and thread count give the same fill).
    Returns a PIL image in the input's mode (L stays L, LA stays LA, RGBA stays RGBA, I;16 stays I;16, and
    so on; a palette image "P" comes back as RGB, or RGBA when it has transparency), or for an array an
    array of the same shape and dtype. Every unmasked value comes back exactly as it went in, in every
    channel. The model fills at 8 bits: a 16-bit fill is scaled into 16 bits (steps of 257). Inside the
    hole, transparency is filled too (continued from around the hole), and the colour under fully
    transparent pixels is not used. Modes that cannot be given back ("La", "LAB", ...) raise ValueError.
    """
    return fill(image, mask, weights=weights, grow=grow, **options).photo
