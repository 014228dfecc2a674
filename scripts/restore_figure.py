"""The README's grids of the restorers against their peers, at 100%, on held-out photos (manifest:val).

    python scripts/restore_figure.py --setting clean --out docs/restore-clean.jpg --cache ~/.cache/restore-peers
    python scripts/restore_figure.py --setting real --out docs/restore-real.jpg --cache ~/.cache/restore-peers
    python scripts/restore_figure.py --setting real --sr4-weights sr4 --out /tmp/real.jpg   # before sr4-real exists

Each photo is loaded at most SIDE (1024) px long (gan_core.photos.data.load_rgb) and each crop of CROPS, a
CELL (224) px square chosen by hand, is shown at 100%: no result is enlarged; only the input of
super-resolution, 1/scale the size, is shown enlarged with nearest neighbours to the same size. A crop is
degraded and restored with MARGIN px of the photo around it, so no method sees the crop's edge, in the
conditions of the evaluation (gan_core.eval.restore: seeded; the denoisers told the true sigma in the clean
setting, blind in the real one).
Rows (ROWS): clean: 4x enlargement of the bicubic-downscaled photo (sr4 standard) and denoising at sigma 25,
each on a face, lettering and foliage; real: 4x enlargement after real_degradation on the same three and a
smooth sky that the degradation's JPEG makes blocky.
Columns: input, the GAN of the setting, each peer of the task that can run here (or --methods), the
original; under each cell its PSNR, SSIM, detail ratio and grain on that crop against the original (see
gan_core.eval.restore). JPEG at quality 92.
"""
import argparse
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from gan_core.core import tasks  # noqa: E402
from gan_core.core.device import resolve_weights  # noqa: E402
from gan_core.eval.restore import default_methods, degrade_for, draw_rng, measure, score  # noqa: E402
from gan_core.photos.data import load_rgb, resolve_files  # noqa: E402
from gan_core.restoration.restore import SETTINGS, weights_for  # noqa: E402

SIDE = 1024     # photos are loaded at most this long; the crops' coordinates are in that size
CELL = 224      # a crop's side, shown at 100%
MARGIN = 32     # photo around a crop that every method sees too (a multiple of 4, so every scale divides it)
MAX_BYTES = 1_500_000


@dataclass(frozen=True)
class Crop:
    photo: str      # file name of a manifest:val photo
    top: int        # the crop's corner in the photo loaded at SIDE px (multiples of 4)
    left: int
    kind: str       # what ROWS asks for: face, text, foliage, sky
    shows: str      # what is in it, as seen when it was picked
    draw: int = 0   # the seeded draw of a random degradation (real_degradation) shown, with --seed 0


CROPS = (   # picked by looking at the 32 validation photos at 1024 px
    Crop("italy.jpg", 192, 296, "face", "an actor's face and grey curls beside a gold mask, on a dark stage"),
    Crop("arlesAmphitheater.jpg", 488, 612, "text", "notices with small print on the arena's gates, a railing, steps"),
    Crop("Green-Maple.jpg", 120, 560, "foliage", "backlit maple leaves, their veins and twigs"),
    Crop("summer_1am.jpg", 168, 720, "sky", "a smooth violet-to-pink dawn sky", draw=16),   # JPEG blocks, little noise
)
ROWS = {   # setting: (task, condition, the kinds of crop shown), one block of rows each
    "clean": (("sr4", "standard", ("face", "text", "foliage")), ("denoise", "sigma25", ("face", "text", "foliage"))),
    "real": (("sr4", "real", ("face", "text", "foliage", "sky")),),
}
TITLES = {"standard": "the photo downscaled 4x with bicubic", "sigma25": "Gaussian noise of sigma 25",
          "real": "real_degradation: blur, resize, noise and JPEG, twice"}
FONT = ImageFont.load_default(size=13)
HEADING = ImageFont.load_default(size=16)
LINE = 17   # pixels a line of FONT takes


@lru_cache(maxsize=None)
def load_photo(name: str) -> np.ndarray:
    """The manifest:val photo called `name`, at most SIDE px long."""
    files = {path.name: path for path in resolve_files("manifest:val")}
    if name not in files:
        raise FileNotFoundError(f"{name} is not a manifest:val photo")
    return load_rgb(files[name], SIDE)


def crop_of(kind: str) -> Crop:
    return next(crop for crop in CROPS if crop.kind == kind)


