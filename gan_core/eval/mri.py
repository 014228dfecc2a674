"""MRI reconstruction measured honestly: classical peers and learned models, in-source and on a held-out source.

    python -m gan_core.eval.mri                                 # writes docs/mri-val.json, prints a table
    python -m gan_core.eval.mri --slices 4 --out /tmp/mri.json  # a quick run
    python -m gan_core.eval.mri --weights weights/mri-unrolled.safetensors --tune-tv

Two splits, reported separately: "in-source", colin27's validation slab (the training sources' held-out
slices), and "held-out source", the macaque scan (another species, scanner and resolution) that the
generalising models never train on. Every method sees the same k-space: fftshift(fft2(slice, norm="ortho"))
times a seeded random Cartesian mask (one per slice and acceleration). The classical peers are tuned on
*training* slices only: the L1-wavelet weight from a grid here, at each acceleration; the TV weight is
gan_core.mri.classical.TV_WEIGHT (tuned the same way; --tune-tv tunes it again from a grid). PSNR and SSIM
are on the [0, 1] scale against the original slice; ms is the median wall time of one slice on this machine.
For each learned model, "dc" is max |k_out - k_in| over the measured lines relative to max |k_in|: the
measured lines must come back (about 1e-6, float32 precision).
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np

from gan_core.core.paths import DOCS_DIR, WEIGHTS_DIR
from gan_core.core.weights import load_state
from gan_core.mri import slices as mri_data
from gan_core.mri.classical import TV_WEIGHT, l1_wavelet, psnr01, ssim01, tv_cs
from gan_core.mri.recon import ACCELERATIONS, column_mask, load_generator, reconstruct_complex, to_kspace, zero_filled

LAMBDA_GRID = (3e-5, 1e-4, 3e-4, 1e-3, 3e-3)
TV_GRID = (0.001, 0.002, 0.003, 0.005, 0.01, 0.02)
DEFAULT_MODELS = (WEIGHTS_DIR / "mri-recon.safetensors", WEIGHTS_DIR / "mri-unrolled.safetensors")
IN_SOURCE, HELD_OUT = "in-source", "held-out source"
DOCS = DOCS_DIR


# ----------------------------------------------------------------------------------------------------
# The slices: two validation splits, and evenly spaced training slices to tune on


def evenly(items: list, count: int) -> list:
    """`count` evenly spaced items (all of them for count 0 or more than there are)."""
    if not count or count >= len(items):
        return list(items)
    return [items[i] for i in dict.fromkeys(np.linspace(0, len(items) - 1, count).round().astype(int))]


def validation_splits(count: int = 0, every: int = 4) -> dict:
    """{split: slices}: colin27's validation slab, and every `every`-th slice of the held-out macaque scan."""
    return {IN_SOURCE: evenly(mri_data.load_slices("val", scans=mri_data.TRAINING_SOURCES), count),
            HELD_OUT: evenly(mri_data.source_slices(every=every), count)}


def tuning_slices(count: int = 6) -> list:
    """Evenly spaced training slices of the training sources: the only slices the classical weights see."""
    return evenly(mri_data.load_slices("train", scans=mri_data.TRAINING_SOURCES), count)


# ----------------------------------------------------------------------------------------------------
# Tuning the classical weights on training slices


def tune(method, slices: list, acceleration: int, grid) -> tuple[float, dict]:
    """The grid's value with the best mean PSNR of method(kspace, mask, value) on these (training) slices."""
    means = {}
    for value in grid:
        scores = []
        for index, item in enumerate(slices):
            mask = column_mask(*item.image.shape, acceleration, seed=77 + index)
            scores.append(psnr01(item.image, method(to_kspace(item.image) * mask, mask, value)))
        means[value] = float(np.mean(scores))
    return max(means, key=means.get), means


def tune_lambda(slices: list, acceleration: int, grid=LAMBDA_GRID) -> tuple[float, dict]:
    return tune(l1_wavelet, slices, acceleration, grid)


def tune_tv(slices: list, acceleration: int, grid=TV_GRID) -> tuple[float, dict]:
    return tune(lambda kspace, mask, weight: tv_cs(kspace, mask, weight), slices, acceleration, grid)


# ----------------------------------------------------------------------------------------------------
# Learned models


def trained_on_held_out_source(path: Path) -> bool:
    """Whether the model card lists the held-out source among the scans it trained on."""
    scans = load_state(path)[2].get("data", {}).get("scans", {})
    return any(name in scans for name in mri_data.HELD_OUT_SOURCE)


class LearnedMethod:
    """A weights file as a method: magnitude out, and the data-consistency error of each call kept in .dc (the
    complex image comes from mri.recon.reconstruct_complex, the same run as mri_reconstruct's)."""

    def __init__(self, path: Path):
        self.generator = load_generator(path)
        self.dc = []

    def __call__(self, kspace: np.ndarray, mask: np.ndarray) -> np.ndarray:
        image = reconstruct_complex(kspace, mask, self.generator)
        returned = to_kspace(image.astype(np.complex128))
        self.dc.append(float(np.abs(returned - kspace)[mask].max() / max(np.abs(kspace).max(), 1e-30)))
        return np.abs(image).astype(np.float32)


# ----------------------------------------------------------------------------------------------------
# The evaluation


