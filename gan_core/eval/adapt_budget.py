"""The budget curve of test-time adaptation: what the inpainter gains, per second of CPU, by learning the photo
in front of it first (gan_core.inpainting.adapt).

    python -m gan_core.eval.adapt_budget --images manifest:val --n-images 6 --masks medium,large,object \
        --seconds 0,5,10,20,40 --json adapt-budget.json

For each photo and mask class, one seeded mask (gan_core.eval.inpaint.seeded_mask, the masks of the inpainting
evaluation) and a copy of the shipped generator that adapts to the photo (the AdaptConfig of the flags, seeded
by the mask's seed as gan-adapt is in gan_core.eval.inpaint). Whenever the adaptation's wall time first reaches
a budget, the generator as it is then fills the hole, through the studio's own path (crop, working size, paste
back). Only adaptation counts towards a budget; the fill's own seconds are reported beside it. Budget 0 is the
shipped generator. The best classical method of each class (the highest mean masked PSNR of --classical) fills
the same masks, and the table gives the GAN's lead over it in dB.

Seconds depend on the machine, so the CPU, whether bfloat16 ran, torch's kernels and threads are printed first.
To play an AVX2-only CPU (most laptops, most hosted CPUs) on a newer one, limit torch's and oneDNN's kernels;
bfloat16 is then off, as it is there:

    ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 python -m gan_core.eval.adapt_budget ...
"""
import argparse
import json
import os
import time
from dataclasses import asdict, fields, replace
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from gan_core.core import image_modes, metrics, tasks
from gan_core.core.device import cpu_has_bf16, load, set_threads
from gan_core.eval.bench import cpu_name
from gan_core.eval.inpaint import fill_seed, prepare, seeded_mask
from gan_core.inpainting import adapt as adapt_lib
from gan_core.inpainting import fill as filling
from gan_core.inpainting.adapt import AdaptConfig
from gan_core.inpainting.masks import MASK_SIZES
from gan_core.photos.data import resolve_files

SCORES = ("psnr_masked", "ssim", "detail", "grain")
CHOICES = {"losses": adapt_lib.LOSSES, "critic": adapt_lib.CRITICS, "holes": adapt_lib.HOLES,
           "precision": adapt_lib.PRECISIONS}
WORKING_SIDE, MARGIN = 1024, 128   # gan_core.inpainting.fill's defaults: the fill the studio makes


def budget_fills(image: np.ndarray, hole: np.ndarray, budgets: list[float], config: AdaptConfig, weights=None):
    """One record per budget (seconds of adaptation, ascending): the fill of the generator as it was when the
    adaptation's wall time first reached the budget, the step reached and the seconds spent."""
    generator, discriminator, card = load(weights, "inpaint")
    planes = image_modes.split(image)
    view = filling.adaptation_view(image, None, hole, WORKING_SIDE, MARGIN, config.crop)
    steps = adapt_lib.adapt(generator, discriminator, card, view.colour, view.hole, config)
    records, adapting, step, plain = [], 0.0, None, None
    for budget in budgets:
        while step is None or (adapting < budget and step.step < step.steps):   # the clock runs while G learns
            started = time.perf_counter()
            step = next(steps)
            adapting += time.perf_counter() - started
        started = time.perf_counter()
        if plain is None and step.step > 0:   # keep_detail takes the shipped generator's texture
            plain = filling.fill_crop(generator, None, image, None, hole, WORKING_SIDE, MARGIN,
                                      precision=config.precision)
        crop_fill = filling.adapted_fill(step, plain, config, None, planes, hole, WORKING_SIDE, MARGIN, False,
                                         config.precision)
        if step.step == 0:   # budget 0: the shipped generator's own fill
            plain = crop_fill
        filled = filling.assemble(planes, hole, crop_fill, card, tasks.GAN, started).image
        records.append({"budget": budget, "image": filled, "step": step.step, "adapt_seconds": adapting,
                        "fill_seconds": time.perf_counter() - started})
    steps.close()
    return records