def region(crop: Crop, shape: tuple[int, ...], scale: int) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the crop plus MARGIN inside the photo, its sides multiples of `scale`."""
    height, width = shape[:2]
    if crop.top % scale or crop.left % scale or crop.top + CELL > height or crop.left + CELL > width:
        raise ValueError(f"the crop at {crop.top},{crop.left} of {crop.photo} is off its {width}x{height} photo "
                         f"or not on a multiple of {scale}")
    top, left = max(crop.top - MARGIN, 0), max(crop.left - MARGIN, 0)
    bottom = top + (min(crop.top + CELL + MARGIN, height) - top) // scale * scale
    right = left + (min(crop.left + CELL + MARGIN, width) - left) // scale * scale
    return top, bottom, left, right


def caption(numbers: dict) -> str:
    return (f"PSNR {numbers['psnr']:.2f}  SSIM {numbers['ssim']:.3f}\n"
            f"detail {numbers['detail']:.2f}  grain {numbers['grain']:.2f}")


def row(task: str, condition: str, crop: Crop, setting: str, methods: list[str], weights, seed: int,
        cache, warmed: set) -> list[tuple[np.ndarray, str]]:
    """(picture, caption) per column: input, each method, original."""
    scale = tasks.get(task).scale
    photo = load_photo(crop.photo)
    top, bottom, left, right = region(crop, photo.shape, scale)
    clean = np.ascontiguousarray(photo[top:bottom, left:right])
    name = f"{crop.photo}@{crop.top},{crop.left}"
    degraded = degrade_for(task, condition, clean, draw_rng(seed, name, condition, crop.draw))
    y, x = crop.top - top, crop.left - left
    original = clean[y:y + CELL, x:x + CELL]
    small = degraded[y // scale:(y + CELL) // scale, x // scale:(x + CELL) // scale]
    if scale == 1:
        cells = [(small, caption(score(original, small)))]
    else:
        cells = [(small.repeat(scale, axis=0).repeat(scale, axis=1),
                  f"input {CELL // scale}x{CELL // scale} px,\nshown {scale}x (nearest)")]
    key = f"{Path(crop.photo).stem}@{crop.top},{crop.left}_{condition}_d{crop.draw}_m{SIDE}_seed{seed}"
    for method in methods:
        result, _ = measure(method, task, condition, degraded, weights if method == "gan" else None, setting,
                            cache, key, warmed)
        shown = np.ascontiguousarray(result[y:y + CELL, x:x + CELL])
        cells.append((shown, caption(score(original, shown))))
    return cells + [(original, "original")]


def block(task: str, condition: str, kinds, setting: str, methods: list[str], weights, seed: int, cache,
          warmed: set) -> Image.Image:
    """A heading, the column names, and one row of cells with their captions per crop."""
    label = f"GAN ({setting})" if weights is None else f"GAN ({Path(str(weights)).stem} weights)"
    columns = ["input", label] + [tasks.get(task).method(m).label for m in methods[1:]]
    columns.append("original")
    rows = [(crop_of(kind), row(task, condition, crop_of(kind), setting, methods, weights or
                                 weights_for(task, setting), seed, cache, warmed)) for kind in kinds]
    caption_h, title_h = 2 * LINE + 6, LINE + 4
    image = Image.new("RGB", (CELL * len(columns), 2 * title_h + len(rows) * (title_h + CELL + caption_h)),
                      "white")
    draw = ImageDraw.Draw(image)
    draw.text((4, 2), f"{tasks.get(task).label} ({task}), {setting} setting: {TITLES.get(condition, condition)}",
              fill="black", font=HEADING)
    for c, title in enumerate(columns):
        draw.text((c * CELL + 4, title_h + 2), title, fill="black", font=FONT)
    y = 2 * title_h
    for crop, cells in rows:
        draw.text((4, y + 2), f"{crop.kind}: {crop.shows} ({crop.photo})", fill=(90, 90, 90), font=FONT)
        y += title_h
        for c, (picture, text) in enumerate(cells):
            image.paste(Image.fromarray(np.ascontiguousarray(picture)), (c * CELL, y))
            draw.multiline_text((c * CELL + 4, y + CELL + 3), text, fill="black", font=FONT, spacing=3)
        y += CELL + caption_h
    return image


def figure(setting: str, weights: dict, peers: list[str] | None, seed: int = 0, cache=None) -> Image.Image:
    """The blocks of ROWS[setting] stacked, each as wide as its columns."""
    warmed = set()
    blocks = []
    for task, condition, kinds in ROWS[setting]:
        methods = [m for m in default_methods(task) if peers is None or m == "gan" or m in peers]
        blocks.append(block(task, condition, kinds, setting, methods, weights.get(task), seed, cache, warmed))
    image = Image.new("RGB", (max(b.width for b in blocks), sum(b.height for b in blocks)), "white")
    y = 0
    for b in blocks:
        image.paste(b, (0, y))
        y += b.height
    return image


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--setting", default="clean", choices=list(SETTINGS))
    for task in tasks.RESTORE_TASKS:
        parser.add_argument(f"--{task}-weights", default=None,
                            help=f"the {task} GAN's weights (default: the setting's, {weights_for(task)} or "
                                 f"{weights_for(task, 'real')})")
    parser.add_argument("--methods", default="", help="the peers shown (default: every peer that can run here)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", default=None, help="keep the peers' results in this folder and reuse them")
    parser.add_argument("--out", default=None, help="default: docs/restore-SETTING.jpg")
    args = parser.parse_args(argv)
    weights = {task: getattr(args, f"{task}_weights") for task in tasks.RESTORE_TASKS}
    for task, _, _ in ROWS[args.setting]:
        try:
            resolve_weights(weights[task] or weights_for(task, args.setting), task)
        except FileNotFoundError as error:
            parser.error(f"{error}: train it, or show other weights with --{task}-weights")
    peers = args.methods.split(",") if args.methods else None
    out = Path(args.out or f"docs/restore-{args.setting}.jpg")
    figure(args.setting, weights, peers, args.seed, args.cache).save(out, quality=92)
    size = out.stat().st_size
    print(f"wrote {out}: {size / 1e6:.2f} MB" + (" (over 1.5 MB: fewer rows or a smaller CELL)"
                                                  if size > MAX_BYTES else ""))


if __name__ == "__main__":
    main()
