"""CPU speed of the inpainter against OpenCV Telea, everything included, in one run.

    python -m gan_core.eval.bench [--weights NAME] [--sizes 256,512,1024,2048] [--repeats 5] [--precision fp32,auto]

For each square size, a photo from examples/ (or a synthetic one) is resized, given a seeded medium
mask, and filled by the GAN (crop, resize, coarse fill, generator, paste back: all of gan_core.inpaint) and
by Telea, in alternating rounds so both see the same load; the fastest of the repeats counts (on a busy
machine the fastest run is the one least disturbed). Also printed: the generator's GFLOPs at its working size (counted by torch's FlopCounterMode),
this machine's measured fp32 matmul peak, and the fraction of that peak the generator reaches.
Both precisions by default, fp32 first: fp32 is what runs on CPUs without native bfloat16 (AVX2 laptops and
most hosted CPUs), and "auto" is bfloat16 where the CPU has AVX512-BF16 or AMX. The CPU's name is printed so
a figure is never quoted without the machine that gave it.

To play an AVX2-only CPU on a newer one, limit torch's and oneDNN's kernels (auto then runs fp32, as there):

    ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 python -m gan_core.eval.bench --sizes 512,1024
"""
import argparse
import os
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from gan_core.photos import classical
from gan_core.photos.data import load_rgb
from gan_core.core.device import autocast, cpu_has_bf16, load
from gan_core.inpainting.fill import fill
from gan_core.inpainting.masks import mask_of_size
from gan_core.core.paths import EXAMPLES_DIR

EXAMPLE = EXAMPLES_DIR / "dandelions.jpg"


def matmul_peak_gflops(n: int = 2048, repeats: int = 10) -> float:
    """Best fp32 GFLOP/s of an n x n matmul on all threads: the ceiling for dense layers here."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - started)
    return 2 * n**3 / best / 1e9


def generator_gflops(generator: torch.nn.Module, mask: torch.Tensor) -> float:
    """Floating-point operations (2 per multiply-add) of one forward pass as inference runs it, in GFLOPs."""
    image = torch.zeros(1, 3, *mask.shape[-2:])
    with FlopCounterMode(display=False) as counter, torch.inference_mode():
        generator(image, mask, hole_only=True)
    return counter.get_total_flops() / 1e9


def time_them(functions: dict, repeats: int) -> dict:
    """Fastest milliseconds of each function over `repeats` alternating rounds, after one warm-up call each."""
    best = {}
    for name, function in functions.items():
        function()
        best[name] = float("inf")
    for _ in range(repeats):
        for name, function in functions.items():
            started = time.perf_counter()
            function()
            best[name] = min(best[name], time.perf_counter() - started)
    return {name: seconds * 1000 for name, seconds in best.items()}


def test_photo(side: int) -> np.ndarray:
    if EXAMPLE.exists():
        photo = load_rgb(EXAMPLE)
        return cv2.resize(photo, (side, side), interpolation=cv2.INTER_AREA if side < max(photo.shape) else cv2.INTER_CUBIC)
    rng = np.random.default_rng(0)
    return (rng.random((side, side, 3)) * 255).astype(np.uint8)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weights", default=None)
    parser.add_argument("--sizes", default="256,512,1024,2048")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--precision", default="fp32,auto", help="comma-separated: fp32, auto, bf16")
    args = parser.parse_args(argv)

    generator, _, card = load(args.weights, "inpaint")
    peak = matmul_peak_gflops()
    print(f"CPU: {cpu_name()} (native bfloat16: {'yes' if cpu_has_bf16() else 'no'}), "
          f"torch threads: {torch.get_num_threads()}, torch kernels: {torch.backends.cpu.get_cpu_capability()}"
          + (f", oneDNN limited to {os.environ['ONEDNN_MAX_CPU_ISA']}" if "ONEDNN_MAX_CPU_ISA" in os.environ else ""))
    print(f"model: {card.get('name')} ({card['generator']['parameters'] / 1e6:.2f} M parameters)")
    print(f"fp32 matmul peak: {peak:.0f} GFLOP/s")
    print("path: eager PyTorch, channels-last, refinement on the hole's box only (hole_only=True); "
          f"times are the fastest of {args.repeats} alternating rounds")
    for precision in args.precision.split(","):
        print(f"\nprecision: {precision}")
        bench_sizes(generator, args, precision, peak)


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def bench_sizes(generator, args, precision: str, peak: float) -> None:
    """One table: per size, the generator alone and the whole fill against Telea, in the same run."""
    print(f"{'size':>6} {'mask %':>7} {'work size':>10} {'GFLOPs':>7} {'G only ms':>9} {'of peak':>8} "
          f"{'GAN ms':>8} {'Telea ms':>9} {'GAN/Telea':>9}")
    for side in (int(s) for s in args.sizes.split(",")):
        photo = test_photo(side)
        mask = mask_of_size(side, side, "medium", np.random.default_rng(side))
        result = fill(photo, mask, weights=args.weights, precision=precision)
        work_h, work_w = result.working_size
        top, left, bottom, right = result.box  # the crop's hole at the working size, as the generator sees it
        hole = cv2.resize(mask[top:bottom, left:right], (work_w, work_h), interpolation=cv2.INTER_AREA) > 0
        mask_t = torch.from_numpy(hole.astype(np.float32))[None, None]
        gflops = generator_gflops(generator, mask_t)
        image_t = torch.zeros(1, 3, work_h, work_w).contiguous(memory_format=torch.channels_last)
        mask_t = mask_t.contiguous(memory_format=torch.channels_last)

        def generator_only():
            with torch.inference_mode(), autocast(image_t.device, precision):
                generator(image_t, mask_t, hole_only=True)

        ms = time_them({"generator": generator_only,
                        "gan": lambda: fill(photo, mask, weights=args.weights, precision=precision),
                        "telea": lambda: classical.telea(photo, mask)}, args.repeats)
        g_ms, gan_ms, telea_ms = ms["generator"], ms["gan"], ms["telea"]
        print(f"{side:6d} {100 * mask.mean():7.1f} {f'{work_w}x{work_h}':>10} {gflops:7.2f} {g_ms:9.1f} "
              f"{gflops / (g_ms / 1000) / peak:8.1%} {gan_ms:8.1f} {telea_ms:9.1f} {gan_ms / telea_ms:9.2f}")


if __name__ == "__main__":
    main()
