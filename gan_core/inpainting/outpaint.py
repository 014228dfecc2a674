"""Extend a photo past its edges (outpainting): grow the canvas on chosen sides and fill the new border.

    import gan_core
    wider = gan_core.extend(photo, left=200, right=200)   # 400 px wider, the photo itself unchanged

The inpainter learned to fill holes with context around them; a new border has context on one side only.
So the border is filled in strips no wider than `step` pixels, outwards from the photo, each one seen
beside the photo and the strips filled before it (left and right first, then top and bottom across the
whole width, corners included). Narrow strips keep every hole well inside what the model handles; a long
strip is shrunk to the working size with its context, as in gan_core.inpaint. The photo's own pixels are
never touched, and the result is in the photo's own mode (see gan_core.core.image_modes).

With adapt, the generator first learns the photo in front of it (gan_core.inpainting.adapt), as fill() does:
the whole grown canvas is its photo and the new border its hole, so it practises on border-shaped holes cut
out of the photo's own pixels near the edges it will continue. extend_steps() yields after every update,
with the border redrawn every few, for a live view:

    for step, result in extend_steps(photo, right=128, adapt=20):
        result.photo if result else None      # the extended photo, filled by the generator as it is now
"""
import dataclasses
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from gan_core.core import image_modes
from gan_core.core.device import load
from gan_core.core.io_checks import MAX_PIXELS, check_pixels
from gan_core.inpainting import adapt as adapt_lib
from gan_core.inpainting.adapt import AdaptConfig, AdaptStep
from gan_core.inpainting.fill import adapt_steps, adaptation_view, fill_crop

DEFAULT_STEP = 64  # pixels of new border per pass: 64 continued room.jpg's wall and floor better than 128 or 256
MIRROR = 128       # pixels of the photo's edge mirrored beyond each strip (see with_mirror)


@dataclass
class Sides:
    """Pixels to add on each side."""
    left: int = 0
    top: int = 0
    right: int = 0
    bottom: int = 0

    def check(self, width: int, height: int, max_pixels: int = MAX_PIXELS) -> None:
        """Clear errors for sizes that are not whole numbers, negative, all zero, or too large."""
        for name, value in vars(self).items():
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise ValueError(f"{name} must be a whole number of pixels, not {value!r}")
            if value < 0:
                raise ValueError(f"{name} is {value} px; the canvas can only grow, so give 0 or more")
        if not any(vars(self).values()):
            raise ValueError("give at least one side to extend (left, top, right or bottom, in pixels)")
        for name, value, limit in (("left", self.left, width), ("right", self.right, width),
                                   ("top", self.top, height), ("bottom", self.bottom, height)):
            if value > limit:
                raise ValueError(f"{name} is {value} px, more than the photo's own {'width' if limit == width else 'height'}"
                                 f" ({limit} px): a border wider than the photo would be mostly invented; "
                                 "extend in several rounds if you really need it")
        check_pixels(width + self.left + self.right, height + self.top + self.bottom, max_pixels)


# Views that turn each side's strip into a strip on the right (and back): one code path for four sides
TO_RIGHT = {"right": lambda a: a, "left": lambda a: a[:, ::-1],
            "bottom": lambda a: a.swapaxes(0, 1), "top": lambda a: a[::-1].swapaxes(0, 1)}
FROM_RIGHT = {"right": lambda a: a, "left": lambda a: a[:, ::-1],
              "bottom": lambda a: a.swapaxes(0, 1), "top": lambda a: a.swapaxes(0, 1)[::-1]}


