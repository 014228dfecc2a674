"""CPU speed and memory of the restoration GANs (denoise, sr2, sr4), with the classical methods beside them.

    python -m gan_core.eval.bench_restore [--tasks denoise,sr2,sr4] [--sizes 256,512,1024] [--large 2000x1500]

Speed: milliseconds per image and per megapixel of input, for the GAN (everything included: tiling,
blending, conversion) and for the task's first classical method in gan_core.core.tasks (non-local means at
sigma 25 / bicubic), in the same run.
Large: each task restores a --large photo through tiles in a fresh process, which reports the wall time,
its peak resident memory, and how far the tiled result is from one untiled pass over a crop (the seams).
"""
import argparse
import multiprocessing
import resource
import time
from pathlib import Path

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from gan_core.core import images, tasks
from gan_core.core.device import autocast, load
from gan_core.eval.bench import test_photo, time_them
from gan_core.photos import classical
from gan_core.restoration.restore import gan_restore


def time_it(function, repeats: int) -> float:
    """Fastest milliseconds of `function` over `repeats` runs, after a warm-up call."""
    return time_them({"it": function}, repeats)["it"]


def gflops_per_megapixel(generator: torch.nn.Module, side: int = 256) -> float:
    with FlopCounterMode(display=False) as counter, torch.inference_mode():
        generator(torch.zeros(1, 3, side, side))
    return counter.get_total_flops() / 1e9 / (side * side / 1e6)


def peak_rss_mib() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: ru_maxrss survives exec, so a spawned child
    would report its parent's peak at the fork."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024   # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def untiled(photo: np.ndarray, task: str, precision: str) -> np.ndarray:
    generator, _, _ = load(None, task)
    with torch.inference_mode(), autocast(torch.device("cpu"), precision):
        restored = generator(images.to_tensor(photo).permute(2, 0, 1)[None]).float()   # (1, 3, H, W)
    return images.to_uint8(restored[0].permute(1, 2, 0))


def large_run(task: str, width: int, height: int, tile: int, precision: str, results) -> None:
    """In a fresh process: restore a large photo in tiles; report time, peak memory and seam error."""
    photo = test_photo(max(width, height))[:height, :width]
    load(None, task)
    before = peak_rss_mib()
    started = time.perf_counter()
    restored = gan_restore(photo, task, tile=tile, precision=precision)
    seconds = time.perf_counter() - started
    peak = peak_rss_mib()
    # seams: a crop restored in one pass against the same crop of the tiled result, away from the crop's border
    crop, margin = photo[:768, :1024], 64
    scale = restored.shape[0] // height
    whole = untiled(crop, task, precision).astype(np.int16)
    tiled = restored[: 768 * scale, : 1024 * scale].astype(np.int16)
    inner = (slice(margin * scale, -margin * scale),) * 2
    difference = np.abs(whole[inner] - tiled[inner])
    results.put({"task": task, "seconds": seconds, "peak_mib": peak, "after_load_mib": before,
                 "output": f"{restored.shape[1]}x{restored.shape[0]}", "seam_max": int(difference.max()),
                 "seam_mean": float(difference.mean())})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", default="denoise,sr2,sr4")
    parser.add_argument("--sizes", default="256,512,1024", help="square input sides for the speed table")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16"])
    parser.add_argument("--tile", type=int, default=512)
    parser.add_argument("--large", default="2000x1500", help="WxH of the tiled large-photo run ('' to skip)")
    args = parser.parse_args(argv)
    task_names = args.tasks.split(",")

    print(f"torch threads: {torch.get_num_threads()}, precision: {args.precision}, tile: {args.tile}")
    print(f"{'task':8} {'input':>10} {'GFLOPs/MP':>9} {'GAN ms':>8} {'GAN ms/MP':>10} {'classical':>10} "
          f"{'ms':>8} {'ms/MP':>8}")
    for task in task_names:
        generator, _, _ = load(None, task)
        gflops = gflops_per_megapixel(generator)
        name, scale = tasks.get(task).classical[0].name, tasks.get(task).scale  # the best known peer
        for side in (int(s) for s in args.sizes.split(",")):
            photo = test_photo(side)
            megapixels = side * side / 1e6
            gan_ms = time_it(lambda: gan_restore(photo, task, tile=args.tile, precision=args.precision),
                             args.repeats)
            classical_ms = time_it(lambda: classical.restore(photo, name, scale), args.repeats)
            print(f"{task:8} {f'{side}x{side}':>10} {gflops:9.1f} {gan_ms:8.1f} {gan_ms / megapixels:10.1f} "
                  f"{name:>10} {classical_ms:8.1f} {classical_ms / megapixels:8.1f}", flush=True)

    if args.large:
        width, height = (int(v) for v in args.large.lower().split("x"))
        print(f"\n{width}x{height} photo through {args.tile}px tiles, one fresh process per task:")
        print(f"{'task':8} {'output':>11} {'seconds':>8} {'peak MiB':>9} {'after load':>10} {'seam max':>9} "
              f"{'seam mean':>9}")
        context = multiprocessing.get_context("spawn")
        for task in task_names:
            results = context.Queue()
            process = context.Process(target=large_run, args=(task, width, height, args.tile, args.precision,
                                                             results))
            process.start()
            row = results.get()
            process.join()
            print(f"{task:8} {row['output']:>11} {row['seconds']:8.2f} {row['peak_mib']:9.0f} "
                  f"{row['after_load_mib']:10.0f} {row['seam_max']:9d} {row['seam_mean']:9.3f}", flush=True)


if __name__ == "__main__":
    main()
