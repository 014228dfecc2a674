"""Sparse-view CT measured honestly: FBP, SART-TV and the learned model(s), in-source and on a held-out source.

    python -m gan_core.eval.ct                                  # writes docs/ct-val.json, prints a table
    python -m gan_core.eval.ct --slices 4 --out /tmp/ct.json    # a quick run
    python -m gan_core.eval.ct --tune                           # tune SART-TV's weight on training slices again

The slices are those of gan_core.eval.mri (colin27's validation slab, "in-source"; the macaque scan no model
trains on, "held-out source"), each made a CT slice by gan_core.mri.ct.square_slice: centre-cropped to an even
square of its shorter side, zero outside the inscribed circle. Every method reads the same sinogram,
radon(slice, angles_for(views), circle=True), at 60 and 30 views. SART-TV's weight is
gan_core.mri.classical.SART_TV_WEIGHT, tuned on training slices (--tune tunes it again from a grid, on
training slices only). PSNR and SSIM are on the [0, 1] scale against the slice; ms is the median wall time of
one slice on this machine.
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np

from gan_core.core.paths import DOCS_DIR
from gan_core.eval.mri import markdown_table, trained_on_held_out_source, tuning_slices, validation_splits
from gan_core.mri import ct
from gan_core.mri.classical import SART_ITERATIONS, SART_RELAXATION, SART_TV_WEIGHT, psnr01, sart_tv, ssim01

WEIGHT_GRID = (0.0025, 0.005, 0.01, 0.02, 0.03)


def ct_slices(items: list) -> list[np.ndarray]:
    """Brain slices (gan_core.mri.slices.Slice) as CT slices: even squares, zero outside the circle."""
    return [ct.square_slice(item.image) for item in items]


def tune_weight(images: list, views: int, grid=WEIGHT_GRID) -> tuple[float, dict]:
    """The grid's SART-TV weight with the best mean PSNR on these (training) slices, and every mean."""
    angles = ct.angles_for(views)
    sinograms = [ct.sinogram_of(image, angles) for image in images]
    means = {weight: float(np.mean([psnr01(image, sart_tv(sinogram, angles, weight))
                                    for image, sinogram in zip(images, sinograms)])) for weight in grid}
    return max(means, key=means.get), means


def measure(methods: dict, images: list, views: int) -> dict:
    """{method: {psnr, ssim, ms}} over the slices, each method on the same sinogram."""
    angles = ct.angles_for(views)
    rows = {name: {"psnr": [], "ssim": [], "ms": []} for name in methods}
    for image in images:
        sinogram = ct.sinogram_of(image, angles)
        for name, method in methods.items():
            start = time.perf_counter()
            result = method(sinogram, angles)
            rows[name]["ms"].append(1000 * (time.perf_counter() - start))
            rows[name]["psnr"].append(psnr01(image, result))
            rows[name]["ssim"].append(ssim01(image, result))
    return {name: {"psnr": round(float(np.mean(row["psnr"])), 3), "ssim": round(float(np.mean(row["ssim"])), 4),
                   "ms": round(float(np.median(row["ms"])), 1)} for name, row in rows.items()}


def evaluate(splits: dict, tuning: list, weights=(), retune: bool = False) -> dict:
    """The report. splits: {split: [CT slice]}; tuning: training CT slices (used only with retune);
    weights: CT weights files, each a method labelled by its file's stem."""
    models = {Path(path).stem: Path(path) for path in weights}
    report = {"slices": {split: len(images) for split, images in splits.items()},
              "tuning_slices": len(tuning) if retune else 0,
              "weights": {name: str(path) for name, path in models.items()},
              "notes": [], "views": {}, "splits": {split: {} for split in splits}}
    for name, path in models.items():
        if trained_on_held_out_source(path):
            report["notes"].append(f"{name} trained on the macaque scan too: its held-out-source figure is not "
                                   "held out")
    for views in ct.VIEWS:
        setting = f"{views} views"
        weight, tried = tune_weight(tuning, views, WEIGHT_GRID) if retune else (SART_TV_WEIGHT[views], {})
        report["views"][setting] = {"sart-tv": {
            "weight": weight, "relaxation": SART_RELAXATION, "iterations": SART_ITERATIONS,
            "train_psnr": {str(k): round(v, 3) for k, v in tried.items()},
            "tuned": "here, on training slices" if retune else "gan_core.mri.classical.SART_TV_WEIGHT"}}
        methods = {"fbp": ct.fbp, "sart-tv": lambda sinogram, angles: sart_tv(sinogram, angles, weight)}
        for name, path in models.items():
            methods[name] = lambda sinogram, angles, path=path: ct.ct_reconstruct(sinogram, angles, weights=path)
        for split, images in splits.items():
            report["splits"][split][setting] = measure(methods, images, views)
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m gan_core.eval.ct", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weights", action="append", default=None,
                        help=f"a CT weights file (repeatable; default: weights/{ct.DEFAULT_WEIGHTS.name} if present)")
    parser.add_argument("--slices", type=int, default=0, help="evenly spaced slices per split (0: all)")
    parser.add_argument("--every", type=int, default=4, help="every n-th slice of the held-out source")
    parser.add_argument("--tune", action="store_true", help="tune SART-TV's weight from a grid (else SART_TV_WEIGHT)")
    parser.add_argument("--tune-slices", type=int, default=6, help="training slices to tune on, with --tune")
    parser.add_argument("--out", default=str(DOCS_DIR / "ct-val.json"))
    args = parser.parse_args(argv)
    weights = [Path(path) for path in args.weights] if args.weights is not None else [ct.DEFAULT_WEIGHTS]
    for path in weights:
        if not path.exists():
            print(f"{path} is missing (no CT model trained yet?): the learned row is skipped")
    splits = {split: ct_slices(items) for split, items in validation_splits(args.slices, args.every).items()}
    tuning = ct_slices(tuning_slices(args.tune_slices)) if args.tune else []
    report = evaluate(splits, tuning, [path for path in weights if path.exists()], args.tune)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(markdown_table(report, "views"))


if __name__ == "__main__":
    main()
