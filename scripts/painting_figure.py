"""The README's picture of crack filling at 100% on held-out paintings (paintings:val).

    python scripts/painting_figure.py --out docs/painting-cracks.jpg
    python scripts/painting_figure.py --paintings gogh_auvert.png EjiriSuruga.png --out /tmp/other.jpg

Each row: a 256 px window of a held-out painting at 512 px (the evaluation's size), where its first seeded
crack mask (gan_core.eval.inpaint with --masks crack --seed 0: the same mask every method fills there) is
densest. Columns: the painting with the cracks in magenta, Telea, Navier-Stokes, FSR, the photo model
(inpaint-photo), the painting model (inpaint-painting), the original. Each fill carries its PSNR over the
cracks inside the window, which is also printed. Under each row, the 128 px part of the window with the
most cracks, enlarged 2x (nearest neighbour), where the fills can be told apart.
"""
import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from gan_core.core import metrics  # noqa: E402
from gan_core.eval.inpaint import fill, prepare, resolve_files, seeded_mask  # noqa: E402

PAINTINGS = ("gogh_auvert.png", "PieterBruegel.png")  # bold brushwork; fine detail
COLUMNS = (("Telea", "telea", None), ("Navier-Stokes", "ns", None), ("FSR", "fsr", None),
           ("inpaint-photo", "gan", "inpaint-photo"), ("inpaint-painting", "gan", "inpaint-painting"))
WINDOW = 256
STRIP = 46  # px of label strip above each panel
MAGENTA = (255, 0, 200)


def densest_window(mask: np.ndarray, size: int = WINDOW) -> tuple[slice, slice]:
    """The size x size box inside the image that holds the most crack pixels (summed-area table)."""
    table = np.pad((mask > 0).astype(np.int64).cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    counts = (table[size:, size:] - table[:-size, size:] - table[size:, :-size]
              + table[:-size, :-size])                                # (H - size + 1, W - size + 1)
    top, left = np.unravel_index(np.argmax(counts), counts.shape)
    return slice(top, top + size), slice(left, left + size)


def panel(pixels: np.ndarray, title: str, numbers: str, font) -> Image.Image:
    cell = Image.new("RGB", (pixels.shape[1], pixels.shape[0] + STRIP), "white")
    cell.paste(Image.fromarray(pixels), (0, STRIP))
    draw = ImageDraw.Draw(cell)
    draw.text((4, 3), title, fill="black", font=font)
    draw.text((4, 3 + STRIP // 2), numbers, fill=(60, 60, 60), font=font)
    return cell


def zoom_panel(pixels: np.ndarray, title: str, font) -> Image.Image:
    """A part of a window enlarged 2x (nearest), under a one-line strip."""
    picture = Image.fromarray(pixels).resize((2 * pixels.shape[1], 2 * pixels.shape[0]), Image.NEAREST)
    cell = Image.new("RGB", (picture.width, picture.height + STRIP // 2), "white")
    cell.paste(picture, (0, STRIP // 2))
    ImageDraw.Draw(cell).text((4, 2), title, fill=(60, 60, 60), font=font)
    return cell


def side_by_side(cells: list) -> Image.Image:
    row = Image.new("RGB", (sum(c.width for c in cells) + 4 * (len(cells) - 1), cells[0].height), "white")
    for i, cell in enumerate(cells):
        row.paste(cell, (i * (cell.width + 4), 0))
    return row


def painting_rows(images: list, name: str, font) -> tuple[list, dict]:
    """One painting: the window at 100% and its densest part at 2x, and {column: masked PSNR in the window}."""
    index = [n for n, _ in images].index(name)  # a painting's mask seed is its index in paintings:val
    image = images[index][1]
    mask = seeded_mask(image, 0, index, "crack", 0)
    rows, cols = densest_window(mask)
    window_mask = mask[rows, cols]
    shown = image.copy()
    shown[mask > 0] = MAGENTA
    zoom_rows, zoom_cols = densest_window(window_mask, WINDOW // 2)
    zoom = lambda window, title: zoom_panel(window[zoom_rows, zoom_cols], f"2x  {title}", font)  # noqa: E731
    cells = [panel(shown[rows, cols], name.rsplit(".", 1)[0], f"cracks {100 * (window_mask > 0).mean():.1f}% of window",
                   font)]
    zooms = [zoom(shown[rows, cols], "cracks")]
    scores = {}
    for title, method, weights in COLUMNS:
        result = fill(method, image, mask, weights)[0][rows, cols]
        scores[title] = metrics.psnr(image[rows, cols], result, window_mask)
        cells.append(panel(result, title, f"PSNR cracks {scores[title]:.2f} dB", font))
        zooms.append(zoom(result, title))
    cells.append(panel(image[rows, cols], "original", f"{image.shape[1]}x{image.shape[0]}, window at 100%", font))
    zooms.append(zoom(image[rows, cols], "original"))
    return [side_by_side(cells), side_by_side(zooms)], scores


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--paintings", nargs="+", default=list(PAINTINGS), help="file names among paintings:val")
    parser.add_argument("--out", default="docs/painting-cracks.jpg")
    args = parser.parse_args(argv)
    images = prepare(resolve_files("paintings:val"), 512)  # all of them: a painting's mask seed is its index
    font = ImageFont.load_default(size=16)
    rows = []
    for name in args.paintings:
        pair, scores = painting_rows(images, name, font)
        rows += pair
        print(f"{name}: masked PSNR in the window " + ", ".join(f"{t} {s:.2f}" for t, s in scores.items()))
    sheet = Image.new("RGB", (rows[0].width, sum(r.height for r in rows) + 8 * (len(rows) - 1)), "white")
    top = 0
    for row in rows:
        sheet.paste(row, (0, top))
        top += row.height + 8
    sheet.save(args.out, quality=92)
    print(f"wrote {args.out} ({sheet.width}x{sheet.height}): columns painting + cracks, "
          + ", ".join(t for t, _, _ in COLUMNS) + ", original")


if __name__ == "__main__":
    main()
