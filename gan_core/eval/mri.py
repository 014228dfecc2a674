"""MRI reconstruction on held-out slices: the GAN against zero-filling and L1-wavelet compressed sensing.

    python -m gan_core.eval.mri                      # writes docs/mri-val.json
    python -m gan_core.eval.mri --slices 8 --out /tmp/mri.json

Every method sees the same k-space: fftshift(fft2(slice, norm="ortho")) times a seeded random Cartesian
mask (one per slice and acceleration). The compressed-sensing peer is sigpy's L1WaveletRecon (Lustig et
al. 2007), its regularisation weight chosen from a grid by mean PSNR on *training* slices, at each
acceleration. PSNR and SSIM are on the [0, 1] scale against the original slice; milliseconds are the
wall time of one slice on this machine.
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from gan_core.mri import slices as mri_data
from gan_core.mri.classical import l1_wavelet, psnr01, ssim01
from gan_core.mri.recon import ACCELERATIONS, DEFAULT_WEIGHTS, column_mask, load_generator, mri_reconstruct, to_kspace, zero_filled
from gan_core.core.paths import DOCS_DIR

LAMBDA_GRID = (3e-5, 1e-4, 3e-4, 1e-3, 3e-3)
DOCS = DOCS_DIR


def tune_lambda(slices: list, acceleration: int, grid=LAMBDA_GRID) -> tuple[float, dict]:
    """The grid's lamda with the best mean PSNR on these (training) slices, and every mean it measured."""
    means = {}
    for lamda in grid:
        scores = []
        for index, item in enumerate(slices):
            mask = column_mask(*item.image.shape, acceleration, seed=77 + index)
            scores.append(psnr01(item.image, l1_wavelet(to_kspace(item.image) * mask, mask, lamda)))
        means[lamda] = float(np.mean(scores))
    return max(means, key=means.get), means


def evaluate(val_slices: list, train_slices: list, weights=DEFAULT_WEIGHTS, tune_count: int = 6) -> dict:
    """{acceleration: {method: {psnr, ssim, ms}}} over the validation slices, plus per-brain PSNR and the tuning."""
    generator = load_generator(weights)
    tuning_slices = [train_slices[i] for i in np.linspace(0, len(train_slices) - 1, tune_count).round().astype(int)]
    report = {"slices": len(val_slices), "weights": str(weights), "accelerations": {}}
    for acceleration in ACCELERATIONS:
        lamda, tried = tune_lambda(tuning_slices, acceleration)
        print(f"{acceleration}x: lamda {lamda} (mean train PSNR {tried})", file=sys.stderr)
        methods = {"zero-filled": lambda k, m: zero_filled(k),
                   "l1-wavelet": lambda k, m: l1_wavelet(k, m, lamda),
                   "gan": lambda k, m: mri_reconstruct(k, m, generator)}
        rows = {name: {"psnr": [], "ssim": [], "ms": [], "brain": []} for name in methods}
        for index, item in enumerate(val_slices):
            mask = column_mask(*item.image.shape, acceleration, seed=1000 * acceleration + index)
            kspace = to_kspace(item.image) * mask
            for name, method in methods.items():
                start = time.perf_counter()
                result = method(kspace, mask)
                rows[name]["ms"].append(1000 * (time.perf_counter() - start))
                rows[name]["psnr"].append(psnr01(item.image, result))
                rows[name]["ssim"].append(ssim01(item.image, result))
                rows[name]["brain"].append(item.brain)
        summary = {}
        for name, row in rows.items():
            brains = np.array(row["brain"])
            summary[name] = {"psnr": round(float(np.mean(row["psnr"])), 3), "ssim": round(float(np.mean(row["ssim"])), 4),
                             "ms": round(float(np.median(row["ms"])), 1),
                             "psnr_by_brain": {b: round(float(np.mean(np.array(row["psnr"])[brains == b])), 3)
                                               for b in sorted(set(row["brain"]))}}
        summary["l1-wavelet"]["lamda"] = lamda
        summary["l1-wavelet"]["lamda_grid_train_psnr"] = {str(k): round(v, 3) for k, v in tried.items()}
        report["accelerations"][f"{acceleration}x"] = summary
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m gan_core.eval.mri", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weights", default=str(DEFAULT_WEIGHTS))
    parser.add_argument("--slices", type=int, default=0, help="evenly spaced validation slices (0: all)")
    parser.add_argument("--tune-slices", type=int, default=6, help="training slices to tune lamda on")
    parser.add_argument("--out", default=str(DOCS / "mri-val.json"))
    args = parser.parse_args(argv)
    val = mri_data.load_slices("val")
    if args.slices:
        val = [val[i] for i in dict.fromkeys(np.linspace(0, len(val) - 1, args.slices).round().astype(int))]
    report = evaluate(val, mri_data.load_slices("train"), args.weights, args.tune_slices)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    for acceleration, summary in report["accelerations"].items():
        for name, numbers in summary.items():
            print(f"{acceleration} {name:12s} PSNR {numbers['psnr']:6.2f} dB  SSIM {numbers['ssim']:.4f}  "
                  f"{numbers['ms']:7.1f} ms/slice")


if __name__ == "__main__":
    main()
