"""CPU speed and memory of the restoration GANs (denoise, sr2, sr4), with the classical methods beside them.

    python -m gan_core.eval.bench_restore [--tasks denoise,sr2,sr4] [--sizes 256,512,1024] [--large 2000x1500]
    python -m gan_core.eval.bench_restore --threads 2 --sizes '' --large ''     # only the 1024x768 photo table

The CPU's name, whether it runs bfloat16 natively (AVX512-BF16 or AMX) and which kernels torch and oneDNN
use are printed first, so a figure is never quoted without the machine that gave it.
Photo: the seconds to restore one --photo (1024x768) photo through gan_core.restore, as a user's call runs
(tiles, blending and conversion included; the fastest of --repeats after a warm-up), per task and setting
(the clean and the real weights, gan_core.restoration.restore.weights_for; a setting whose weights are not
there is reported as missing), in fp32 and bf16. The photo is the input: sr2 and sr4 return it 2x and 4x
larger.

Speed: milliseconds per image and per megapixel of input, for the GAN (everything included: tiling,
blending, conversion) and for the task's first classical method in gan_core.core.tasks (non-local means at
sigma 25 / bicubic), in the same run.
Large: each task restores a --large photo through tiles in a fresh process, which reports the wall time,
its peak resident memory, and how far the tiled result is from one untiled pass over a crop (the seams).

The bound to meet: under 10 s for the 1024x768 photo in fp32 on 2 threads of an AVX2-only CPU (a laptop,
most hosted CPUs). To play one on a newer CPU, limit torch's and oneDNN's kernels (bf16 is then emulated,
many times slower: fp32 is the figure that counts there):

    ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 python -m gan_core.eval.bench_restore --threads 2 --sizes '' --large '' --precisions fp32
"""
import argparse
import multiprocessing
import os
import resource
import time
from pathlib import Path

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from gan_core.core import images, tasks
from gan_core.core.device import autocast, cpu_has_bf16, load, resolve_weights
from gan_core.eval.bench import cpu_name, test_photo, time_them
from gan_core.photos import classical
from gan_core.restoration.restore import SETTINGS, gan_restore, restore, weights_for


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