def measure(images, sizes: list[str], budgets: list[float], config: AdaptConfig, classical: list[str],
            seed: int = 0, weights=None, progress: bool = True) -> list[dict]:
    """Every fill's numbers: one row per photo, mask class and budget (method "gan") or classical method."""
    rows = []
    jobs = [(i, size) for i in range(len(images)) for size in sizes]
    for image_index, size in tqdm(jobs, desc="adapting", disable=not progress):
        name, image = images[image_index]
        hole = seeded_mask(image, seed, image_index, size, 0)
        where = {"image": name, "mask": size, "hole": float((hole > 0).mean())}
        seeded = replace(config, seed=fill_seed(seed, image_index, size, 0))
        for record in budget_fills(image, hole, budgets, seeded, weights):
            numbers = metrics.compare(image, record.pop("image"), hole)
            rows.append({**where, "method": "gan", **record, **{k: numbers[k] for k in SCORES}})
        for method in classical:
            numbers = metrics.compare(image, filling.fill(image, hole, method).image, hole)
            rows.append({**where, "method": method, **{k: numbers[k] for k in SCORES}})
    return rows


def summarise(rows: list[dict], sizes: list[str], budgets: list[float], classical: list[str]) -> dict:
    """Per mask class: the mean of each classical method, the best of them, and per budget the GAN's means and
    its lead in dB over that best."""
    mean = lambda chosen, key: float(np.nanmean([r[key] for r in chosen]))  # noqa: E731
    table = {}
    for size in sizes:
        of_size = [r for r in rows if r["mask"] == size]
        peers = {m: {k: mean([r for r in of_size if r["method"] == m], k) for k in SCORES} for m in classical}
        best = max(peers, key=lambda m: peers[m]["psnr_masked"]) if peers else None
        by_budget = {}
        for budget in budgets:
            gan = [r for r in of_size if r["method"] == "gan" and r["budget"] == budget]
            numbers = {k: mean(gan, k) for k in (*SCORES, "step", "adapt_seconds", "fill_seconds")} | {"n": len(gan)}
            numbers["lead_db"] = numbers["psnr_masked"] - peers[best]["psnr_masked"] if best else float("nan")
            by_budget[str(budget)] = numbers
        table[size] = {"classical": peers, "best_classical": best, "budgets": by_budget}
    return table


def format_table(table: dict) -> str:
    lines = [f"{'mask':7} {'budget s':>8} {'n':>3} {'PSNR hole':>9} {'SSIM':>7} {'detail':>6} {'grain':>6} "
             f"{'steps':>6} {'fill s':>6} {'lead dB':>8}"]
    for size, by_class in table.items():
        for budget, n in by_class["budgets"].items():
            lines.append(f"{size:7} {float(budget):8g} {n['n']:3d} {n['psnr_masked']:9.2f} {n['ssim']:7.4f} "
                         f"{n['detail']:6.2f} {n['grain']:6.2f} {n['step']:6.1f} {n['fill_seconds']:6.3f} "
                         f"{n['lead_db']:+8.2f}")
        best = by_class["best_classical"]
        if best:
            peer = by_class["classical"][best]
            lines.append(f"{size:7} {'-':>8} {'':3} {peer['psnr_masked']:9.2f} {peer['ssim']:7.4f} "
                         f"{peer['detail']:6.2f} {peer['grain']:6.2f} {'':22} the best classical: {best}")
    return "\n".join(lines)


def machine(config: AdaptConfig) -> dict:
    """What the seconds depend on: the CPU, bfloat16 or not, torch's kernels and threads."""
    bf16 = config.precision == "bf16" or (config.precision == "auto" and cpu_has_bf16())
    return {"cpu": cpu_name(), "bf16": bf16, "cpu_has_bf16": cpu_has_bf16(),
            "torch_kernels": torch.backends.cpu.get_cpu_capability(), "threads": torch.get_num_threads(),
            "onednn_max_isa": os.environ.get("ONEDNN_MAX_CPU_ISA", "")}


