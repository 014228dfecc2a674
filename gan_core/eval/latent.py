"""Measure DCGAN latent-search inpainting against the mean-image baseline on held-out Fashion-MNIST.

    python -m gan_core.eval.latent --weights weights/dcgan-fashion.safetensors --n 100 --seed 0 \
        --json latent.json --grid latent.png

--n test-split items (a seeded choice) each get one seeded square hole of 10-16 px placed inside the
28 x 28 garment area (the 2 px border that pads 28 to 32 is always black, so a hole there would be free).
Both methods fill the same holes. Printed per method: the L1 error over the hole pixels on the 0-1 scale
(as gan_core.core.metrics.l1_masked), averaged over items, and milliseconds per image. The mean image is the
pixelwise mean of the 60,000 training images, the best a fill can do that ignores the known pixels.
"""
import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torchvision.utils as vutils

from gan_core.photos import data as data_lib
from gan_core.learn.latent_search import LatentSearchConfig, hole_l1, mean_image_fill, search, square_holes
from gan_core.core.registry import load_models


def evaluate(generator, discriminator, config: LatentSearchConfig, n: int = 100, seed: int = 0,
             chunk: int = 25, progress: bool = True) -> tuple[dict, dict]:
    """({method: {"l1_hole": mean, "n": n, "ms": per image}}, tensors for a grid) on n seeded test items."""
    train_images, _ = data_lib.fashion_mnist("train")
    mean_image = train_images.mean(0)                                  # (1, 32, 32)
    test_images, _ = data_lib.fashion_mnist("test")
    rng = np.random.default_rng(seed)
    index = torch.from_numpy(np.sort(rng.choice(len(test_images), n, replace=False)))
    images = test_images[index]                                        # (n, 1, 32, 32)
    masks = square_holes(n, images.shape[-1], rng)

    started = time.perf_counter()
    mean_filled = mean_image_fill(images, masks, mean_image)
    mean_ms = (time.perf_counter() - started) * 1000 / n

    latent_filled = []
    started = time.perf_counter()
    for start in range(0, n, chunk):  # several images per search: G and D run on chunk x restarts samples
        filled, _, _, _ = search(generator, discriminator, images[start:start + chunk], masks[start:start + chunk], config)
        latent_filled.append(filled)
        if progress:
            print(f"latent search: {min(start + chunk, n)}/{n} images, {time.perf_counter() - started:.0f} s",
                  file=sys.stderr)
    latent_ms = (time.perf_counter() - started) * 1000 / n
    latent_filled = torch.cat(latent_filled)

    table = {"mean_image": {"l1_hole": hole_l1(mean_filled, images, masks).mean().item(), "n": n, "ms": mean_ms},
             "latent_search": {"l1_hole": hole_l1(latent_filled, images, masks).mean().item(), "n": n, "ms": latent_ms}}
    shown = {"masked": images * (1 - masks) + masks, "mean_image": mean_filled, "latent_search": latent_filled,
             "original": images}
    return table, shown


def format_table(table: dict) -> str:
    lines = [f"{'method':14} {'n':>4} {'L1 hole (0-1)':>14} {'ms/image':>9}"]
    for method, row in table.items():
        lines.append(f"{method:14} {row['n']:4d} {row['l1_hole']:14.4f} {row['ms']:9.1f}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weights", required=True, help="DCGAN weights (.safetensors with its .json card)")
    parser.add_argument("--n", type=int, default=100, help="test items")
    parser.add_argument("--seed", type=int, default=0, help="chooses the items and their holes")
    parser.add_argument("--chunk", type=int, default=25, help="images searched together")
    defaults = LatentSearchConfig()
    for name in ("steps", "lr", "restarts", "prior_weight", "window", "blend"):
        value = getattr(defaults, name)
        parser.add_argument("--" + name.replace("_", "-"), type=type(value), default=value)
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default); "
                        "1 is fastest when other jobs keep the cores busy")
    parser.add_argument("--json", default=None, help="write the numbers here")
    parser.add_argument("--grid", default=None, help="PNG: rows masked / mean image / latent search / original, 16 items")
    args = parser.parse_args(argv)
    config = LatentSearchConfig(steps=args.steps, lr=args.lr, restarts=args.restarts, prior_weight=args.prior_weight,
                                window=args.window, blend=args.blend, seed=args.seed)
    generator, discriminator, card = load_models(args.weights)
    if card.get("task") != "dcgan":
        parser.error(f"{args.weights} holds a {card.get('task')!r} model, not a DCGAN")
    torch.set_flush_denormal(True)
    if args.threads:
        torch.set_num_threads(args.threads)
    table, shown = evaluate(generator, discriminator, config, args.n, args.seed, args.chunk)
    print(format_table(table))
    if args.json:
        Path(args.json).write_text(json.dumps({"weights": str(args.weights), "n": args.n, "seed": args.seed,
                                               "holes": "one square of 10-16 px inside the 28x28 garment area",
                                               "search": dataclasses.asdict(config), "methods": table}, indent=2) + "\n")
    if args.grid:
        rows = torch.cat([t[:16] for t in shown.values()])
        vutils.save_image(rows, args.grid, nrow=min(16, args.n), normalize=True, value_range=(-1, 1), padding=2)
        print(f"grid written to {args.grid}", file=sys.stderr)


if __name__ == "__main__":
    main()
