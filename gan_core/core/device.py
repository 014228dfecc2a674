"""Where the networks run: the device, bfloat16 where the CPU has it natively, how many threads, and a task's
trained model loaded once onto the device.

Every application runs its models through these few functions, so "which device", "which precision" and
"how many threads" have one answer each.
"""
import functools
import os
from contextlib import contextmanager
from pathlib import Path

import torch

from gan_core.core import registry, tasks
from gan_core.core.paths import WEIGHTS_DIR
from gan_core.core.weights import list_weights, named_weights


def pick_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@functools.lru_cache(maxsize=1)
def cpu_has_bf16() -> bool:
    """True where bfloat16 runs natively (AVX512-BF16 or AMX); elsewhere bf16 is many times slower.

    Torch must also be using its AVX512 kernels: ATEN_CPU_CAPABILITY=avx2 (how the benchmark plays an AVX2
    laptop on a newer CPU) turns them off, and bfloat16 with them."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    avx512_kernels = torch.backends.cpu.get_cpu_capability().startswith("AVX512")
    return avx512_kernels and ("avx512_bf16" in flags or "amx_bf16" in flags)


def autocast(device: torch.device, precision: str):
    """precision "auto" uses bfloat16 on GPUs and on CPUs with native bf16, float32 elsewhere."""
    use_bf16 = precision == "bf16" or (precision == "auto" and (device.type == "cuda" or cpu_has_bf16()))
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_bf16)


# ----------------------------------------------------------------------------------------------------
# Threads


def set_threads(count: int | None = None, processes: int = 1) -> int:
    """Give torch's operators `count` threads, or by default this machine's cores shared among `processes`
    processes (torchrun's workers each get their share, instead of all fighting for every core)."""
    threads = count or max(1, (os.cpu_count() or 2) // processes)
    torch.set_num_threads(threads)
    return threads


@contextmanager
def one_thread():
    """Run torch ops on one thread. Tiny networks are fastest single-threaded, and on a busy 2-core CPU
    multi-threaded spinning makes them ~100x slower. The setting is per thread with OpenMP; we restore it."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


# ----------------------------------------------------------------------------------------------------
# A task's model, loaded once


def resolve_weights(weights: str | Path | None, task: str, folder: str | Path = WEIGHTS_DIR) -> Path:
    """A path, a name in `folder` (without .safetensors), or None for the default model of the task there."""
    folder = Path(folder)
    if weights is not None:
        return named_weights(weights, folder)
    default = folder / f"{tasks.get(task).default_weights}.safetensors"
    if default.exists():
        return default
    candidates = list_weights(task, folder)
    if not candidates:
        raise FileNotFoundError(f"no {task} weights in {folder}; train and export one with "
                                f"`python -m gan_core.training --task {task} ... --export NAME`")
    return candidates[0]


def channels_last(path: str, device: str):
    """registry.load_models, with the generator's weights channels-last: convolutions on the CPU run about
    1.2-1.5x faster on NHWC tensors, in fp32 and bf16 alike, with the same numbers (measured in
    docs/inpaint-bench.txt); inputs are converted where they enter."""
    generator, discriminator, card = registry.load_models(path, device)
    generator.to(memory_format=torch.channels_last)
    return generator, discriminator, card


def load(weights: str | Path | None, task: str, device: torch.device | str | None = None):
    """(generator, discriminator or None, card) of a task's model, through the one cache of loaded models
    (gan_core.core.registry.load: per file version and device, so a re-exported file is read again).

    The caller imports the module that registers the model's classes (gan_core.inpainting.model, ...)."""
    path = resolve_weights(weights, task)
    generator, discriminator, card = registry.load(path, build=channels_last, device=device or pick_device())
    if card.get("task") != task:
        raise ValueError(f"{path.name} is a {card.get('task')!r} model, not {task!r}")
    return generator, discriminator, card