def add_config_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per AdaptConfig field (--lr-g, --critic, ...) with the config's default; steps and seed are
    the budget's and the masks' own."""
    for field in fields(AdaptConfig):
        if field.name in ("steps", "seed"):
            continue
        kind = type(field.default) if field.default is not None else float
        parser.add_argument("--" + field.name.replace("_", "-"), type=kind, default=field.default,
                            choices=CHOICES.get(field.name), help=f"AdaptConfig.{field.name}")


def warm_up(image: np.ndarray, size: str, config: AdaptConfig, weights=None) -> None:
    """Two steps and a fill before any clock runs: the first calls of torch's kernels set themselves up, and that
    time belongs to no budget."""
    hole = seeded_mask(image, 12345, 0, size, 0)
    budget_fills(image, hole, [0.0, 1e9], replace(config, steps=2), weights)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", default="manifest:val", help="folder of photos, a .txt list, or manifest:val")
    parser.add_argument("--n-images", type=int, default=6, help="the first this many photos (0: all)")
    parser.add_argument("--masks", default="medium,large,object", help="mask classes (gan_core.inpainting.masks)")
    parser.add_argument("--seconds", default="0,5,10,20,40", help="budgets: seconds of adaptation")
    parser.add_argument("--max-steps", type=int, default=100_000, help="stop adapting here even with time left")
    parser.add_argument("--classical", default="telea,ns,fsr", help="the classical peers (empty: none)")
    parser.add_argument("--seed", type=int, default=0, help="seeds the masks, and through them the adaptation")
    parser.add_argument("--max-side", type=int, default=512, help="photos are shrunk to this longer side")
    parser.add_argument("--weights", default=None, help="inpainting weights name or path (default: shipped)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's own choice)")
    parser.add_argument("--json", default=None, help="write the summary and every fill's numbers here")
    add_config_flags(parser)
    args = parser.parse_args(argv)
    sizes, classical = args.masks.split(","), [m for m in args.classical.split(",") if m]
    budgets = sorted(float(s) for s in args.seconds.split(","))
    for size in sizes:
        if size not in MASK_SIZES:
            parser.error(f"unknown mask class {size!r}; choose from {', '.join(MASK_SIZES)}")
    for method in classical:
        if tasks.get("inpaint").method(method) == tasks.GAN:
            parser.error("--classical takes classical methods only")
    try:
        config = AdaptConfig(steps=args.max_steps, **{f.name: getattr(args, f.name) for f in fields(AdaptConfig)
                                                       if f.name not in ("steps", "seed")})
    except ValueError as error:
        parser.error(str(error))
    if args.threads:
        set_threads(args.threads)
    here = machine(config)
    print(f"CPU: {here['cpu']}; bfloat16 {'used' if here['bf16'] else 'not used'} (native: "
          f"{'yes' if here['cpu_has_bf16'] else 'no'}); torch kernels: {here['torch_kernels']}"
          + (f", oneDNN limited to {here['onednn_max_isa']}" if here["onednn_max_isa"] else "")
          + f"; torch threads: {here['threads']}")
    files = resolve_files(args.images)
    images = prepare(files[:args.n_images] if args.n_images else files, args.max_side)
    warm_up(images[0][1], sizes[0], config, args.weights)
    rows = measure(images, sizes, budgets, config, classical, args.seed, args.weights)
    table = summarise(rows, sizes, budgets, classical)
    print(format_table(table))
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": here, "config": asdict(config), "images": args.images,
                                               "n_images": len(images), "max_side": args.max_side, "seed": args.seed,
                                               "seconds": budgets, "classes": table, "fills": rows}, indent=2))


if __name__ == "__main__":
    main()
