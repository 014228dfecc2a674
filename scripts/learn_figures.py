"""The README's pictures of the Learn tab's Fashion-MNIST models, from the shipped weights.

    python scripts/learn_figures.py            # docs/cyclegan-shoes.png and docs/dcgan-fashion.png

cyclegan-shoes.png: the first 12 held-out sandals, their translations to sneakers and the round trips back;
then the same for 12 held-out sneakers (rows, top to bottom), 3x nearest-neighbour.
dcgan-fashion.png: the first 64 samples of dcgan-fashion (seed 0, as in the Learn tab), and beside them the
first 64 of dcgan-fashion-collapse if it is shipped, 3x.
"""
import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import gan_core  # noqa: E402
from gan_core.learn import cyclegan  # noqa: E402

SCALE = 3
GAP = 4            # pixels between tiles (before scaling)
LABEL_WIDTH = 150  # pixels of row labels (after scaling)
BACKGROUND = 60


def tile_row(items: np.ndarray) -> np.ndarray:
    """(n, H, W) uint8 -> one row with GAP grey pixels between the tiles."""
    gap = np.full((items.shape[1], GAP), BACKGROUND, np.uint8)
    return np.concatenate([part for item in items for part in (item, gap)][:-1], 1)


def labelled_rows(rows: list[np.ndarray], labels: list[str]) -> Image.Image:
    height, width = rows[0].shape[0] * SCALE, rows[0].shape[1] * SCALE
    canvas = Image.new("L", (LABEL_WIDTH + width, len(rows) * (height + GAP * SCALE)), 255)
    draw = ImageDraw.Draw(canvas)
    for index, (row, label) in enumerate(zip(rows, labels)):
        top = index * (height + GAP * SCALE)
        canvas.paste(Image.fromarray(row).resize((width, height), Image.NEAREST), (LABEL_WIDTH, top))
        draw.text((6, top + height // 2 - 6), label, fill=0)
    return canvas


def cyclegan_figure(n: int = 12) -> Image.Image:
    rows, labels = [], []
    for direction, back, label, names in (("a2b", "b2a", cyclegan.CLASS_A, ("sandals", "-> sneakers", "-> back")),
                                          ("b2a", "a2b", cyclegan.CLASS_B, ("sneakers", "-> sandals", "-> back"))):
        real = cyclegan.held_out(label, n)
        fake = gan_core.translate(real, direction=direction)
        rows += [tile_row(real), tile_row(fake), tile_row(gan_core.translate(fake, direction=back))]
        labels += list(names)
    return labelled_rows(rows, labels)


def samples_grid(weights: str, side: int = 8) -> np.ndarray:
    """The first side x side samples of a shipped DCGAN (seed 0), GAP grey pixels between them."""
    samples = gan_core.generate(weights, n=side * side, seed=0)
    rows = [tile_row(samples[i * side:(i + 1) * side]) for i in range(side)]
    gap = np.full((GAP, rows[0].shape[1]), BACKGROUND, np.uint8)
    return np.concatenate([part for row in rows for part in (row, gap)][:-1], 0)


def dcgan_figure() -> Image.Image:
    grids = [("dcgan-fashion", samples_grid("dcgan-fashion"))]
    try:
        grids.append(("dcgan-fashion-collapse", samples_grid("dcgan-fashion-collapse")))
    except FileNotFoundError:
        pass
    height, width = grids[0][1].shape[0] * SCALE, grids[0][1].shape[1] * SCALE
    canvas = Image.new("L", (len(grids) * (width + 30), height + 24), 255)
    draw = ImageDraw.Draw(canvas)
    for index, (name, grid) in enumerate(grids):
        canvas.paste(Image.fromarray(grid).resize((width, height), Image.NEAREST), (index * (width + 30), 24))
        draw.text((index * (width + 30) + 4, 6), f"{name}: samples 0-63 (seed 0)", fill=0)
    return canvas


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs"))
    args = parser.parse_args()
    out = Path(args.out)
    cyclegan_figure().save(out / "cyclegan-shoes.png")
    dcgan_figure().save(out / "dcgan-fashion.png")
    print(out / "cyclegan-shoes.png", out / "dcgan-fashion.png")


if __name__ == "__main__":
    main()
