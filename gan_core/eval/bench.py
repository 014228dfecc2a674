"""CPU speed of the inpainter against OpenCV Telea, everything included, in one run.

    python -m gan_core.eval.bench [--weights NAME] [--sizes 256,512,1024,2048] [--repeats 5] [--precision fp32,auto]

For each square size, a photo from examples/ (or a synthetic one) is resized, given a seeded medium
mask, and filled by the GAN (crop, resize, coarse fill, generator, paste back: all of gan_core.inpaint) and
by Telea. Also printed: the generator's GFLOPs at its working size (counted by torch's FlopCounterMode),
this machine's measured fp32 matmul peak, and the fraction of that peak the generator reaches.
Both precisions by default, fp32 first: fp32 is what runs on CPUs without native bfloat16 (AVX2 laptops and
most hosted CPUs), and "auto" is bfloat16 where the CPU has AVX512-BF16 or AMX. The CPU's name is printed so
a figure is never quoted without the machine that gave it.
"""
import argparse
import statistics
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from .. import classical
from ..data import load_rgb
from ..inference import autocast, cpu_has_bf16, inpaint_detailed, load
from ..masks import mask_of_size

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "dandelions.jpg"


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


def generator_gflops(generator: torch.nn.Module, height: int, width: int) -> float:
    """Floating-point operations (2 per multiply-add) of one forward pass at the given size, in GFLOPs."""
    image, mask = torch.zeros(1, 3, height, width), torch.zeros(1, 1, height, width)
    mask[..., height // 4: height // 2, width // 4: width // 2] = 1
    with FlopCounterMode(display=False) as counter, torch.inference_mode():
        generator(image, mask)
    return counter.get_total_flops() / 1e9


def time_it(function, repeats: int) -> float:
    """Median milliseconds over `repeats` calls, after one warm-up call."""
    function()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


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
          f"torch threads: {torch.get_num_threads()}")
    print(f"model: {card.get('name')} ({card['generator']['parameters'] / 1e6:.2f} M parameters)")
    print(f"fp32 matmul peak: {peak:.0f} GFLOP/s")
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
        result = inpaint_detailed(photo, mask, args.weights, precision=precision)
        work_h, work_w = result.working_size
        gflops = generator_gflops(generator, work_h, work_w)
        image_t = torch.zeros(1, 3, work_h, work_w).contiguous(memory_format=torch.channels_last)
        mask_t = torch.from_numpy(mask[:work_h, :work_w].copy())[None, None].contiguous(memory_format=torch.channels_last)

        def generator_only():
            with torch.inference_mode(), autocast(image_t.device, precision):
                generator(image_t, mask_t)

        g_ms = time_it(generator_only, args.repeats)
        gan_ms = time_it(lambda: inpaint_detailed(photo, mask, args.weights, precision=precision), args.repeats)
        telea_ms = time_it(lambda: classical.telea(photo, mask), args.repeats)
        print(f"{side:6d} {100 * mask.mean():7.1f} {f'{work_w}x{work_h}':>10} {gflops:7.2f} {g_ms:9.1f} "
              f"{gflops / (g_ms / 1000) / peak:8.1%} {gan_ms:8.1f} {telea_ms:9.1f} {gan_ms / telea_ms:9.2f}")


if __name__ == "__main__":
    main()
