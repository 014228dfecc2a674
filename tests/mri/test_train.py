"""gan_core.mri.train: the MRI GAN's game on the one trainer and loop."""
import json

import numpy as np

from gan_core.mri import slices as mri_data
from gan_core.mri.recon import load_generator
from gan_core.mri.train import MRIGame, MRITrainConfig, batch_of_crops, train, validation_cases
from gan_core.training.train import read_log
from gan_core.training.trainer import Trainer
from tests.mri.test_recon import phantom


def phantoms(count=3):
    return [mri_data.Slice(phantom(40, 40, seed), "test", "colin27", float(seed)) for seed in range(count)]


def test_a_few_training_steps_run_and_lower_the_loss_on_one_batch():
    cfg = MRITrainConfig(batch_size=2, crop=32, channels=4, depth=2, adv_start=2, lr_g=3e-3)
    trainer = Trainer(MRIGame(cfg))
    batch = batch_of_crops(phantoms(), cfg, np.random.default_rng(0))
    first = trainer.step(batch)
    assert set(first) == {"loss_l1", "loss_ssim"}   # D waits for adv_start
    for _ in range(15):
        logs = trainer.step(batch)
    assert {"loss_d", "d_real", "d_fake", "loss_adv"} <= set(logs) and logs["loss_l1"] < first["loss_l1"]


def test_learning_rates_fall_linearly_to_zero_after_decay_from():
    game = MRIGame(MRITrainConfig(steps=300, decay_from=100, lr_g=1e-3, lr_d=2e-3))
    assert [game.learning_rates(step)[0] for step in (0, 99, 100, 200, 300)] == [1e-3, 1e-3, 1e-3, 0.5e-3, 0.0]
    assert MRIGame(MRITrainConfig(steps=300)).learning_rates(299) == (2e-4, 2e-4)   # decay_from 0: constant


def test_validation_masks_are_seeded_by_slice_and_cover_both_accelerations():
    cases = validation_cases(phantoms(5), 3)
    assert len(cases) == 3 and set(cases[0][2]) == {4, 8}
    assert np.array_equal(validation_cases(phantoms(5), 3)[1][2][4], cases[1][2][4])


def test_a_run_validates_checkpoints_resumes_and_exports_a_model_that_loads(tmp_path):
    slices = {"train": phantoms(), "val": phantoms(2)}
    common = dict(out=str(tmp_path / "run"), batch_size=2, crop=32, channels=4, depth=1, adv_start=1, val_every=2)
    train(MRITrainConfig(steps=2, **common), slices=slices)
    trainer = train(MRITrainConfig(steps=3, export="mri-tiny", weights_dir=str(tmp_path), **common), slices=slices)
    assert trainer.step_count == 3
    log = read_log(tmp_path / "run")
    assert "psnr_gan_4x" in log[1] and "loss_l1" in log[1] and all("wall" in r for r in log)
    card = json.loads((tmp_path / "mri-tiny.json").read_text())
    assert card["task"] == "mri" and card["training_command"].startswith("python -m gan_core.training --task mri")
    assert set(card["evaluation"]["validation_psnr_all_slices"]) == {"psnr_gan_4x", "psnr_zf_4x", "psnr_gan_8x",
                                                                     "psnr_zf_8x"}
    generator = load_generator(tmp_path / "mri-tiny.safetensors")
    assert generator.config.channels == 4 and load_generator(tmp_path / "mri-tiny.safetensors") is generator