def cpu_flags() -> set[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def describe_cpu() -> str:
    """The CPU, its vector and bfloat16 flags, and the kernels torch and oneDNN were allowed to use."""
    flags = cpu_flags()
    has = [name for flag, name in (("avx2", "AVX2"), ("avx512f", "AVX512F"), ("avx512_bf16", "AVX512-BF16"),
                                   ("amx_bf16", "AMX-BF16")) if flag in flags]
    limits = [f"{name}={os.environ[name]}" for name in ("ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA")
              if name in os.environ]
    return (f"CPU: {cpu_name()}; flags: {' '.join(has) or 'none of AVX2, AVX512F, AVX512-BF16, AMX-BF16'}; "
            f"AVX512-BF16: {'yes' if 'avx512_bf16' in flags else 'no'}; native bf16 in use: "
            f"{'yes' if cpu_has_bf16() else 'no'}; torch kernels: {torch.backends.cpu.get_cpu_capability()}"
            + (f" ({', '.join(limits)})" if limits else "") + f"; torch threads: {torch.get_num_threads()}")


def photo_seconds(task: str, setting: str, width: int, height: int, precisions: list[str], tile: int,
                  repeats: int) -> dict[str, float] | None:
    """{precision: fastest seconds} to restore a width x height photo through gan_core.restore with the
    setting's weights, or None when they are not there."""
    try:
        weights = resolve_weights(weights_for(task, setting), task)
    except FileNotFoundError:
        return None
    photo = test_photo(max(width, height))[:height, :width]
    return {precision: time_it(lambda: restore(photo, task, weights, tile=tile, precision=precision), repeats) / 1000
            for precision in precisions}


def large_run(task: str, width: int, height: int, tile: int, precision: str, results,
              threads: int | None = None) -> None:
    """In a fresh process: restore a large photo in tiles; report time, peak memory and seam error."""
    if threads:
        torch.set_num_threads(threads)
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


def photo_table(task_names: list[str], size: str, settings: list[str], precisions: list[str], tile: int,
                repeats: int) -> None:
    width, height = (int(v) for v in size.lower().split("x"))
    print(f"\n{width}x{height} photo through gan_core.restore ({tile}px tiles), seconds:")
    print(f"{'task':8} {'setting':8} {'output':>11} " + " ".join(f"{p:>8}" for p in precisions))
    for task in task_names:
        scale = tasks.get(task).scale
        for setting in settings:
            seconds = photo_seconds(task, setting, width, height, precisions, tile, repeats)
            times = (" ".join(f"{seconds[p]:8.2f}" for p in precisions) if seconds
                     else f"no weights ({weights_for(task, setting)})")
            print(f"{task:8} {setting:8} {f'{width * scale}x{height * scale}':>11} {times}", flush=True)


def speed_table(task_names: list[str], sizes: list[int], precision: str, tile: int, repeats: int) -> None:
    print(f"\ntorch threads: {torch.get_num_threads()}, precision: {precision}, tile: {tile}")
    print(f"{'task':8} {'input':>10} {'GFLOPs/MP':>9} {'GAN ms':>8} {'GAN ms/MP':>10} {'classical':>10} "
          f"{'ms':>8} {'ms/MP':>8}")
    for task in task_names:
        generator, _, _ = load(None, task)
        gflops = gflops_per_megapixel(generator)
        name, scale = tasks.get(task).classical[0].name, tasks.get(task).scale  # the best known peer
        for side in sizes:
            photo = test_photo(side)
            megapixels = side * side / 1e6
            gan_ms = time_it(lambda: gan_restore(photo, task, tile=tile, precision=precision), repeats)
            classical_ms = time_it(lambda: classical.restore(photo, name, scale), repeats)
            print(f"{task:8} {f'{side}x{side}':>10} {gflops:9.1f} {gan_ms:8.1f} {gan_ms / megapixels:10.1f} "
                  f"{name:>10} {classical_ms:8.1f} {classical_ms / megapixels:8.1f}", flush=True)


def large_table(task_names: list[str], size: str, precision: str, tile: int, threads: int | None) -> None:
    width, height = (int(v) for v in size.lower().split("x"))
    print(f"\n{width}x{height} photo through {tile}px tiles, one fresh process per task:")
    print(f"{'task':8} {'output':>11} {'seconds':>8} {'peak MiB':>9} {'after load':>10} {'seam max':>9} "
          f"{'seam mean':>9}")
    context = multiprocessing.get_context("spawn")
    for task in task_names:
        results = context.Queue()
        process = context.Process(target=large_run, args=(task, width, height, tile, precision, results, threads))
        process.start()
        row = results.get()
        process.join()
        print(f"{task:8} {row['output']:>11} {row['seconds']:8.2f} {row['peak_mib']:9.0f} "
              f"{row['after_load_mib']:10.0f} {row['seam_max']:9d} {row['seam_mean']:9.3f}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", default="denoise,sr2,sr4")
    parser.add_argument("--sizes", default="256,512,1024", help="square input sides for the speed table ('' to skip)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16"],
                        help="of the speed table and the large photo")
    parser.add_argument("--tile", type=int, default=512)
    parser.add_argument("--large", default="2000x1500", help="WxH of the tiled large-photo run ('' to skip)")
    parser.add_argument("--photo", default="1024x768", help="WxH of the photo timed through gan_core.restore "
                                                            "per task, setting and precision ('' to skip)")
    parser.add_argument("--settings", default=",".join(SETTINGS), help="the weights the photo table times")
    parser.add_argument("--precisions", default="fp32,bf16", help="the precisions the photo table times")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    args = parser.parse_args(argv)
    task_names = args.tasks.split(",")
    if args.threads:
        torch.set_num_threads(args.threads)

    print(describe_cpu())
    if args.photo:
        photo_table(task_names, args.photo, args.settings.split(","), args.precisions.split(","), args.tile,
                    args.repeats)
    if args.sizes:
        speed_table(task_names, [int(s) for s in args.sizes.split(",")], args.precision, args.tile, args.repeats)
    if args.large:
        large_table(task_names, args.large, args.precision, args.tile, args.threads)


if __name__ == "__main__":
    main()
