"""Measure the denoising and super-resolution GANs against classical restoration on held-out photos.

    python -m gan_core.eval.restore --task denoise --images manifest:val --json docs/denoise-val.json --grid g.png
    python -m gan_core.eval.restore --task sr4 --images manifest:val --json docs/sr4-val.json --grid g.png
    python -m gan_core.eval.restore --task denoise --tune     # tune the classical filters on the TRAINING photos

Each photo is resized so its longer side is at most --max-side (512) and cut to a multiple of 4 pixels.
Conditions per task:
- denoise: Gaussian noise of sigma 15, 25 and 50 on the 0-255 image, clipped back to 8 bits (seeded,
  --per-image noise draws per photo). Classical: OpenCV's fastNlMeansDenoisingColored and a Gaussian blur,
  both with their strength tuned per sigma on the training photos, and both told the true sigma (the GAN
  is blind: it has to judge the noise level itself).
- sr2 / sr4: "standard" is the benchmark setting (Pillow bicubic downscale, nothing else); "degraded" is our
  own degradation model (blur, downscale, mild noise, JPEG; seeded). Classical: bicubic and Lanczos.
  PSNR and SSIM leave out a border of `scale` pixels, as super-resolution benchmarks do.
Printed per method and condition: PSNR and SSIM over the image and milliseconds per image. The JSON mirrors
the inpainting evaluation: {"methods": {"gan": {"sigma25": {"psnr": ..., "ssim": ..., "ms": ..., "n": ...}}}}.
"""
import argparse
import json
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
from gan_core.photos import classical
from gan_core.photos.data import add_gaussian_noise, bicubic_down, load_rgb, realistic_down, resolve_files
from gan_core.restoration.restore import restore

CONDITIONS = {"denoise": ["sigma15", "sigma25", "sigma50"], "sr2": ["standard", "degraded"],
              "sr4": ["standard", "degraded"]}
METRIC_KEYS = ("psnr", "ssim", "ms")


def sigma_of(condition: str) -> float:
    return float(condition.removeprefix("sigma"))


def degrade_for(task: str, condition: str, clean: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The input a method is given: the clean photo made noisy, or made smaller."""
    if task == "denoise":
        return add_gaussian_noise(clean, sigma_of(condition), rng)
    scale = tasks.get(task).scale
    return bicubic_down(clean, scale) if condition == "standard" else realistic_down(clean, scale, rng)


def run(method: str, task: str, condition: str, degraded: np.ndarray, weights=None) -> tuple[np.ndarray, float]:
    """(result, milliseconds) for one method; the GAN's time includes tiling and blending."""
    started = time.perf_counter()
    sigma = sigma_of(condition) if task == "denoise" else 0   # the classical denoisers are told it; the GAN is blind
    result = restore(degraded, task, weights, method=method, sigma=sigma)
    return result, (time.perf_counter() - started) * 1000


def score(clean: np.ndarray, result: np.ndarray, shave: int) -> dict:
    if shave:
        clean, result = clean[shave:-shave, shave:-shave], result[shave:-shave, shave:-shave]
    return {"psnr": metrics.psnr(clean, result), "ssim": metrics.ssim(clean, result)}


def prepare(files, max_side: int) -> list[tuple[str, np.ndarray]]:
    """Photos at most max_side long, cut to a multiple of 4 so every scale divides them."""
    images = []
    for f in files:
        photo = load_rgb(f, max_side)
        height, width = photo.shape[:2]
        images.append((Path(f).name, np.ascontiguousarray(photo[: height - height % 4, : width - width % 4])))
    return images


def evaluate(images: list[tuple[str, np.ndarray]], task: str, methods: list[str], conditions: list[str],
             seed: int = 0, per_image: int = 2, weights=None, progress: bool = True):
    """Return ({method: {condition: {metric: mean, "n": count}}}, examples for the grid)."""
    if "gan" in methods:  # load the model before anything is timed
        run("gan", task, conditions[0], degrade_for(task, conditions[0], images[0][1], np.random.default_rng(0)),
            weights)
    shave = tasks.get(task).scale if task != "denoise" else 0
    values = {m: {c: {k: [] for k in METRIC_KEYS} for c in conditions} for m in methods}
    examples = {}
    jobs = [(i, c, k) for i in range(len(images)) for c in conditions
            for k in range(1 if c == "standard" else per_image)]  # the standard setting has no randomness
    for image_index, condition, k in tqdm(jobs, desc=f"evaluating {task}", disable=not progress):
        name, clean = images[image_index]
        rng = np.random.default_rng([seed, image_index, conditions.index(condition), k])
        degraded = degrade_for(task, condition, clean, rng)
        for method in methods:
            result, ms = run(method, task, condition, degraded, weights)
            for key, value in score(clean, result, shave).items():
                values[method][condition][key].append(value)
            values[method][condition]["ms"].append(ms)
            if k == 0 and image_index < 3:
                examples.setdefault((image_index, condition), {"clean": clean, "input": degraded})[method] = result
    table = {m: {c: {k: float(np.mean(v)) for k, v in by_condition.items()} | {"n": len(by_condition["ms"])}
                 for c, by_condition in per_method.items()} for m, per_method in values.items()}
    return table, examples


def format_table(table: dict) -> str:
    lines = [f"{'method':8} {'condition':10} {'n':>4} {'PSNR':>7} {'SSIM':>7} {'ms':>8}"]
    for method, by_condition in table.items():
        for condition, n in by_condition.items():
            lines.append(f"{method:8} {condition:10} {n['n']:4d} {n['psnr']:7.2f} {n['ssim']:7.4f} {n['ms']:8.1f}")
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
    parser.add_argument("--images", default="manifest:val", help="folder of photos, or manifest:val")
    parser.add_argument("--methods", default="", help="default: gan and the task's classical methods")
    parser.add_argument("--conditions", default="", help="default: " + "; ".join(
        f"{t}: {','.join(c)}" for t, c in CONDITIONS.items()))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-side", type=int, default=512)
    parser.add_argument("--per-image", type=int, default=2, help="noise / degradation draws per photo")
    parser.add_argument("--weights", default=None, help="weights name or path (default: weights/TASK.safetensors)")
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
    methods = args.methods.split(",") if args.methods else [m.name for m in tasks.get(args.task).methods]
    conditions = args.conditions.split(",") if args.conditions else CONDITIONS[args.task]
    for condition in conditions:
        if args.task == "denoise" and not (condition.startswith("sigma") and condition[5:].isdigit()):
            parser.error(f"denoise conditions look like sigma25, not {condition!r}")
        if args.task != "denoise" and condition not in ("standard", "degraded"):
            parser.error(f"super-resolution conditions are standard and degraded, not {condition!r}")
    images = prepare(resolve_files(args.images), args.max_side)
    table, examples = evaluate(images, args.task, methods, conditions, args.seed, args.per_image, args.weights)
    print(format_table(table))
    if args.json:
        Path(args.json).write_text(json.dumps({"task": args.task, "images": args.images, "max_side": args.max_side,
                                               "seed": args.seed, "weights": args.weights, "methods": table}, indent=2))
    if args.update_card and "gan" in methods:
        record_validation(resolve_weights(args.weights, args.task), table, images=args.images, max_side=args.max_side,
                          seed=args.seed, command="python -m gan_core.eval.restore " + " ".join(sys.argv[1:]))
    if args.grid:
        comparison_grid(examples, args.task, methods, args.grid)
        print(f"grid written to {args.grid}", file=sys.stderr)


if __name__ == "__main__":
    main()
