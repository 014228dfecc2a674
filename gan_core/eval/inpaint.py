"""Measure the GAN against classical methods on held-out photos, with the same seeded masks for all.

Denoising and super-resolution are measured by gan_core.eval.restore.

    python -m gan_core.eval.inpaint --images manifest:val --methods gan,telea,ns --masks small,medium,large \
        --seed 0 --json results.json --grid comparison.png

Paintings with damage: --images paintings:val --masks crack (craquelure and flakes, gan_core.inpainting.masks.crack_mask).

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
from gan_core.inpainting.masks import MASK_SIZES, mask_of_size
from gan_core.photos.data import load_rgb, resolve_files

METRIC_KEYS = ("psnr_masked", "ssim", "l1_masked", "detail", "grain", "speckle", "ms")


def fill(method: str, image: np.ndarray, mask: np.ndarray, weights=None) -> tuple[np.ndarray, float]:
    """(result, milliseconds) for one method, crop, resize and paste back included (gan_core.inpainting.fill)."""
    started = time.perf_counter()
    result = filling.fill(image, mask, method, weights=weights).image
    return result, (time.perf_counter() - started) * 1000


def seeded_mask(image: np.ndarray, seed: int, image_index: int, size: str, k: int) -> np.ndarray:
    """The k-th mask of a size class for one photo: the same for every method, run and script."""
    rng = np.random.default_rng([seed, image_index, list(MASK_SIZES).index(size), k])
    return mask_of_size(*image.shape[:2], size, rng)


def fills_per_image(n_images: int, min_fills: int) -> int:
    """Masks per photo and size so that every size gets at least min_fills fills in all."""
    return max(1, math.ceil(min_fills / n_images))


def prepare(files, max_side: int) -> list[tuple[str, np.ndarray]]:
    return [(Path(f).name, load_rgb(f, max_side)) for f in files]


def evaluate(images: list[tuple[str, np.ndarray]], methods: list[str], sizes: list[str], seed: int = 0,
             per_image: int | None = None, min_fills: int = 50, weights=None, progress: bool = True):
    """Return ({method: {size: {metric: mean}}}, examples for the grid)."""
    per_image = per_image or fills_per_image(len(images), min_fills)
    if "gan" in methods:  # load the model before anything is timed
        fill("gan", images[0][1], mask_of_size(*images[0][1].shape[:2], "small", np.random.default_rng(0)), weights)
    sums = {m: {s: {k: [] for k in METRIC_KEYS} for s in sizes} for m in methods}
    examples = {}
    jobs = [(i, s, k) for i in range(len(images)) for s in sizes for k in range(per_image)]
    for image_index, size, k in tqdm(jobs, desc="evaluating", disable=not progress):
        name, image = images[image_index]
        mask = seeded_mask(image, seed, image_index, size, k)
        for method in methods:
            result, ms = fill(method, image, mask, weights)
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
    lines = [f"{'method':8} {'mask':7} {'n':>4} {'PSNR hole':>10} {'L1 hole':>8} {'SSIM':>7} {'detail':>7} "
             f"{'grain':>6} {'speckle':>7} {'ms':>8}"]
    for method, by_size in table.items():
        for size, n in by_size.items():
            lines.append(f"{method:8} {size:7} {n['n']:4d} {n['psnr_masked']:10.2f} {n['l1_masked']:8.4f} "
                         f"{n['ssim']:7.4f} {n['detail']:7.3f} {n['grain']:6.2f} {n['speckle']:7.2f} {n['ms']:8.1f}")
    return "\n".join(lines)


def comparison_grid(examples: dict, methods: list[str], path: str | Path, cell: int = 320):
    """Rows: one photo and mask size each; columns: masked input (hole in white), each method, original."""
    columns = ["masked"] + methods + ["original"]
    rows = [examples[key] for key in sorted(examples)]
    labels = [f"{size} mask" for _, size in sorted(examples)]
    tiles = []
    for item in rows:
        masked = item["image"].copy()
        masked[item["mask"] > 0] = 255
        row = []
        for picture in [masked] + [item[m] for m in methods] + [item["image"]]:
            tile = Image.fromarray(picture)
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
    parser.add_argument("--methods", default=",".join(m.name for m in tasks.get("inpaint").methods))
    parser.add_argument("--masks", default="small,medium,large")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-side", type=int, default=512)
    parser.add_argument("--per-image", type=int, default=0, help="masks per photo and size (0: enough for --min-fills)")
    parser.add_argument("--min-fills", type=int, default=50)
    parser.add_argument("--weights", default=None, help="inpainting weights name or path (default: shipped)")
    parser.add_argument("--json", default=None, help="write the numbers here")
    parser.add_argument("--grid", default=None, help="write a comparison grid PNG here")
    parser.add_argument("--update-card", action="store_true",
                        help="record the numbers in the evaluated model's card (weights/NAME.json)")
    args = parser.parse_args(argv)
    methods, sizes = args.methods.split(","), args.masks.split(",")
    for size in sizes:
        if size not in MASK_SIZES:
            parser.error(f"unknown mask size {size!r}")
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
        comparison_grid(examples, methods, args.grid)
        print(f"grid written to {args.grid}", file=sys.stderr)


if __name__ == "__main__":
    main()
