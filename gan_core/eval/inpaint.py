"""Measure the GAN against classical methods on held-out photos, with the same seeded masks for all.

Denoising and super-resolution are measured by gan_core.eval.restore.

    python -m gan_core.eval.inpaint --images manifest:val --methods gan,telea,ns --masks small,medium,large \
        --seed 0 --json results.json --grid comparison.png

Paintings with damage: --images paintings:val --masks crack (craquelure and flakes, gan_core.inpainting.masks.crack_mask).

The GAN that first learns each photo (gan_core.inpainting.adapt) is one more method: gan-adapt (the studio's
budget of steps) or gan-adaptN (N steps, e.g. gan-adapt20), seeded per fill by the mask's own seed, its
milliseconds counting the adaptation. Its budget in seconds: gan_core.eval.adapt_budget.

Each photo is resized so its longer side is at most --max-side (512), then gets --per-image seeded
free-form masks of each size class (small <10%, medium 10-30%, large 30-50%), at least --min-fills per size
in all. Every method fills the same masks. Printed per method and size: PSNR and L1 over the hole, SSIM
over the whole image, the detail ratio (see gan_core.core.metrics) and milliseconds per image.
"""
import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from tqdm import tqdm

from gan_core.core import metrics
from gan_core.core import tasks
from gan_core.core.device import resolve_weights
from gan_core.core.weights import record_validation
from gan_core.inpainting import fill as filling
from gan_core.inpainting.adapt import DEFAULT_STEPS
from gan_core.inpainting.masks import MASK_SIZES, mask_of_size
from gan_core.photos.data import load_rgb, resolve_files

METRIC_KEYS = ("psnr_masked", "ssim", "l1_masked", "detail", "grain", "speckle", "ms")
ADAPTED = "gan-adapt"   # gan-adapt: the GAN after DEFAULT_STEPS steps of learning the photo; gan-adaptN: N steps


def adapt_steps(method: str) -> int:
    """Steps of adaptation a method name asks for: 0 for every method but gan-adapt[N]."""
    if not method.startswith(ADAPTED):
        return 0
    steps = method[len(ADAPTED):] or str(DEFAULT_STEPS)
    if not steps.isdigit() or int(steps) < 1:
        raise ValueError(f"{method!r}: write gan-adapt, or gan-adaptN with N >= 1 steps (e.g. gan-adapt20)")
    return int(steps)


def check_method(method: str) -> None:
    """A ValueError for a method name the evaluation cannot run, before anything runs."""
    if not adapt_steps(method):
        tasks.get("inpaint").method(method)


def fill(method: str, image: np.ndarray, mask: np.ndarray, weights=None, seed: int = 0) -> tuple[np.ndarray, float]:
    """(result, milliseconds) for one method, crop, resize and paste back included (gan_core.inpainting.fill);
    gan-adapt[N] learns the photo first (seeded by `seed`), and its milliseconds include that."""
    started = time.perf_counter()
    steps = adapt_steps(method)
    if steps:
        result = filling.fill(image, mask, "gan", weights=weights, adapt=steps, seed=seed).image
    else:
        result = filling.fill(image, mask, method, weights=weights).image
    return result, (time.perf_counter() - started) * 1000


def mask_seed(seed: int, image_index: int, size: str, k: int) -> list[int]:
    """What seeds the k-th mask of a size class for one photo (and the adaptation that fills it)."""
    return [seed, image_index, list(MASK_SIZES).index(size), k]


def seeded_mask(image: np.ndarray, seed: int, image_index: int, size: str, k: int) -> np.ndarray:
    """The k-th mask of a size class for one photo: the same for every method, run and script."""
    rng = np.random.default_rng(mask_seed(seed, image_index, size, k))
    return mask_of_size(*image.shape[:2], size, rng)


def fill_seed(seed: int, image_index: int, size: str, k: int) -> int:
    """The adaptation's seed for the k-th mask: drawn from the mask's own seed, so each fill has its own and a
    rerun has the same."""
    return int(np.random.SeedSequence(mask_seed(seed, image_index, size, k)).generate_state(1)[0])


def fills_per_image(n_images: int, min_fills: int) -> int:
    """Masks per photo and size so that every size gets at least min_fills fills in all."""
    return max(1, math.ceil(min_fills / n_images))


def prepare(files, max_side: int) -> list[tuple[str, np.ndarray]]:
    return [(Path(f).name, load_rgb(f, max_side)) for f in files]


def evaluate(images: list[tuple[str, np.ndarray]], methods: list[str], sizes: list[str], seed: int = 0,
             per_image: int | None = None, min_fills: int = 50, weights=None, progress: bool = True):
    """Return ({method: {size: {metric: mean}}}, examples for the grid)."""
    per_image = per_image or fills_per_image(len(images), min_fills)
    if any(m == "gan" or adapt_steps(m) for m in methods):  # load the model before anything is timed
        fill("gan", images[0][1], mask_of_size(*images[0][1].shape[:2], "small", np.random.default_rng(0)), weights)
    sums = {m: {s: {k: [] for k in METRIC_KEYS} for s in sizes} for m in methods}
    examples = {}
    jobs = [(i, s, k) for i in range(len(images)) for s in sizes for k in range(per_image)]
    for image_index, size, k in tqdm(jobs, desc="evaluating", disable=not progress):
        name, image = images[image_index]
        mask = seeded_mask(image, seed, image_index, size, k)
        for method in methods:
            result, ms = fill(method, image, mask, weights, fill_seed(seed, image_index, size, k))
            numbers = metrics.compare(image, result, mask)
            for key in METRIC_KEYS[:-1]:
                sums[method][size][key].append(numbers[key])
            sums[method][size]["ms"].append(ms)
            if k == 0 and image_index < 4:
                examples.setdefault((image_index, size), {"image": image, "mask": mask})[method] = result
    table = {m: {s: {k: float(np.nanmean(v)) for k, v in by_size.items()} | {"n": len(by_size["ms"])}
                 for s, by_size in per_method.items()} for m, per_method in sums.items()}
    return table, examples


