"""Measure the denoising and super-resolution GANs against their strongest peers on held-out photos,
in two settings.

    python -m gan_core.eval.restore --task denoise --json docs/denoise-val.json --cache ~/.cache/restore-peers
    python -m gan_core.eval.restore --task sr4 --setting real --json docs/sr4-real-val.json --cache ~/.cache/restore-peers
    python -m gan_core.eval.restore --task sr4 --setting real --weights weights/sr4.safetensors   # another model
    python -m gan_core.eval.restore --task denoise --tune     # tune the classical filters on the TRAINING photos

Each photo is resized so its longer side is at most --max-side (512) and cut to a multiple of 4 pixels.
Settings (--setting) pick the GAN's weights (gan_core.restoration.restore.weights_for: sr4 or sr4-real,
unless --weights) and the conditions measured (--conditions overrides them):
- clean, the benchmark settings. denoise: Gaussian noise of sigma 15, 25 and 50 on the 0-255 image, clipped
  back to 8 bits; the classical denoisers (non-local means and blur, their strengths tuned per sigma on the
  training photos with --tune, and BM3D) are told the true sigma, the GAN is blind. sr2 / sr4: "standard",
  Pillow's bicubic downscale and nothing else. ("degraded", our older light degradation of blur, downscale,
  mild noise and JPEG, can still be asked for.)
- real, the photos people bring: "real" is Real-ESRGAN's second-order degradation (blur, resize, noise and
  JPEG, twice; gan_core.photos.data.real_degradation) at the task's scale (1 for denoise). Nothing is known
  about the noise: every denoiser estimates it from the photo.
Every random condition is seeded by (--seed, photo name, condition, draw), --per-image draws per photo.
Methods: the GAN and every peer of the task in gan_core.core.tasks that can run here
(gan_core.photos.classical.available), or --methods.
Printed per method and condition: PSNR and SSIM, the detail ratio (mean Sobel gradient over the original's,
1.0 = as sharp as the photo), grain (fine energy added where the photo is calm, in 8-bit levels; 0 =
none), all over the whole image (super-resolution leaves out a border of `scale` pixels, as its
benchmarks do), and milliseconds per image. The JSON mirrors the inpainting evaluation:
{"methods": {"gan": {"sigma25": {"psnr": ..., "ssim": ..., "detail": ..., "grain": ..., "ms": ..., "n": ...}}}}.
--cache DIR keeps the peers' results (and their milliseconds) on disk, so measuring a new GAN does not run
BM3D or Real-ESRGAN again; delete the folder when a peer changes.
"""
import argparse
import json
import re
import sys
import time
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from tqdm import tqdm

from gan_core.core import metrics
from gan_core.core import tasks
from gan_core.core.device import resolve_weights
from gan_core.core.weights import record_validation
from gan_core.photos import classical
from gan_core.photos.data import (add_gaussian_noise, bicubic_down, load_rgb, real_degradation, realistic_down,
                                  resolve_files)
from gan_core.restoration.restore import SETTINGS, restore, weights_for

CONDITIONS = {   # what each setting measures unless --conditions says otherwise
    "clean": {"denoise": ["sigma15", "sigma25", "sigma50"], "sr2": ["standard"], "sr4": ["standard"]},
    "real": {"denoise": ["real"], "sr2": ["real"], "sr4": ["real"]},
}
METRIC_KEYS = ("psnr", "ssim", "detail", "grain", "ms")


def sigma_of(condition: str) -> float:
    return float(condition.removeprefix("sigma"))


def condition_error(task: str, condition: str) -> str | None:
    """Why `condition` is not one of the task's, or None: sigmaN for denoise, standard or degraded to enlarge,
    real for every task."""
    if condition == "real":
        return None
    if task == "denoise":
        if condition.startswith("sigma") and condition[5:].isdigit():
            return None
        return f"denoise conditions look like sigma25 (or real), not {condition!r}"
    if condition in ("standard", "degraded"):
        return None
    return f"super-resolution conditions are standard, degraded and real, not {condition!r}"


def draw_rng(seed: int, name: str, condition: str, draw: int) -> np.random.Generator:
    """The random numbers of one draw of a condition on one photo: the same input whatever else is measured
    alongside (other photos, other conditions), which is what lets --cache reuse a peer's result."""
    return np.random.default_rng([seed, zlib.crc32(name.encode()), zlib.crc32(condition.encode()), draw])


