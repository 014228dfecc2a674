"""How much of a GAN fill's fine detail is the 4x4 lattice of the generator's fold, not texture.

The inpainter works on 4x4 pixel blocks folded into channels (gan_core.inpainting.model), so an adversarially trained
model can "add detail" as a pattern that repeats every 4 pixels, which the detail ratio would count as
texture. Here, for each fill: the grey image minus a Gaussian blur (sigma 1.5) keeps the fine detail; in
every 32x32 tile wholly inside the hole (eroded by 2 px), the mean of that detail at each of the 16 positions
within a 4x4 block is the lattice. Printed: lattice energy over detail energy, pooled over all tiles, for the
GAN's fills and for the photo itself on the same tiles (the photo's figure, ~1-2%, is the sampling floor: 64
pixels per position); and the share of the mean Sobel gradient (what the detail ratio counts) that is left
once the lattice is subtracted from each tile. Masks are seeded as in gan_core.eval.inpaint.

    python -m gan_core.eval.fold_lattice --images data/select.txt --seed 1 --weights inpaint-photo inpaint-photo-faithful
"""
import argparse

import cv2
import numpy as np

from skimage.filters import sobel

from gan_core.photos.data import resolve_files
from gan_core.core.metrics import hole_interior
from gan_core.eval.inpaint import fill, fills_per_image, prepare, seeded_mask

TILE, BLOCK = 32, 4


def lattice_energy(image: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """[lattice energy, detail energy, Sobel gradient, Sobel gradient without the lattice, tiles], summed over
    the 32x32 tiles that lie wholly inside the hole."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    detail = grey - cv2.GaussianBlur(grey, (0, 0), 1.5)
    sums = np.zeros(5)
    for y in range(0, detail.shape[0] - TILE + 1, TILE):
        for x in range(0, detail.shape[1] - TILE + 1, TILE):
            if hole[y:y + TILE, x:x + TILE].all():
                tile, fine = grey[y:y + TILE, x:x + TILE], detail[y:y + TILE, x:x + TILE]
                per_position = fine.reshape(TILE // BLOCK, BLOCK, TILE // BLOCK, BLOCK).mean(axis=(0, 2))
                without_lattice = tile - np.tile(per_position, (TILE // BLOCK, TILE // BLOCK))
                sums += ((per_position**2).mean(), (fine**2).mean(), sobel(tile / 255).mean(),
                         sobel(without_lattice / 255).mean(), 1)
    return sums


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", default="data/select.txt")
    parser.add_argument("--weights", nargs="+", default=["inpaint-photo"])
    parser.add_argument("--masks", default="medium,large")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--min-fills", type=int, default=50)
    args = parser.parse_args()
    images = prepare(resolve_files(args.images), 512)
    per_image = fills_per_image(len(images), args.min_fills)
    print(f"{'weights':40} {'mask':7} {'tiles':>6} {'GAN lattice %':>14} {'photo lattice %':>16} "
          f"{'GAN Sobel kept %':>17} {'photo Sobel kept %':>19}")
    for weights in args.weights:
        for size in args.masks.split(","):
            gan, photo = np.zeros(5), np.zeros(5)
            for index, (_, image) in enumerate(images):
                for k in range(per_image):
                    mask = seeded_mask(image, args.seed, index, size, k)
                    hole = hole_interior(mask)
                    gan += lattice_energy(fill("gan", image, mask, weights)[0], hole)
                    photo += lattice_energy(image, hole)
            print(f"{weights:40} {size:7} {int(gan[4]):6d} {100 * gan[0] / max(gan[1], 1e-9):14.2f} "
                  f"{100 * photo[0] / max(photo[1], 1e-9):16.2f} {100 * gan[3] / max(gan[2], 1e-9):17.1f} "
                  f"{100 * photo[3] / max(photo[2], 1e-9):19.1f}")


if __name__ == "__main__":
    main()