def strips(sides: Sides, width: int, height: int, step: int):
    """Yield (side, known, strip): boxes (top, left, bottom, right) on the new canvas, in the order filled.

    known: the photo and the strips filled so far (a rectangle); strip: the pixels to fill next, beside it.
    """
    known = [sides.top, sides.left, sides.top + height, sides.left + width]
    for side in ("left", "right", "top", "bottom"):
        remaining = getattr(sides, side)
        while remaining > 0:
            grow = min(step, remaining)
            remaining -= grow
            k_top, k_left, k_bottom, k_right = known
            strip = {"left": (k_top, k_left - grow, k_bottom, k_left),
                     "right": (k_top, k_right, k_bottom, k_right + grow),
                     "top": (k_top - grow, k_left, k_top, k_right),
                     "bottom": (k_bottom, k_left, k_bottom + grow, k_right)}[side]
            yield side, tuple(known), strip
            known = [min(known[0], strip[0]), min(known[1], strip[1]), max(known[2], strip[2]),
                     max(known[3], strip[3])]


def with_mirror(known: np.ndarray, grow: int, mirror: int) -> tuple[np.ndarray, np.ndarray]:
    """known (h x w [x c]) -> (known | empty strip | mirror image of known's last columns), and the hole.

    Why the mirror: a strip at the edge of what the generator sees is a hole it never met in training;
    it filled such strips with a dark, streaky grey (measured on examples/room.jpg). With the photo's edge
    mirrored beyond the strip, the strip is an ordinary hole with context on both sides, and the fill
    carries walls, floors and beams on at their own brightness.
    """
    height, width = known.shape[:2]
    mirrored = known[:, width - min(mirror, width):][:, ::-1]
    empty = np.zeros((height, grow, *known.shape[2:]), known.dtype)
    hole = np.zeros((height, width + grow + mirrored.shape[1]), np.float32)
    hole[:, width:width + grow] = 1
    return np.ascontiguousarray(np.concatenate([known, empty, mirrored], axis=1)), hole


@dataclass
class ExtendResult:
    photo: object          # the grown photo in the input's own mode (a PIL image, or an array as it came)
    seconds: float
    adapted: int = 0       # steps the generator learned this photo for before filling the border


def grown_canvas(planes: image_modes.Planes, sides: Sides):
    """(colour, alpha or None, values, hole): the photo's planes padded to the new canvas (the border zero), and
    the border as a hole (HxW float {0, 1})."""
    pads = ((sides.top, sides.bottom), (sides.left, sides.right))
    colour = np.pad(planes.colour, (*pads, (0, 0)))   # (H + top + bottom) x (W + left + right) x 3
    alpha = None if planes.alpha is None else np.pad(planes.alpha, pads)
    values = np.pad(planes.values, (*pads, (0, 0)))   # the result: the photo's own values in place
    hole = np.pad(np.zeros(planes.colour.shape[:2], np.float32), pads, constant_values=1)
    return colour, alpha, values, hole


def fill_border(generator, discriminator, planes: image_modes.Planes, sides: Sides, step: int,
                working_side: int, precision: str):
    """The photo on the grown canvas with its border filled by `generator`, strip by strip (see the module doc);
    in the photo's own mode."""
    height, width = planes.colour.shape[:2]
    colour, alpha, values, _ = grown_canvas(planes, sides)
    for side, known, strip in strips(sides, width, height, step):
        k_top, k_left, k_bottom, k_right = known
        s_top, s_left, s_bottom, s_right = strip
        turn = TO_RIGHT[side]
        known_colour = turn(colour[k_top:k_bottom, k_left:k_right])   # the strip goes on its right
        known_width = known_colour.shape[1]
        grow = turn(np.empty((s_bottom - s_top, s_right - s_left), bool)).shape[1]
        band, hole = with_mirror(known_colour, grow, MIRROR)
        band_alpha = None
        if alpha is not None:
            band_alpha, _ = with_mirror(turn(alpha[k_top:k_bottom, k_left:k_right]), grow, MIRROR)
        fill = fill_crop(generator, discriminator, band, band_alpha, hole, working_side=working_side,
                         precision=precision)
        # the hole spans every row of the band, so the fill's crop does too; only its columns start later
        cols = slice(known_width - fill.box[1], known_width - fill.box[1] + grow)
        rows = slice(None)
        strip_colour = FROM_RIGHT[side](fill.colour[rows, cols])
        colour[s_top:s_bottom, s_left:s_right] = strip_colour
        target = values[s_top:s_bottom, s_left:s_right]
        target[..., :planes.colour_channels] = image_modes.colour_to_own(planes, strip_colour)
        if alpha is not None:
            strip_alpha = FROM_RIGHT[side](fill.alpha[rows, cols])
            alpha[s_top:s_bottom, s_left:s_right] = strip_alpha
            target[..., planes.colour_channels] = image_modes.alpha_to_own(planes, strip_alpha)
    return image_modes.join(planes, values)


