"""The MRI evaluation: classical weights tuned on training slices, two splits reported apart, every learned model
with its data-consistency check (gan_core.mri.classical holds the methods and the metrics)."""
import json

import numpy as np
import pytest
import torch

from gan_core.core.weights import save_weights
from gan_core.eval import mri as eval_mri
from gan_core.mri import slices as mri_data
from gan_core.mri.recon import MRIReconConfig, MRIReconGenerator, column_mask, generator_card, to_kspace, zero_filled
from gan_core.mri.unrolled import UnrolledConfig, UnrolledRecon


def phantom(height=32, width=28):
    y, x = np.mgrid[:height, :width]
    image = (((y - height / 2) / (0.35 * height)) ** 2 + ((x - width / 2) / (0.35 * width)) ** 2 < 1) * 0.7
    image[height // 2 - 3: height // 2 + 3, width // 2 - 2: width // 2 + 2] = 1.0
    return image.astype(np.float32)


def tiny_weights(folder, name, generator, scans=None):
    card = {"name": name, "task": "mri", "generator": generator_card(generator)}
    if scans:
        card["data"] = {"scans": scans}
    return save_weights(folder / f"{name}.safetensors", generator, None, card)


def test_the_tuned_weight_is_the_grids_best_and_beats_zero_filling():
    image = phantom(48, 48)
    mask = column_mask(*image.shape, 4, seed=0)
    kspace = to_kspace(image) * mask
    lamda, tried = eval_mri.tune_lambda([mri_data.Slice(image, "t", "colin27", 0.0)], 4)
    assert tried[lamda] == max(tried.values())
    assert eval_mri.psnr01(image, eval_mri.l1_wavelet(kspace, mask, lamda)) > eval_mri.psnr01(image, zero_filled(kspace))
    weight, tried = eval_mri.tune_tv([mri_data.Slice(image, "t", "colin27", 0.0)], 4, grid=(0.003, 0.3))
    assert tried[weight] == max(tried.values()) and weight == 0.003     # 0.3 flattens the slice


def test_evenly_spaced_slices_keep_the_ends_and_all_means_all():
    assert eval_mri.evenly(list(range(11)), 3) == [0, 5, 10]
    assert eval_mri.evenly(list(range(5)), 0) == list(range(5)) == eval_mri.evenly(list(range(5)), 9)


@pytest.fixture
def tiny_splits(monkeypatch):
    """Two small synthetic slices per split, one to tune on: no brain scans read."""
    slices = [mri_data.Slice(phantom(32, 28), "t", "colin27", 0.0),
              mri_data.Slice(phantom(28, 32), "t", "macaque", 1.0)]
    monkeypatch.setattr(eval_mri, "validation_splits", lambda count=0, every=4: {eval_mri.IN_SOURCE: slices,
                                                                                  eval_mri.HELD_OUT: slices[::-1]})
    monkeypatch.setattr(eval_mri, "tuning_slices", lambda count=6: slices[:1])
    return slices


def test_main_reports_both_splits_every_method_and_the_data_consistency_of_each_model(tmp_path, tiny_splits, capsys):
    torch.manual_seed(0)
    first = tiny_weights(tmp_path, "mri-recon", MRIReconGenerator(MRIReconConfig(channels=4, depth=1, fold=1)),
                         scans=mri_data.SCANS)           # trained on the macaque too, as the shipped one was
    unrolled = tiny_weights(tmp_path, "mri-unrolled",                   # refines TV compressed sensing
                            UnrolledRecon(UnrolledConfig(cascades=2, channels=4, depth=1, fold=1, start="tv")),
                            scans=mri_data.TRAINING_SOURCES)
    out = tmp_path / "mri.json"
    eval_mri.main(["--weights", str(first), "--weights", str(unrolled), "--weights", str(tmp_path / "gone.safetensors"),
                   "--out", str(out)])
    report = json.loads(out.read_text())
    assert report["slices"] == {"in-source": 2, "held-out source": 2}
    assert set(report["weights"]) == {"mri-recon", "mri-unrolled"}
    assert report["notes"] == ["mri-recon trained on the macaque scan too: its held-out-source figure is not held out"]
    for setting in ("4x", "8x"):
        tuned = report["accelerations"][setting]
        assert tuned["l1-wavelet"]["lamda"] in eval_mri.LAMBDA_GRID
        assert tuned["tv-cs"]["weight"] == eval_mri.TV_WEIGHT[int(setting[0])]
        for split in ("in-source", "held-out source"):
            summary = report["splits"][split][setting]
            assert set(summary) == {"zero-filled", "l1-wavelet", "tv-cs", "mri-recon", "mri-unrolled"}
            assert all(set(numbers) >= {"psnr", "ssim", "ms"} for numbers in summary.values())
            # untrained, the first model is the zero-filled image and the cascade its TV start; both keep the
            # measured lines to float precision
            assert abs(summary["mri-recon"]["psnr"] - summary["zero-filled"]["psnr"]) < 0.01
            assert abs(summary["mri-unrolled"]["psnr"] - summary["tv-cs"]["psnr"]) < 0.01
            assert summary["mri-recon"]["dc"] < 1e-5 and summary["mri-unrolled"]["dc"] < 1e-5
            assert summary["tv-cs"]["psnr"] > summary["zero-filled"]["psnr"]
    printed = capsys.readouterr().out
    assert "gone.safetensors is missing" in printed
    assert "**held-out source** (2 slices)" in printed and "| 8x | tv-cs |" in printed
    assert "Note: mri-recon trained on the macaque scan" in printed


def test_the_data_consistency_check_catches_a_model_that_changes_measured_lines(tmp_path):
    image = phantom()
    mask = column_mask(*image.shape, 4, seed=0)
    kspace = to_kspace(image) * mask
    torch.manual_seed(0)
    method = eval_mri.LearnedMethod(tiny_weights(tmp_path, "m", MRIReconGenerator(MRIReconConfig(channels=4, depth=1,
                                                                                                   fold=1))))
    method.generator.consistent_image = lambda k, m: 1.1 * torch.fft.ifft2(torch.fft.ifftshift(k, dim=(-2, -1)),
                                                                           norm="ortho")   # measured lines x 1.1
    method(kspace, mask)
    assert method.dc[-1] == pytest.approx(0.1, rel=1e-3)


def test_main_retunes_the_tv_weight_on_training_slices_when_asked(tmp_path, tiny_splits, monkeypatch):
    monkeypatch.setattr(eval_mri, "TV_GRID", (0.003, 0.3))
    out = tmp_path / "mri.json"
    eval_mri.main(["--weights", str(tmp_path / "none.safetensors"), "--tune-tv", "--out", str(out)])
    report = json.loads(out.read_text())
    for setting in ("4x", "8x"):
        tuned = report["accelerations"][setting]["tv-cs"]
        assert set(tuned["train_psnr"]) == {"0.003", "0.3"} and tuned["weight"] == 0.003
        assert set(report["splits"]["in-source"][setting]) == {"zero-filled", "l1-wavelet", "tv-cs"}
