"""gan_core.mri.ct_train: the CT game on the one trainer and loop, and the unrolled MRI game's mixed data."""
import json

import numpy as np
import pytest

from gan_core.mri import ct, transfer
from gan_core.mri import slices as mri_data
from gan_core.mri.ct_train import CTTrainConfig, ct_batch, train
from gan_core.mri.recon import load_generator
from gan_core.mri.train import MRITrainConfig
from gan_core.mri.train import train as train_mri
from gan_core.mri.unrolled import UnrolledRecon
from gan_core.training.train import read_log
from tests.mri.test_recon import phantom
from tests.mri.test_train import phantoms


@pytest.fixture(autouse=True)
def small_views(monkeypatch):
    """Small views and synthetic transfer images: the games' code paths at a test's cost."""
    rng = np.random.default_rng(0)
    monkeypatch.setattr(transfer, "transfer_images", lambda: (rng.random((80, 90), dtype=np.float32),))
    monkeypatch.setattr(transfer, "SIZES", (32, 48))
    monkeypatch.setattr("gan_core.mri.ct_train.CT_SIZES", (64,))
    monkeypatch.setattr(transfer, "PIXELS_PER_BATCH", 2 * 48 * 48)


def test_ct_batches_hold_the_fbp_of_their_targets_at_varied_view_counts():
    cfg = CTTrainConfig(views="20-40")
    start, views, target = ct_batch(phantoms(), cfg, np.random.default_rng(1))
    assert start.shape == target.shape and start.shape[-1] == 64 and views.min() >= 20 and views.max() <= 40
    assert not target[0, 0].numpy()[~ct.inscribed_circle(64)].any()
    assert float((start - target).abs().mean()) < 0.5 * float(target.abs().mean()) + 0.05   # near its slice


def slices_for_tests(side=40):
    made = [mri_data.Slice(phantom(side, side, seed), "test", "colin27", float(seed)) for seed in range(6)]
    return {"train": made[:3], "val": made[3:5], "source": made[5:]}


def test_a_ct_run_validates_on_both_splits_and_exports_a_model_that_loads(tmp_path):
    common = dict(out=str(tmp_path / "run"), channels=4, depth=1, adv_start=1, val_every=2, val_slices=2,
                  bf16=False)
    trainer = train(CTTrainConfig(steps=2, export="ct-tiny", weights_dir=str(tmp_path), **common),
                    slices=slices_for_tests(64))
    assert trainer.step_count == 2
    validated = [record for record in read_log(tmp_path / "run") if "psnr_gan_60v" in record]
    assert validated and {"psnr_fbp_30v", "source_psnr_gan_30v"} <= set(validated[-1])
    card = json.loads((tmp_path / "ct-tiny.json").read_text())
    assert card["task"] == "ct" and "held_out_source" in card["data"] and "CT" in card["note"]
    assert set(card["evaluation"]["held_out_source_psnr"]) == {"psnr_gan_60v", "psnr_fbp_60v", "psnr_gan_30v",
                                                               "psnr_fbp_30v"}
    assert isinstance(ct.load_generator(tmp_path / "ct-tiny.safetensors"), ct.CTReconGenerator)


def test_the_unrolled_mri_run_on_mixed_views_reports_the_held_out_source(tmp_path):
    common = dict(out=str(tmp_path / "run"), channels=4, depth=1, cascades=2, model="unrolled", data="mixed",
                  held_out_source=True, adv_start=1, val_every=2, val_slices=2)
    train_mri(MRITrainConfig(steps=2, export="mri-tiny", weights_dir=str(tmp_path), **common),
              slices=slices_for_tests())
    assert any("source_psnr_gan_8x" in record for record in read_log(tmp_path / "run"))
    card = json.loads((tmp_path / "mri-tiny.json").read_text())
    assert "inia19-t1-brain.nii.gz" not in card["data"]["scans"] and card["data"]["transfer"]["count"] == 1
    assert isinstance(load_generator(tmp_path / "mri-tiny.safetensors"), UnrolledRecon)