def extend(image, left: int = 0, top: int = 0, right: int = 0, bottom: int = 0,
           weights: str | Path | None = None, step: int = DEFAULT_STEP, working_side: int = 1024,
           precision: str = "auto", device: torch.device | None = None, adapt: bool | int = False,
           seed: int = 0, adapt_config: AdaptConfig | None = None):
    """Grow the canvas by `left`, `top`, `right`, `bottom` pixels and fill the new border with the GAN.

    image: a PIL image or array, as for gan_core.inpaint; the result has the same mode (P: RGB or RGBA) or
    dtype, and the photo's own values sit unchanged at (left, top). Each side may grow by at most the
    photo's own width (left, right) or height (top, bottom), and the result by at most 40 MP.
    Transparency in the border is continued from the photo's edge, like the colour.
    adapt=True lets the generator learn this photo first (the studio's budget of steps), adapt=N for N
    steps; seed seeds it (see extend_steps).
    """
    result = None
    for _, result in extend_steps(image, left, top, right, bottom, weights, step, working_side, precision, device,
                                  adapt, seed, adapt_config, every=0):
        pass
    return result.photo


def extend_steps(image, left: int = 0, top: int = 0, right: int = 0, bottom: int = 0,
                 weights: str | Path | None = None, step: int = DEFAULT_STEP, working_side: int = 1024,
                 precision: str = "auto", device: torch.device | None = None, adapt: bool | int = True,
                 seed: int = 0, adapt_config: AdaptConfig | None = None, every: int = 5
                 ) -> Iterator[tuple[AdaptStep, ExtendResult | None]]:
    """extend(), step by step, as gan_core.inpainting.fill.fill_steps: with adapt, the generator first learns
    the photo, and this yields (where adaptation is, the extended photo with the generator as it is then, or
    None) after every update; the border is drawn before the first update, every `every` updates (0: never)
    and after the last. The last item carries the final result; without adaptation it yields once.
    Stop iterating at any time: the last border drawn is the result reached so far."""
    started = time.perf_counter()
    planes = image_modes.split(image)
    height, width = planes.colour.shape[:2]
    sides = Sides(left, top, right, bottom)
    sides.check(width, height)
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 1:
        raise ValueError(f"step must be a whole number of pixels, 1 or more, not {step!r}")
    config = adapt_steps(adapt, adapt_config)
    generator, discriminator, card = load(weights, "inpaint", device)
    if config is None:
        photo = fill_border(generator, discriminator, planes, sides, step, working_side, precision)
        yield AdaptStep(0, 0), ExtendResult(photo, time.perf_counter() - started)
        return

    # the generator learns from the canvas near the border (the border is its hole) through fill's own view:
    # the hole's context box grown by a training crop, shrunk as a strip that long is (to working_side)
    config = dataclasses.replace(config, seed=seed, precision=precision)
    colour, alpha, _, hole = grown_canvas(planes, sides)
    view = adaptation_view(colour, alpha, hole, working_side, margin=128, crop=config.crop)
    for learned in adapt_lib.adapt(generator, discriminator, card, view.colour, view.hole, config, device):
        if not (learned.step == learned.steps or (every and learned.step % every == 0)):
            yield learned, None
            continue
        photo = fill_border(learned.generator, discriminator, planes, sides, step, working_side, precision)
        yield learned, ExtendResult(photo, time.perf_counter() - started, learned.step)
