"""gan_core.training.train: the one run loop (folder, resume, clock, log, atomic checkpoint, export) and the
command line built from a config dataclass."""
import dataclasses
import json
import os
import subprocess
import sys

import pytest
import torch

from gan_core.training import train as train_lib
from gan_core.training.train import TRAINERS, command_line, parse_args, read_log, run, trainer_module
from gan_core.training.trainer import Trainer
from tests.conftest import ROOT, TINY
from tests.training.toy import ToyConfig, ToyGame


def test_a_run_writes_its_folder_goes_on_where_it_stopped_and_exports(tmp_path):
    out, weights = tmp_path / "run", tmp_path / "weights"
    trainer = run(ToyGame(ToyConfig(out=str(out), steps=3)))
    assert trainer.step_count == 3 and torch.load(out / "checkpoint.pt", weights_only=True)["step"] == 3
    assert not list(out.glob("*.tmp"))   # the checkpoint went through a temporary file
    trainer = run(ToyGame(ToyConfig(out=str(out), steps=5, export="toy", weights_dir=str(weights))))
    assert trainer.step_count == 5
    log = read_log(out)
    assert [r["step"] for r in log if "loss_g" in r] == [1, 2, 3, 4, 5]
    assert all("wall" in r for r in log) and [r["event"] for r in log if "event" in r] == ["end", "end"]
    assert len((out / "stages.jsonl").read_text().splitlines()) == 2
    card = json.loads((weights / "toy.json").read_text())
    assert card["steps"] == 5 and card["task"] == "toy" and "distance" in card["evaluation"]
    assert card["training_command"] == f"python -m gan_core.training --task toy --out {out} --steps 5 --export toy"
    assert card["training_stages"][1].startswith("(from step 3) python -m gan_core.training --task toy")
    assert {"out", "resume", "export", "weights_dir"}.isdisjoint(card["training"])
    assert sorted(p.name for p in weights.iterdir()) == ["toy.json", "toy.safetensors"]
    again = Trainer(ToyGame(ToyConfig()))   # a recipe's start_from: the exported networks back in their places
    again.game.start_from(again, str(weights / "toy.safetensors"))
    assert torch.equal(again.generator.weight, trainer.generator_ema.weight)
    assert torch.equal(again.discriminator.linear.weight, trainer.discriminator.linear.weight)


def test_minutes_stop_a_stage_with_a_checkpoint_and_no_resume_starts_afresh(tmp_path):
    out = tmp_path / "run"
    trainer = run(ToyGame(ToyConfig(out=str(out), steps=50, minutes=1e-9)))
    assert trainer.step_count == 1 and torch.load(out / "checkpoint.pt", weights_only=True)["step"] == 1
    assert run(ToyGame(ToyConfig(out=str(out), steps=2))).step_count == 2
    assert run(ToyGame(ToyConfig(out=str(out), steps=1, resume=False))).step_count == 1


def test_every_task_has_a_module_with_its_config_and_game():
    for task, name in TRAINERS.items():
        module = trainer_module(task)
        assert module.__name__ == name and callable(module.Game)
        cfg = module.TrainConfig(task=task)
        assert isinstance(cfg, train_lib.RunConfig) and module.TrainConfig.__dataclass_fields__["task"].type
    with pytest.raises(ValueError, match="pix2pix"):
        trainer_module("nope")


def test_the_model_card_command_rebuilds_the_config():
    cfg = parse_args(["--task", "sr4", "--lr-g", "3e-4", "--bf16", "--no-progress", "--minutes", "25", "--export", "sr4"])
    command = command_line(cfg)
    assert command.startswith("python -m gan_core.training --task sr4 --out runs/inpaint")
    assert parse_args(command.split()[3:]) == dataclasses.replace(cfg, progress=True)
    pix2pix = parse_args(["--task", "pix2pix", "--adv-weight", "0", "--out", "runs/p"])
    assert type(pix2pix).__name__ == "Pix2PixConfig" and pix2pix.adv_weight == 0
    assert parse_args(command_line(pix2pix).split()[3:]) == pix2pix


def test_a_checkpoint_with_settings_this_version_dropped_still_resumes(image_folder, tmp_path, capsys):
    out = tmp_path / "old"
    common = ["--data", str(image_folder), "--out", str(out), "--sample-every", "100", *TINY]
    train_lib.train(parse_args(["--steps", "2", *common]))
    state = torch.load(out / "checkpoint.pt", weights_only=True)
    state["config"].update(r1_weight=0.0, valid_weight=0.0)  # as an older version wrote it
    torch.save(state, out / "checkpoint.pt")
    cfg = parse_args(["--out", str(out), "--steps", "3", "--no-progress"])   # the task and the rest: from the checkpoint
    trainer = train_lib.train(cfg)
    assert trainer.step_count == 3 and trainer.game.cfg.g_channels == 8
    assert "r1_weight" in capsys.readouterr().err


def test_torchrun_two_processes(image_folder, tmp_path):
    out = tmp_path / "ddp"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "--master_port=29531",
               "-m", "gan_core.training.train", "--data", str(image_folder), "--out", str(out), "--steps", "4",
               "--adv-start", "2", "--sample-every", "4", *TINY]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert torch.load(out / "checkpoint.pt", weights_only=True)["step"] == 4