def measure(methods: dict, items: list, acceleration: int) -> dict:
    """{method: {psnr, ssim, ms}} over the slices, each method on the same masked k-space."""
    rows = {name: {"psnr": [], "ssim": [], "ms": []} for name in methods}
    for index, item in enumerate(items):
        mask = column_mask(*item.image.shape, acceleration, seed=1000 * acceleration + index)
        kspace = to_kspace(item.image) * mask
        for name, method in methods.items():
            start = time.perf_counter()
            result = method(kspace, mask)
            rows[name]["ms"].append(1000 * (time.perf_counter() - start))
            rows[name]["psnr"].append(psnr01(item.image, result))
            rows[name]["ssim"].append(ssim01(item.image, result))
    return {name: {"psnr": round(float(np.mean(row["psnr"])), 3), "ssim": round(float(np.mean(row["ssim"])), 4),
                   "ms": round(float(np.median(row["ms"])), 1)} for name, row in rows.items()}


def evaluate(splits: dict, tuning: list, weights=(), retune_tv: bool = False) -> dict:
    """The report: the classical weights tuned on `tuning` (training slices) per acceleration, and per split
    and acceleration every method, the learned ones labelled by their file's stem."""
    models = {Path(path).stem: Path(path) for path in weights}
    report = {"slices": {split: len(items) for split, items in splits.items()},
              "tuning_slices": len(tuning), "weights": {name: str(path) for name, path in models.items()},
              "notes": [], "accelerations": {}, "splits": {split: {} for split in splits}}
    for name, path in models.items():
        if trained_on_held_out_source(path):
            report["notes"].append(f"{name} trained on the macaque scan too: its held-out-source figure is not "
                                   "held out")
    for acceleration in ACCELERATIONS:
        setting = f"{acceleration}x"
        lamda, tried = tune_lambda(tuning, acceleration, LAMBDA_GRID)
        tv_weight, tv_tried = tune_tv(tuning, acceleration, TV_GRID) if retune_tv else (TV_WEIGHT[acceleration], {})
        report["accelerations"][setting] = {
            "l1-wavelet": {"lamda": lamda, "train_psnr": {str(k): round(v, 3) for k, v in tried.items()}},
            "tv-cs": {"weight": tv_weight, "train_psnr": {str(k): round(v, 3) for k, v in tv_tried.items()},
                      "tuned": "here, on training slices" if retune_tv else "gan_core.mri.classical.TV_WEIGHT"}}
        for split, items in splits.items():
            learned = {name: LearnedMethod(path) for name, path in models.items()}
            methods = {"zero-filled": lambda k, m: zero_filled(k),
                       "l1-wavelet": lambda k, m: l1_wavelet(k, m, lamda),
                       "tv-cs": lambda k, m: tv_cs(k, m, tv_weight), **learned}
            summary = measure(methods, items, acceleration)
            for name, method in learned.items():
                summary[name]["dc"] = float(f"{max(method.dc):.3g}")
            report["splits"][split][setting] = summary
    return report


# ----------------------------------------------------------------------------------------------------
# The table and the command line


def markdown_table(report: dict, setting_name: str = "acceleration") -> str:
    """One markdown table per split: setting, method, PSNR, SSIM, ms per slice (and dc where measured)."""
    lines = []
    for split, settings in report["splits"].items():
        rows = [(setting, name, numbers) for setting, summary in settings.items() for name, numbers in summary.items()]
        with_dc = any("dc" in numbers for _, _, numbers in rows)
        lines += [f"**{split}** ({report['slices'][split]} slices)", "",
                  f"| {setting_name} | method | PSNR dB | SSIM | ms/slice |" + (" dc |" if with_dc else ""),
                  "|---|---|---|---|---|" + ("---|" if with_dc else "")]
        for setting, name, numbers in rows:
            dc = (f" {numbers['dc']:.1e} |" if "dc" in numbers else "  |") if with_dc else ""
            lines.append(f"| {setting} | {name} | {numbers['psnr']:.2f} | {numbers['ssim']:.4f} | "
                         f"{numbers['ms']:.1f} |{dc}")
        lines.append("")
    lines += [f"Note: {note}" for note in report.get("notes", [])]
    return "\n".join(lines).rstrip() + "\n"


def default_weights(candidates=DEFAULT_MODELS) -> list[Path]:
    return [path for path in candidates if Path(path).exists()]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m gan_core.eval.mri", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weights", action="append", default=None,
                        help="an MRI weights file (repeatable; default: mri-recon and mri-unrolled where present)")
    parser.add_argument("--slices", type=int, default=0, help="evenly spaced slices per split (0: all)")
    parser.add_argument("--every", type=int, default=4, help="every n-th slice of the held-out source")
    parser.add_argument("--tune-slices", type=int, default=6, help="training slices to tune the classical weights on")
    parser.add_argument("--tune-tv", action="store_true", help="tune the TV weight from a grid (else TV_WEIGHT)")
    parser.add_argument("--out", default=str(DOCS / "mri-val.json"))
    args = parser.parse_args(argv)
    weights = [Path(path) for path in args.weights] if args.weights is not None else default_weights()
    missing = [path for path in weights if not path.exists()]
    for path in missing:
        print(f"{path} is missing: skipped")
    report = evaluate(validation_splits(args.slices, args.every), tuning_slices(args.tune_slices),
                      [path for path in weights if path.exists()], args.tune_tv)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(markdown_table(report))


if __name__ == "__main__":
    main()
