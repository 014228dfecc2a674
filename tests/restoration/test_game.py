"""gan_core.restoration.game: the restorers' game on the one trainer and loop."""
import numpy as np
import pytest

from gan_core.photos import data
from gan_core.restoration.game import Degraded
from gan_core.training.train import parse_args, train
from tests.conftest import TINY


def test_a_crop_becomes_its_degraded_version_and_itself(image_folder):
    files = data.list_images(image_folder)
    degraded, clean = data.PhotoCrops(files, Degraded("sr4"), data.CropConfig(crop=64))[0]
    assert degraded.shape == (3, 16, 16) and clean.shape == (3, 64, 64)
    crop = np.full((32, 32, 3), 128, np.uint8)
    noisy, same = Degraded("denoise")(crop, np.random.default_rng(0))
    assert noisy.shape == same.shape == (3, 32, 32) and (noisy != same).any()
    with pytest.raises(ValueError, match="sr2"):
        Degraded("inpaint")


def test_the_real_setting_degrades_crops_as_photos_from_phones_are():
    crop = np.full((64, 64, 3), 128, np.uint8)
    degraded, clean = Degraded("sr4", "real")(crop, np.random.default_rng(0))
    assert degraded.shape == (3, 16, 16) and clean.shape == (3, 64, 64)
    with pytest.raises(ValueError, match="clean"):
        Degraded("sr2", "phone")


def test_every_restoration_task_trains_and_draws_its_grid(image_folder, tmp_path):
    for task in ("denoise", "sr2", "sr4"):
        trainer = train(parse_args(["--task", task, "--data", str(image_folder), "--out", str(tmp_path / task),
                                    "--steps", "2", "--sample-every", "2", "--adv-start", "1", *TINY]))
        assert trainer.step_count == 2 and (tmp_path / task / "samples" / "step_0000002.png").exists()
        assert "val_psnr" in trainer.game.evaluate(trainer)["fixed_batch"]