def degrade_for(task: str, condition: str, clean: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The input a method is given: the clean photo made noisy, smaller, or both and worse (real)."""
    scale = tasks.get(task).scale
    if condition == "real":
        return real_degradation(clean, scale, rng)
    if task == "denoise":
        return add_gaussian_noise(clean, sigma_of(condition), rng)
    return bicubic_down(clean, scale) if condition == "standard" else realistic_down(clean, scale, rng)


def told_sigma(task: str, condition: str, setting: str) -> float | None:
    """The noise sigma the classical denoisers are told: the true one for the clean setting's Gaussian noise;
    None in the real setting (nothing is known: they estimate it from the photo, as a user's photo demands)."""
    if task == "denoise" and setting == "clean" and condition.startswith("sigma"):
        return sigma_of(condition)
    return None


def run(method: str, task: str, condition: str, degraded: np.ndarray, weights=None,
        setting: str = "clean") -> tuple[np.ndarray, float]:
    """(result, milliseconds) for one method; the GAN's time includes tiling and blending. The GAN is blind
    in both settings: it has to judge the noise level itself."""
    started = time.perf_counter()
    result = restore(degraded, task, weights, method=method, sigma=told_sigma(task, condition, setting),
                     setting=setting)
    return result, (time.perf_counter() - started) * 1000


def cache_file(folder: str | Path, key: str, method: str, sigma: float | None, degraded: np.ndarray) -> Path:
    """Where a peer's result is kept: the key (photo name, condition, draw, max side, seed), the method, the
    sigma it was told, and a checksum of the input itself, so a changed photo or degradation is a miss."""
    told = "blind" if sigma is None else f"sigma{sigma:g}"
    digest = zlib.crc32(np.ascontiguousarray(degraded).tobytes(), zlib.crc32(str(degraded.shape).encode()))
    return Path(folder) / f"{re.sub(r'[^A-Za-z0-9._@-]+', '_', key)}_{method}_{told}_{digest:08x}.npz"


def measure(method: str, task: str, condition: str, degraded: np.ndarray, weights=None, setting: str = "clean",
            cache: str | Path | None = None, key: str = "", warmed: set | None = None) -> tuple[np.ndarray, float]:
    """`run`, with a peer's (result, milliseconds) read from `cache` when it ran on this very input before and
    stored there when not (the GAN is always run). `warmed`: the methods already called once, on a 64 px
    corner, so no timed call includes loading a model."""
    path = None
    if cache is not None and method != tasks.GAN.name:
        path = cache_file(cache, key, method, told_sigma(task, condition, setting), degraded)
        if path.exists():
            with np.load(path) as stored:
                return stored["result"], float(stored["ms"])
    if warmed is not None and method not in warmed:
        run(method, task, condition, np.ascontiguousarray(degraded[:64, :64]), weights, setting)
        warmed.add(method)
    result, ms = run(method, task, condition, degraded, weights, setting)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.stem + ".partial.npz")   # renamed when whole: a killed run leaves no half file
        np.savez_compressed(partial, result=np.asarray(result), ms=ms)
        partial.replace(path)
    return result, ms


def score(clean: np.ndarray, result: np.ndarray, shave: int = 0) -> dict:
    """PSNR, SSIM, detail ratio and grain over the whole image less a border of `shave` pixels."""
    if shave:
        clean, result = clean[shave:-shave, shave:-shave], result[shave:-shave, shave:-shave]
    whole = np.ones(clean.shape[:2], bool)
    return {"psnr": metrics.psnr(clean, result), "ssim": metrics.ssim(clean, result),
            "detail": metrics.detail_ratio(clean, result, whole), "grain": metrics.grain(clean, result, whole)}


def default_methods(task: str) -> list[str]:
    """The GAN and every peer of the task that can run here (a peer whose package or weights are missing is
    left out: classical.available)."""
    return [m.name for m in tasks.get(task).methods if m == tasks.GAN or classical.available(m.name)]


def prepare(files, max_side: int) -> list[tuple[str, np.ndarray]]:
    """Photos at most max_side long, cut to a multiple of 4 so every scale divides them."""
    images = []
    for f in files:
        photo = load_rgb(f, max_side)
        height, width = photo.shape[:2]
        images.append((Path(f).name, np.ascontiguousarray(photo[: height - height % 4, : width - width % 4])))
    return images


def evaluate(images: list[tuple[str, np.ndarray]], task: str, methods: list[str], conditions: list[str],
             seed: int = 0, per_image: int = 1, weights=None, progress: bool = True, setting: str = "clean",
             cache: str | Path | None = None, max_side: int | None = None):
    """Return ({method: {condition: {metric: mean, "n": count}}}, examples for the grid).

    max_side only names the cached results (the photos' size when they were prepared)."""
    shave = tasks.get(task).scale if task != "denoise" else 0
    values = {m: {c: {k: [] for k in METRIC_KEYS} for c in conditions} for m in methods}
    examples, warmed = {}, set()
    jobs = [(i, c, k) for i in range(len(images)) for c in conditions
            for k in range(1 if c == "standard" else per_image)]  # the standard setting has no randomness
    for image_index, condition, draw in tqdm(jobs, desc=f"evaluating {task} ({setting})", disable=not progress):
        name, clean = images[image_index]
        degraded = degrade_for(task, condition, clean, draw_rng(seed, name, condition, draw))
        key = f"{Path(name).stem}_{condition}_d{draw}_m{max_side or 'full'}_seed{seed}"
        for method in methods:
            result, ms = measure(method, task, condition, degraded, weights, setting, cache, key, warmed)
            for metric, value in score(clean, result, shave).items():
                values[method][condition][metric].append(value)
            values[method][condition]["ms"].append(ms)
            if draw == 0 and image_index < 3:
                examples.setdefault((image_index, condition), {"clean": clean, "input": degraded})[method] = result
    table = {m: {c: {k: float(np.mean(v)) for k, v in by_condition.items()} | {"n": len(by_condition["ms"])}
                 for c, by_condition in per_method.items()} for m, per_method in values.items()}
    return table, examples


def format_table(table: dict) -> str:
    width = max([8] + [len(method) for method in table])
    lines = [f"{'method':{width}} {'condition':10} {'n':>4} {'PSNR':>7} {'SSIM':>7} {'detail':>7} {'grain':>7} "
             f"{'ms':>9}"]
    for method, by_condition in table.items():
        for condition, n in by_condition.items():
            lines.append(f"{method:{width}} {condition:10} {n['n']:4d} {n['psnr']:7.2f} {n['ssim']:7.4f} "
                         f"{n['detail']:7.3f} {n['grain']:7.3f} {n['ms']:9.1f}")
    return "\n".join(lines)


def detail_crop(clean: np.ndarray, side: int) -> tuple[int, int]:
    """Top-left corner of the side x side window with the most edges: where restorations differ most."""
    grey = clean.mean(axis=2)
    edges = np.abs(np.diff(grey, axis=0))[:, :-1] + np.abs(np.diff(grey, axis=1))[:-1]
    best, corner = -1.0, (0, 0)
    for top in range(0, max(edges.shape[0] - side, 0) + 1, side // 4):
        for left in range(0, max(edges.shape[1] - side, 0) + 1, side // 4):
            total = edges[top:top + side, left:left + side].sum()
            if total > best:
                best, corner = total, (top, left)
    return corner


def comparison_grid(examples: dict, task: str, methods: list[str], path: str | Path, cell: int = 256,
                    zoom: int = 2):
    """Rows: one photo and condition each; columns: input, each method, original, all on the same detailed
    crop enlarged `zoom` times with nearest neighbours, so sharpness and noise can be seen pixel by pixel."""
    scale, side = tasks.get(task).scale, cell // zoom
    columns = ["input"] + methods + ["original"]
    label_h = 16
    keys = sorted(examples)
    grid = Image.new("RGB", (cell * len(columns), label_h + len(keys) * (cell + label_h)), "white")
    draw = ImageDraw.Draw(grid)
    for c, title in enumerate(columns):
        draw.text((c * cell + 4, 2), title, fill="black")
    for r, key in enumerate(keys):
        item = examples[key]
        top, left = detail_crop(item["clean"], side)
        y = label_h + r * (cell + label_h)
        draw.text((4, y + 2), f"{key[1]}", fill="black")
        pictures = [item["input"]] + [item[m] for m in methods] + [item["clean"]]
        for c, picture in enumerate(pictures):
            factor = 1 if picture.shape[:2] == item["clean"].shape[:2] else scale  # the input of SR is smaller
            window = picture[top // factor:(top + side) // factor, left // factor:(left + side) // factor]
            tile = Image.fromarray(np.ascontiguousarray(window)).resize((cell, cell), Image.Resampling.NEAREST)
            grid.paste(tile, (c * cell, y + label_h))
    grid.save(path)


def tune_classical(files, sigmas=(5, 10, 15, 25, 35, 50), crops: int = 12, crop: int = 256, seed: int = 0):
    """Best fastNlMeans strengths (luminance h, then colour) and Gaussian blur width per sigma, by mean PSNR
    on crops of the training photos.

    Never run this on the validation photos: the classical baselines must not see the test set either.
    """
    rng = np.random.default_rng(seed)
    photos = [load_rgb(f, 1024) for f in files if not str(f).endswith(".pat")]
    pieces = []
    for _ in range(crops):
        photo = photos[rng.integers(len(photos))]
        top, left = rng.integers(0, photo.shape[0] - crop + 1), rng.integers(0, photo.shape[1] - crop + 1)
        pieces.append(photo[top:top + crop, left:left + crop])
    best = {}
    for sigma in sigmas:
        noisy = [add_gaussian_noise(p, sigma, rng) for p in pieces]

        def mean_psnr(denoise):
            return float(np.mean([metrics.psnr(p, denoise(n)) for p, n in zip(pieces, noisy)]))

        grid = np.round(sigma * np.arange(0.3, 1.45, 0.1), 1)
        h_scores = {h: mean_psnr(lambda n: classical.nl_means(n, sigma, h=h)) for h in grid}
        h = max(h_scores, key=h_scores.get)  # luminance strength first (colour strength equal), then colour
        colour_scores = {c: mean_psnr(lambda n: classical.nl_means(n, sigma, h=h, h_colour=c)) for c in grid}
        c = max(colour_scores, key=colour_scores.get)
        blur_scores = {w: mean_psnr(lambda n: classical.gaussian_blur(n, sigma, width=w))
                       for w in (0.5, 0.7, 0.9, 1.1, 1.4, 1.7, 2.0, 2.5)}
        w = max(blur_scores, key=blur_scores.get)
        best[sigma] = {"nlmeans_h": float(h), "nlmeans_h_colour": float(c), "nlmeans_psnr": colour_scores[c],
                       "blur_width": w, "blur_psnr": blur_scores[w]}
        print(f"sigma {sigma:3d}: NLM h {h:5.1f}, colour {c:5.1f} -> {colour_scores[c]:.2f} dB, "
              f"blur width {w:.1f} -> {blur_scores[w]:.2f} dB", flush=True)
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", required=True, choices=tasks.RESTORE_TASKS)
    parser.add_argument("--setting", default="clean", choices=list(SETTINGS),
                        help="clean: benchmark conditions, clean weights; real: real_degradation, -real weights")
    parser.add_argument("--images", default="manifest:val", help="folder of photos, or manifest:val")
    parser.add_argument("--methods", default="", help="default: the GAN and every peer of the task that can run here")
    parser.add_argument("--conditions", default="", help="default: " + "; ".join(
        f"{s} {t}: {','.join(c)}" for s, by_task in CONDITIONS.items() for t, c in by_task.items()))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-side", type=int, default=512)
    parser.add_argument("--per-image", type=int, default=1,
                        help="noise / degradation draws per photo (BM3D takes half a minute a photo on 2 cores)")
    parser.add_argument("--weights", default=None,
                        help="weights name or path (default: weights/TASK.safetensors, TASK-real for --setting real)")
    parser.add_argument("--cache", default=None, help="keep the peers' results in this folder and reuse them")
    parser.add_argument("--json", default=None, help="write the numbers here")
    parser.add_argument("--grid", default=None, help="write a comparison grid PNG here")
    parser.add_argument("--update-card", action="store_true", help="record the numbers in the model's card")
    parser.add_argument("--tune", action="store_true",
                        help="tune the classical denoisers on --tune-images (training photos) and print the table")
    parser.add_argument("--tune-images", default="manifest:train")
    args = parser.parse_args(argv)
    if args.tune:
        print(json.dumps(tune_classical(resolve_files(args.tune_images)), indent=2))
        return
    methods = args.methods.split(",") if args.methods else default_methods(args.task)
    missing = [m.name for m in tasks.get(args.task).classical if m.name not in methods]
    if not args.methods and missing:
        print(f"peers that cannot run here, left out: {', '.join(missing)}", file=sys.stderr)
    conditions = args.conditions.split(",") if args.conditions else CONDITIONS[args.setting][args.task]
    for condition in conditions:
        if error := condition_error(args.task, condition):
            parser.error(error)
    weights = args.weights or weights_for(args.task, args.setting)
    if "gan" in methods:
        try:
            weights_path = resolve_weights(weights, args.task)
        except FileNotFoundError as error:
            parser.error(f"{error}: train it, name other weights with --weights, or leave the GAN out (--methods)")
    images = prepare(resolve_files(args.images), args.max_side)
    table, examples = evaluate(images, args.task, methods, conditions, args.seed, args.per_image, weights,
                               setting=args.setting, cache=args.cache, max_side=args.max_side)
    print(format_table(table))
    if args.json:
        Path(args.json).write_text(json.dumps({"task": args.task, "setting": args.setting, "images": args.images,
                                               "max_side": args.max_side, "seed": args.seed, "weights": weights,
                                               "methods": table}, indent=2))
    if args.update_card and "gan" in methods:
        record_validation(weights_path, table, setting=args.setting, images=args.images, max_side=args.max_side,
                          seed=args.seed, command="python -m gan_core.eval.restore " + " ".join(sys.argv[1:]))
    if args.grid:
        comparison_grid(examples, args.task, methods, args.grid)
        print(f"grid written to {args.grid}", file=sys.stderr)


if __name__ == "__main__":
    main()
