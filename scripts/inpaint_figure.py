"""The README's picture of object removal and Extend, at 100% on held-out photos (manifest:val).

    python scripts/inpaint_figure.py --out docs/inpaint-object-extend.jpg
    python scripts/inpaint_figure.py --weights OLD.safetensors --out before.jpg      # another model

Rows 1-3: a 256 px window around a seeded object-shaped hole (the same masks as the evaluation's `object`
class, seed 0) at 512 px: the photo with the hole in magenta, Navier-Stokes, PatchMatch, the GAN.
Row 4: Extend, two photos grown by 160 px on the right (a magenta line marks the old edge), at 100%: the
right-hand 512 px of each.
"""
import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from gan_core.inpainting import outpaint  # noqa: E402
from gan_core.eval.inpaint import fill, prepare, resolve_files, seeded_mask  # noqa: E402

OBJECT_PHOTOS = ("penguin.jpg", "hdr_room.png", "LadyBird.jpg")  # a calm background, a room, bokeh
EXTEND_PHOTOS = ("pontduGard.jpg", "sea4.jpg")  # trees and stone; sea and sky
WINDOW = 256
MAGENTA = (255, 0, 200)


def window_around(mask: np.ndarray) -> tuple[slice, slice]:
    """A WINDOW x WINDOW box centred on the hole, inside the photo."""
    ys, xs = np.nonzero(mask)
    top = int(np.clip(ys.mean() - WINDOW // 2, 0, mask.shape[0] - WINDOW))
    left = int(np.clip(xs.mean() - WINDOW // 2, 0, mask.shape[1] - WINDOW))
    return slice(top, top + WINDOW), slice(left, left + WINDOW)


def object_row(images: list, name: str, weights) -> np.ndarray:
    index = [n for n, _ in images].index(name)
    image = images[index][1]
    mask = seeded_mask(image, 0, index, "object", 0)
    shown = image.copy()
    shown[mask > 0] = MAGENTA
    cells = [shown] + [fill(method, image, mask, weights if method == "gan" else None)[0]
                       for method in ("ns", "patchmatch", "gan")]
    rows, cols = window_around(mask)
    return np.concatenate([cell[rows, cols] for cell in cells], axis=1)


def extend_row(images: list, weights) -> np.ndarray:
    halves = []
    for name in EXTEND_PHOTOS:
        image = dict(images)[name]
        grown = np.asarray(outpaint.extend(image, right=160, weights=weights)).copy()
        grown[:, image.shape[1] - 1] = MAGENTA
        halves.append(grown[:WINDOW, -2 * WINDOW:])
    return np.concatenate(halves, axis=1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weights", default=None, help="inpainting weights (default: the shipped model)")
    parser.add_argument("--out", default="docs/inpaint-object-extend.jpg")
    args = parser.parse_args(argv)
    images = prepare(resolve_files("manifest:val"), 512)  # all of them: a photo's mask seed is its index
    rows = [object_row(images, name, args.weights) for name in OBJECT_PHOTOS]
    rows.append(extend_row(images, args.weights))
    Image.fromarray(np.concatenate(rows, axis=0)).save(args.out, quality=92)
    print(f"wrote {args.out}: columns photo + hole, Navier-Stokes, PatchMatch, GAN; last row Extend")


if __name__ == "__main__":
    main()
