"""The CT evaluation: brain slices made CT slices, FBP and SART-TV at 60 and 30 views on two splits, and the
learned model(s) where their weights exist."""
import json

import numpy as np
import pytest
import torch

from gan_core.core.weights import save_weights
from gan_core.eval import ct as eval_ct
from gan_core.mri import ct
from gan_core.mri import slices as mri_data
from gan_core.mri.recon import generator_card
from tests.mri.test_recon import phantom


@pytest.fixture
def tiny_splits(monkeypatch):
    """Two small synthetic brain slices per split (64 px once square), one to tune on: no scans read."""
    slices = [mri_data.Slice(phantom(70, 64, seed), "t", brain, 0.0)
              for seed, brain in enumerate(("colin27", "macaque"))]
    monkeypatch.setattr(eval_ct, "validation_splits", lambda count=0, every=4: {"in-source": slices,
                                                                                 "held-out source": slices[::-1]})
    monkeypatch.setattr(eval_ct, "tuning_slices", lambda count=6: slices[:1])
    return slices


def test_a_brain_slice_becomes_an_even_square_zero_outside_the_circle():
    image, = eval_ct.ct_slices([mri_data.Slice(np.ones((71, 65), np.float32), "t", "colin27", 0.0)])
    assert image.shape == (64, 64) and image.dtype == np.float32
    assert np.array_equal(image > 0, ct.inscribed_circle(64))


def test_main_without_a_ct_model_reports_fbp_and_sart_tv_on_both_splits_and_says_why(tmp_path, tiny_splits, capsys):
    out = tmp_path / "ct.json"
    eval_ct.main(["--weights", str(tmp_path / "ct-recon.safetensors"), "--out", str(out)])
    report = json.loads(out.read_text())
    assert report["slices"] == {"in-source": 2, "held-out source": 2} and report["weights"] == {}
    assert set(report["views"]) == {"60 views", "30 views"}
    for split in ("in-source", "held-out source"):
        for setting, summary in report["splits"][split].items():
            assert set(summary) == {"fbp", "sart-tv"}
            assert all(set(numbers) == {"psnr", "ssim", "ms"} for numbers in summary.values())
            assert summary["sart-tv"]["psnr"] > summary["fbp"]["psnr"]
    assert report["views"]["30 views"]["sart-tv"]["weight"] == eval_ct.SART_TV_WEIGHT[30]
    printed = capsys.readouterr().out
    assert "ct-recon.safetensors is missing" in printed and "| 30 views | sart-tv |" in printed


def test_main_runs_every_learned_model_given_and_retunes_sart_tv_on_training_slices(tmp_path, tiny_splits,
                                                                                     monkeypatch):
    calls = []

    def learned(sinogram, angles, weights=None):           # stands in for the network: FBP, halved
        calls.append((weights.name, angles.size))
        return ct.fbp(sinogram, angles) / 2

    monkeypatch.setattr(ct, "ct_reconstruct", learned)
    monkeypatch.setattr(eval_ct, "trained_on_held_out_source", lambda path: path.stem == "ct-old")
    monkeypatch.setattr(eval_ct, "WEIGHT_GRID", (0.01, 3.0))
    for name in ("ct-recon", "ct-old"):
        (tmp_path / f"{name}.safetensors").write_bytes(b"")
    out = tmp_path / "ct.json"
    eval_ct.main(["--weights", str(tmp_path / "ct-recon.safetensors"),
                  "--weights", str(tmp_path / "ct-old.safetensors"), "--tune", "--out", str(out)])
    report = json.loads(out.read_text())
    assert report["tuning_slices"] == 1
    assert report["notes"] == ["ct-old trained on the macaque scan too: its held-out-source figure is not held out"]
    for setting in ("60 views", "30 views"):
        tuned = report["views"][setting]["sart-tv"]
        assert set(tuned["train_psnr"]) == {"0.01", "3.0"} and tuned["weight"] == 0.01   # 3.0 flattens the slice
        summary = report["splits"]["in-source"][setting]
        assert set(summary) == {"fbp", "sart-tv", "ct-recon", "ct-old"}
        assert summary["ct-recon"]["psnr"] < summary["fbp"]["psnr"]          # the halved FBP is worse, as it should be
    assert sorted(set(calls)) == [("ct-old.safetensors", 30), ("ct-old.safetensors", 60),
                                  ("ct-recon.safetensors", 30), ("ct-recon.safetensors", 60)]
    assert len(calls) == 2 * 2 * 2 * 2                                         # models x views x splits x slices


def test_a_real_ct_model_runs_through_ct_reconstruct(tmp_path):
    torch.manual_seed(0)
    model = ct.CTReconGenerator(ct.CTReconConfig(channels=4, depth=1))     # untrained: returns the FBP image
    path = save_weights(tmp_path / "ct-tiny.safetensors", model, None,
                        {"name": "ct-tiny", "task": "ct", "generator": generator_card(model),
                         "data": {"scans": mri_data.TRAINING_SOURCES}})
    image = ct.square_slice(phantom(64, 64))
    report = eval_ct.evaluate({"in-source": [image]}, [], [path])
    assert report["notes"] == []
    for summary in report["splits"]["in-source"].values():
        assert abs(summary["ct-tiny"]["psnr"] - summary["fbp"]["psnr"]) < 0.01
