"""How well "Find cracks" (gan_core.photos.paintings.find_cracks) finds cracks drawn on paintings.

Real cracked paintings with a traced crack map do not install offline, so the cracks are drawn: for each
painting and seed, a craquelure network (1-3 px lines) and one to three flakes (gan_core.inpainting.masks), the paint
under them darkened by `--factor` (0.25: a crack shows a quarter of the paint's light, as a shadowed groove
does), saved as a JPEG of quality 90 and read back. Printed, over all the drawings:
  precision  the share of what was marked that lies on drawn damage (within 1 px, the cracks' soft edge)
  recall     the share of the drawn crack lines (not flakes: the tool looks for lines) marked within 1 px
  marked     the share of the painting marked
With --restore WEIGHTS, also what a user gets: the painting's PSNR (whole image, against the undamaged
painting) damaged, and after Find cracks and a fill by the GAN, with the found mask grown by 0 and by 1 px.
Tune on the training paintings; report the held-out ones.

    python -m gan_core.eval.cracks --images paintings:train --darker 0.35 0.45 0.55 --factor 0.25 0.45
    python -m gan_core.eval.cracks --images paintings:val --restore inpaint-painting
"""
import argparse

import cv2
import numpy as np

from gan_core.inpainting import masks
from gan_core.inpainting.fill import inpaint
from gan_core.core.metrics import psnr
from gan_core.photos.data import resolve_files
from gan_core.photos.paintings import find_cracks
from gan_core.eval.inpaint import prepare

WITHIN_ONE_PIXEL = np.ones((3, 3), np.uint8)


def draw_damage(painting: np.ndarray, seed: int, factor: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(damaged painting, all damage HxW bool, crack lines HxW bool) for one seed."""
    rng = np.random.default_rng(seed)
    height, width = painting.shape[:2]
    lines = masks.craquelure(height, width, rng) > 0
    damage = lines | (masks.flakes(height, width, rng, count=int(rng.integers(1, 4))) > 0)
    damaged = np.where(damage[..., None], painting * factor, painting).astype(np.uint8)
    _, jpeg = cv2.imencode(".jpg", np.ascontiguousarray(damaged[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, 90])
    return cv2.imdecode(jpeg, cv2.IMREAD_COLOR)[..., ::-1].copy(), damage, lines


def drawings(paintings: list[np.ndarray], factor: float, seeds: int):
    """(painting, damaged, damage, lines) for every painting and seed: the same drawings for every measure."""
    for index, painting in enumerate(paintings):
        for seed in range(seeds):
            yield painting, *draw_damage(painting, 1000 * index + seed, factor)


def score(found: np.ndarray, damage: np.ndarray, lines: np.ndarray) -> tuple[float, float, float]:
    """(precision, recall, share marked), with 1 px of slack both ways."""
    near_damage = cv2.dilate(damage.astype(np.uint8), WITHIN_ONE_PIXEL) > 0
    near_found = cv2.dilate(found.astype(np.uint8), WITHIN_ONE_PIXEL) > 0
    precision = (found & near_damage).sum() / max(found.sum(), 1)
    recall = (lines & near_found).sum() / max(lines.sum(), 1)
    return precision, recall, found.mean()


def evaluate(paintings: list[np.ndarray], darker: float, factor: float, width: int = 2, seeds: int = 2) -> dict:
    """Mean precision, recall, F1 and share marked of find_cracks (without growing) over paintings x seeds."""
    scores = []
    for _, damaged, damage, lines in drawings(paintings, factor, seeds):
        found = find_cracks(damaged, width=width, darker=darker, grow=0) > 0
        scores.append(score(found, damage, lines))
    precision, recall, marked = np.mean(scores, axis=0)
    return dict(precision=precision, recall=recall, f1=2 * precision * recall / max(precision + recall, 1e-9),
                marked=marked)


def restore(paintings: list[np.ndarray], weights: str, darker: float, factor: float, seeds: int = 1,
            grows=(0, 1)) -> dict:
    """Mean whole-painting PSNR: {"damaged": ..., "grow 0": ..., "grow 1": ...} after Find cracks and the fill."""
    scores = {"damaged": []} | {f"grow {grow}": [] for grow in grows}
    for painting, damaged, _, _ in drawings(paintings, factor, seeds):
        scores["damaged"].append(psnr(painting, damaged))
        for grow in grows:
            mask = find_cracks(damaged, darker=darker, grow=grow).astype(np.uint8)
            scores[f"grow {grow}"].append(psnr(painting, np.asarray(inpaint(damaged, mask, weights))))
    return {name: float(np.mean(values)) for name, values in scores.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", default="paintings:train", help="paintings:train, paintings:val or files")
    parser.add_argument("--darker", type=float, nargs="+", default=[0.45], help="find_cracks' darker values to try")
    parser.add_argument("--factor", type=float, nargs="+", default=[0.25], help="how much light a drawn crack keeps")
    parser.add_argument("--width", type=int, default=2, help="find_cracks' widest crack (px)")
    parser.add_argument("--seeds", type=int, default=2, help="drawings per painting")
    parser.add_argument("--max-side", type=int, default=512)
    parser.add_argument("--restore", metavar="WEIGHTS", help="also fill the found cracks with these weights")
    args = parser.parse_args(argv)
    paintings = [image for _, image in prepare(resolve_files(args.images), args.max_side)]
    print(f"{len(paintings)} paintings from {args.images}, {args.seeds} drawings each, width {args.width}")
    for factor in args.factor:
        for darker in args.darker:
            result = evaluate(paintings, darker, factor, args.width, args.seeds)
            print(f"cracks keep {factor:.2f} of the light, darker {darker:.2f}: precision {result['precision']:.3f}"
                  f"  recall {result['recall']:.3f}  F1 {result['f1']:.3f}  marked {result['marked']:.1%}")
            if args.restore:
                psnrs = restore(paintings, args.restore, darker, factor, args.seeds)
                print("  painting PSNR " + ", ".join(f"{name} {value:.2f} dB" for name, value in psnrs.items()))


if __name__ == "__main__":
    main()