def format_table(table: dict) -> str:
    width = max(8, *map(len, table))
    lines = [f"{'method':{width}} {'mask':7} {'n':>4} {'PSNR hole':>10} {'L1 hole':>8} {'SSIM':>7} {'detail':>7} "
             f"{'grain':>6} {'speckle':>7} {'ms':>8}"]
    for method, by_size in table.items():
        for size, n in by_size.items():
            lines.append(f"{method:{width}} {size:7} {n['n']:4d} {n['psnr_masked']:10.2f} {n['l1_masked']:8.4f} "
                         f"{n['ssim']:7.4f} {n['detail']:7.3f} {n['grain']:6.2f} {n['speckle']:7.2f} {n['ms']:8.1f}")
    return "\n".join(lines)


def around_hole(picture: np.ndarray, mask: np.ndarray, cell: int) -> np.ndarray:
    """A cell x cell window of the picture at 100%, centred on the hole (shifted to stay inside the picture)."""
    ys, xs = np.nonzero(mask)
    height, width = mask.shape
    top = int(np.clip((ys.min() + ys.max()) // 2 - cell // 2, 0, max(0, height - cell)))
    left = int(np.clip((xs.min() + xs.max()) // 2 - cell // 2, 0, max(0, width - cell)))
    return picture[top:top + cell, left:left + cell]


def comparison_grid(examples: dict, methods: list[str], path: str | Path, cell: int = 320, full_size: bool = False):
    """Rows: one photo and mask size each; columns: masked input (hole in white), each method, original.
    Each cell is the whole photo shrunk to the cell, or with full_size a window around the hole at 100%."""
    columns = ["masked"] + methods + ["original"]
    rows = [examples[key] for key in sorted(examples)]
    labels = [f"{size} mask" for _, size in sorted(examples)]
    tiles = []
    for item in rows:
        masked = item["image"].copy()
        masked[item["mask"] > 0] = 255
        row = []
        for picture in [masked] + [item[m] for m in methods] + [item["image"]]:
            tile = Image.fromarray(around_hole(picture, item["mask"], cell) if full_size else picture)
            tile.thumbnail((cell, cell))
            row.append(tile)
        tiles.append(row)
    label_h = 16
    heights = [max(t.height for t in row) + label_h for row in tiles]
    grid = Image.new("RGB", (cell * len(columns), label_h + sum(heights)), "white")
    draw = ImageDraw.Draw(grid)
    for c, title in enumerate(columns):
        draw.text((c * cell + 4, 2), title, fill="black")
    y = label_h
    for row, label, height in zip(tiles, labels, heights):
        draw.text((4, y + 2), label, fill="black")
        for c, tile in enumerate(row):
            grid.paste(tile, (c * cell, y + label_h))
        y += height
    grid.save(path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", default="manifest:val",
                        help="folder of photos, a .txt list of photo paths, or manifest:val")
    parser.add_argument("--methods", default=",".join(m.name for m in tasks.get("inpaint").methods),
                        help="comma-separated method names; gan-adapt or gan-adaptN: the GAN after learning the photo")
    parser.add_argument("--masks", default="small,medium,large")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-side", type=int, default=512)
    parser.add_argument("--per-image", type=int, default=0, help="masks per photo and size (0: enough for --min-fills)")
    parser.add_argument("--min-fills", type=int, default=50)
    parser.add_argument("--weights", default=None, help="inpainting weights name or path (default: shipped)")
    parser.add_argument("--json", default=None, help="write the numbers here")
    parser.add_argument("--grid", default=None, help="write a comparison grid PNG here")
    parser.add_argument("--grid-full-size", action="store_true", help="grid cells at 100%%, around the hole")
    parser.add_argument("--update-card", action="store_true",
                        help="record the numbers in the evaluated model's card (weights/NAME.json)")
    args = parser.parse_args(argv)
    methods, sizes = args.methods.split(","), args.masks.split(",")
    for size in sizes:
        if size not in MASK_SIZES:
            parser.error(f"unknown mask size {size!r}")
    for method in methods:
        try:
            check_method(method)
        except ValueError as error:
            parser.error(str(error))
    images = prepare(resolve_files(args.images), args.max_side)
    table, examples = evaluate(images, methods, sizes, args.seed, args.per_image or None, args.min_fills, args.weights)
    print(format_table(table))
    if args.json:
        Path(args.json).write_text(json.dumps({"task": "inpaint", "images": args.images, "max_side": args.max_side,
                                               "seed": args.seed, "weights": args.weights, "methods": table}, indent=2))
    if args.update_card and "gan" in methods:
        record_validation(resolve_weights(args.weights, "inpaint"), table, images=args.images, max_side=args.max_side,
                          seed=args.seed, masks=args.masks,
                          command="python -m gan_core.eval.inpaint " + " ".join(sys.argv[1:]))
    if args.grid:
        comparison_grid(examples, methods, args.grid, full_size=args.grid_full_size)
        print(f"grid written to {args.grid}", file=sys.stderr)


if __name__ == "__main__":
    main()
