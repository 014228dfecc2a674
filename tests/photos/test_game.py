"""gan_core.photos.game: what the photo games share (their settings, Adam, the schedule, D's round and G's charges)."""
import pytest
import torch

from gan_core.inpainting.game import InpaintingGame
from gan_core.photos.game import PhotoGame, TrainConfig, psnr
from gan_core.restoration.game import RestorationGame
from gan_core.training.train import parse_args
from gan_core.training.trainer import Trainer
from tests.conftest import TINY


def test_the_generator_step_of_every_photo_task_is_the_same_round_of_the_game(image_folder):
    for game_class, task in ((InpaintingGame, "inpaint"), (RestorationGame, "sr2")):
        game = game_class(parse_args(["--task", task, "--data", str(image_folder), "--adv-start", "1", *TINY]))
        assert isinstance(game, PhotoGame)
        trainer = Trainer(game)
        batch = game.fixed_batch()
        assert set(trainer.step(batch)) == {"l1", "loss_g"}                       # reconstruction only at first
        assert {"loss_d", "adv", "fm", "l1", "loss_g"} <= set(trainer.step(batch))  # then the whole game


def test_learning_rates_fall_to_zero_and_an_unknown_loss_is_refused(image_folder):
    game = InpaintingGame(TrainConfig(steps=10, decay_from=6, lr_g=1e-3, lr_d=2e-3))
    assert game.learning_rates(0) == (1e-3, 2e-3) and game.learning_rates(8) == (0.5e-3, 1e-3)
    assert game.learning_rates(10) == (0.0, 0.0)
    with pytest.raises(ValueError, match="hinge"):
        InpaintingGame(TrainConfig(gan_loss="nope"))


def test_grids_are_drawn_from_the_same_fixed_batch(image_folder, tmp_path):
    game = InpaintingGame(parse_args(["--data", str(image_folder), "--out", str(tmp_path), *TINY]))
    first, again = game.fixed_batch(), InpaintingGame(game.cfg).fixed_batch()
    assert all(torch.equal(a, b) for a, b in zip(first, again)) and first[0].shape == (4, 3, 64, 64)
    numbers = game.sample(Trainer(game), 7)
    assert (tmp_path / "samples" / "step_0000007.png").exists() and numbers["val_psnr_hole"] > 0
    assert psnr(0.04) == pytest.approx(20.0)
