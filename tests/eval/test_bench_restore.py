"""gan_core.eval.bench_restore: the CPU line and the photo table's timing through gan_core.restore."""
import pytest

from gan_core.eval import bench_restore

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def tiny_sr2_weights(tiny_restore_weights):
    return tiny_restore_weights / "sr2.safetensors"


def test_the_cpu_line_says_whether_bf16_is_native():
    line = bench_restore.describe_cpu()
    assert line.startswith("CPU: ") and "AVX512-BF16: " in line and "torch kernels: " in line


def test_a_photo_is_timed_per_precision_and_missing_weights_are_none(tiny_sr2_weights, monkeypatch):
    monkeypatch.setattr(bench_restore, "weights_for", lambda task, setting: str(tiny_sr2_weights))
    seconds = bench_restore.photo_seconds("sr2", "clean", 64, 48, ["fp32", "bf16"], tile=512, repeats=1)
    assert set(seconds) == {"fp32", "bf16"} and all(s > 0 for s in seconds.values())
    monkeypatch.setattr(bench_restore, "weights_for", lambda task, setting: "no-such-weights")
    assert bench_restore.photo_seconds("sr2", "real", 64, 48, ["fp32"], tile=512, repeats=1) is None


def test_main_prints_the_photo_table_only(tiny_sr2_weights, monkeypatch, capsys):
    monkeypatch.setattr(bench_restore, "weights_for",
                        lambda task, setting: str(tiny_sr2_weights) if setting == "clean" else "no-such-weights")
    bench_restore.main(["--tasks", "sr2", "--photo", "64x48", "--sizes", "", "--large", "", "--repeats", "1",
                        "--precisions", "fp32", "--threads", "1"])
    out = capsys.readouterr().out
    assert "64x48 photo through gan_core.restore" in out and "128x96" in out
    assert "no weights (no-such-weights)" in out
