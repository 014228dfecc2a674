"""gan_core.learn.dcgan_game: the DCGAN on the one trainer; its export ships the story of its training."""
import json

import torch

from gan_core.core.weights import WEIGHTS_DIR
from gan_core.learn import classifier, dcgan_game
from gan_core.learn.dcgan_game import DCGANGame
from gan_core.training.train import parse_args, train
from gan_core.training.trainer import Trainer


def test_d_judges_real_and_fake_in_two_batches_and_g_pays_the_adversarial_term_alone():
    game = DCGANGame(parse_args(["--task", "dcgan", "--gan-loss", "nonsaturating", "--adv-weight", "1"]))
    trainer = Trainer(game)
    real = torch.rand(6, 1, 32, 32) * 2 - 1
    stats = trainer.step((real,))
    assert set(stats) == {"loss_d", "d_real", "d_fake", "adv", "loss_g"} and stats["adv"] == stats["loss_g"]
    assert not game.feature_matching and game.ships_story


def test_a_dcgan_export_ships_its_log_and_sample_grids_with_fd_along_training(tmp_path, monkeypatch):
    monkeypatch.setattr(dcgan_game.DCGANGame, "measured_samples", 200)
    images, labels = classifier.fashion_split("test")
    monkeypatch.setattr(classifier, "fashion_split", lambda split: (images[:600], labels[:600]))  # FD's reference
    weights_dir = tmp_path / "weights"
    train(parse_args(["--task", "dcgan", "--out", str(tmp_path / "run"), "--steps", "3", "--batch-size", "8",
                      "--sample-every", "1", "--workers", "0", "--export", "tiny-dcgan", "--weights-dir",
                      str(weights_dir), "--no-progress"]))
    shipped = sorted(p.name for p in (weights_dir / "tiny-dcgan-samples").iterdir())
    assert shipped == ["step_0000001.png", "step_0000002.png", "step_0000003.png"]
    records = [json.loads(line) for line in (weights_dir / "tiny-dcgan.log.jsonl").read_text().splitlines()]
    assert records[-1]["event"] == "end" and records[-1]["step"] == 3
    card = json.loads((weights_dir / "tiny-dcgan.json").read_text())
    assert card["generator"]["class"] == "DCGANGenerator" and card["data"]["images"] == 60000
    if (WEIGHTS_DIR / "fashion-classifier.safetensors").exists():   # FD and coverage at each grid
        measured = [r for r in records if "fd" in r]
        assert [r["step"] for r in measured][:3] == [1, 2, 3] and all(r["fd"] > 5 for r in measured)
