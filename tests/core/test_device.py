"""gan_core.core.device: where the networks run, with how many threads, and a task's model loaded once."""
import os
import subprocess
import sys

import pytest
import torch

from gan_core.core import device
from gan_core.inpainting import model  # noqa: F401  registers the inpainter's class
from tests.conftest import ROOT


def test_default_weights_are_shipped():
    path = device.resolve_weights(None, "inpaint")
    assert path.exists() and path.parent.name == "weights"


def test_resolve_weights_looks_in_the_folder_it_is_given(tiny_restore_weights, tmp_path):
    assert device.resolve_weights(None, "sr2", tiny_restore_weights) == tiny_restore_weights / "sr2.safetensors"
    assert device.resolve_weights("denoise", "denoise", tiny_restore_weights).parent == tiny_restore_weights
    with pytest.raises(FileNotFoundError, match="no sr4 weights in"):
        device.resolve_weights(None, "sr4", tiny_restore_weights)


def test_a_model_is_loaded_once_channels_last_and_checked_against_its_task():
    generator, _, card = device.load("inpaint-tiny-test", "inpaint", "cpu")
    assert device.load("inpaint-tiny-test", "inpaint", "cpu")[0] is generator and card["task"] == "inpaint"
    weight = next(p for p in generator.parameters() if p.dim() == 4)
    assert weight.is_contiguous(memory_format=torch.channels_last)
    with pytest.raises(ValueError, match="not 'denoise'"):
        device.load("inpaint-tiny-test", "denoise", "cpu")


def test_one_thread_is_given_back():
    before = torch.get_num_threads()
    with device.one_thread():
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    try:
        assert device.set_threads(processes=os.cpu_count() or 2) == 1 == torch.get_num_threads()
        assert device.set_threads(3) == 3 == torch.get_num_threads()
    finally:
        torch.set_num_threads(before)


def test_bfloat16_is_not_called_native_when_torch_runs_its_avx2_kernels():
    code = "from gan_core.core.device import cpu_has_bf16; print(cpu_has_bf16())"
    env = {**os.environ, "ATEN_CPU_CAPABILITY": "avx2"}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
