import dataclasses
import json
import os
import subprocess
import sys

import pytest
import torch

from gan_core.training.train import Trainer, parse_args, train
from tests.conftest import ROOT, TINY


def hole_l1(generator, images, masks):
    with torch.no_grad():
        return ((generator(images, masks) - images).abs() * masks).sum().item() / masks.sum().item()


def test_thirty_steps_lower_the_reconstruction_loss(image_folder):
    from gan_core.photos import data
    cfg = parse_args(["--data", str(image_folder), "--lr-g", "2e-3", "--adv-start", "1000", *TINY])
    torch.manual_seed(0)
    trainer = Trainer(cfg, torch.device("cpu"))
    dataset = data.PhotoCrops(data.list_images(image_folder), "inpaint", data.CropConfig(crop=64, min_scale=0.5))
    fixed = data.fixed_batch(data.PhotoCrops(dataset.files, "inpaint", data.CropConfig(crop=64, min_scale=0.5), seed=1), 8)
    before = hole_l1(trainer.generator, *fixed)
    loader = torch.utils.data.DataLoader(dataset, batch_size=4)
    batches = iter(loader)
    for _ in range(30):
        stats = trainer.step(next(batches))
    assert trainer.step_count == 30 and "l1" in stats
    assert hole_l1(trainer.generator, *fixed) < 0.9 * before


def test_adversarial_step_reports_both_players(image_folder):
    from gan_core.photos import data
    cfg = parse_args(["--data", str(image_folder), *TINY])
    trainer = Trainer(cfg, torch.device("cpu"))
    dataset = data.PhotoCrops(data.list_images(image_folder), "inpaint", data.CropConfig(crop=64))
    stats = trainer.step(next(iter(torch.utils.data.DataLoader(dataset, batch_size=4))))
    assert {"loss_d", "d_real", "d_fake", "adv", "fm", "l1"} <= set(stats)
    assert 0 < stats["d_real"] < 1 and 0 < stats["d_fake"] < 1


def test_run_writes_log_samples_checkpoint_and_resumes(image_folder, tmp_path):
    out = tmp_path / "run"
    common = ["--data", str(image_folder), "--out", str(out), "--sample-every", "3", "--checkpoint-every", "3", *TINY]
    train(parse_args(["--steps", "6", *common]))
    assert (out / "checkpoint.pt").exists() and (out / "samples" / "step_0000006.png").exists()
    first = torch.load(out / "checkpoint.pt", weights_only=True)
    assert first["step"] == 6
    trainer = train(parse_args(["--steps", "9", "--resume", *common]))
    assert trainer.step_count == 9
    state = torch.load(out / "checkpoint.pt", weights_only=True)
    assert state["opt_g"]["state"][0]["step"].item() == 9  # the optimiser went on, not restarted
    steps = [json.loads(line)["step"] for line in (out / "log.jsonl").read_text().splitlines()]
    assert steps[-1] == 9 and 6 in steps


def test_init_from_weights_without_a_refinement_grows_one(image_folder, tmp_path):
    from gan_core.training.train import export
    cfg = parse_args(["--data", str(image_folder), "--weights-dir", str(tmp_path), *TINY])
    export(Trainer(cfg, torch.device("cpu")), "plain")
    grown = Trainer(dataclasses.replace(cfg, g_refine=4, init_from=str(tmp_path / "plain.safetensors")),
                    torch.device("cpu"))
    grown.load_exported(grown.cfg.init_from)
    assert grown.generator.refine is not None
    card = json.loads(export(grown, "grown").with_suffix(".json").read_text())
    assert card["continued_from"]["name"] == "plain" and card["generator"]["config"]["refine"] == 4
    wider = Trainer(dataclasses.replace(cfg, g_channels=16), torch.device("cpu"))
    with pytest.raises(ValueError, match="does not fit"):
        wider.load_exported(str(tmp_path / "plain.safetensors"))


def test_init_from_weights_with_fewer_blocks_starts_deeper_as_the_same_filler(image_folder, tmp_path):
    from gan_core.training.train import export
    cfg = parse_args(["--data", str(image_folder), "--weights-dir", str(tmp_path), *TINY, "--g-blocks", "2"])
    shallow = Trainer(cfg, torch.device("cpu"))
    for parameter in shallow.generator.parameters():  # trained-looking weights: no block is the identity
        parameter.data.normal_(0, 0.05)
    shallow.generator_ema.load_state_dict(shallow.generator.state_dict())
    export(shallow, "shallow")
    blocks = len(shallow.generator.blocks)
    deeper = Trainer(dataclasses.replace(cfg, g_blocks=blocks + 2), torch.device("cpu"))
    deeper.load_exported(str(tmp_path / "shallow.safetensors"))
    assert len(deeper.generator.blocks) == blocks + 2
    refined = Trainer(dataclasses.replace(cfg, g_refine=4, g_refine_blocks=2), torch.device("cpu"))
    refined.load_exported(str(tmp_path / "shallow.safetensors"))
    assert len(refined.generator.refine_blocks) == 2
    image, mask = torch.rand(1, 3, 32, 32), (torch.rand(1, 1, 32, 32) > 0.7).float()
    with torch.no_grad():
        filled = shallow.generator_ema.eval()(image, mask)
        assert torch.allclose(deeper.generator_ema.eval()(image, mask), filled, atol=1e-5)
        assert torch.allclose(refined.generator_ema.eval()(image, mask), filled, atol=1e-5)
    fewer = Trainer(dataclasses.replace(cfg, g_blocks=blocks - 1), torch.device("cpu"))
    with pytest.raises(ValueError, match="does not fit"):
        fewer.load_exported(str(tmp_path / "shallow.safetensors"))


def test_every_task_takes_a_step(image_folder, tmp_path):
    for task in ("denoise", "sr2", "sr4"):
        trainer = train(parse_args(["--task", task, "--data", str(image_folder), "--out", str(tmp_path / task),
                                    "--steps", "2", "--sample-every", "2", *TINY]))
        assert trainer.step_count == 2 and (tmp_path / task / "samples" / "step_0000002.png").exists()


def test_torchrun_two_processes(image_folder, tmp_path):
    out = tmp_path / "ddp"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "--master_port=29531",
               "-m", "gan_core.training.train", "--data", str(image_folder), "--out", str(out), "--steps", "4",
               "--adv-start", "2", "--sample-every", "4", *TINY]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert torch.load(out / "checkpoint.pt", weights_only=True)["step"] == 4


def test_the_model_card_command_rebuilds_the_config():
    from gan_core.training.train import command_line, parse_args
    cfg = parse_args(["--task", "sr4", "--lr-g", "3e-4", "--bf16", "--no-progress", "--minutes", "25",
                      "--export", "sr4"])
    command = command_line(cfg)
    assert command.startswith("python -m gan_core.training --task sr4")
    rebuilt = parse_args(command.split()[3:])
    assert rebuilt == dataclasses.replace(cfg, progress=True)


def test_a_checkpoint_with_settings_this_version_dropped_still_resumes(image_folder, tmp_path, capsys):
    out = tmp_path / "old"
    common = ["--data", str(image_folder), "--out", str(out), "--sample-every", "100", *TINY]
    train(parse_args(["--steps", "2", *common]))
    state = torch.load(out / "checkpoint.pt", weights_only=True)
    state["config"].update(r1_weight=0.0, valid_weight=0.0)  # as the version before gan_core.training.games wrote it
    torch.save(state, out / "checkpoint.pt")
    trainer = train(parse_args(["--out", str(out), "--resume", "--steps", "3", "--no-progress"]))
    assert trainer.step_count == 3 and trainer.cfg.g_channels == 8  # the rest of the config came from the checkpoint
    assert "r1_weight" in capsys.readouterr().err


def test_the_generator_step_of_every_task_is_the_same_round_of_the_game(image_folder):
    from gan_core.photos import data
    for task in ("inpaint", "sr2"):
        trainer = Trainer(parse_args(["--task", task, "--data", str(image_folder), "--adv-start", "1", *TINY]),
                          torch.device("cpu"))
        dataset = data.PhotoCrops(data.list_images(image_folder), task, data.CropConfig(crop=64), seed=0)
        batch = data.fixed_batch(dataset, 4)
        assert set(trainer.step(batch)) == {"l1", "loss_g"}                     # reconstruction only at first
        assert {"loss_d", "adv", "fm", "l1", "loss_g"} <= set(trainer.step(batch))  # then the whole game


def test_a_dcgan_export_ships_its_log_and_sample_grids_with_fd_along_training(tmp_path, monkeypatch):
    from gan_core.training import games
    from gan_core.core.weights import WEIGHTS_DIR
    monkeypatch.setattr(games.DCGAN, "measured_samples", 300)
    weights_dir = tmp_path / "weights"
    weights_dir.mkdir()
    train(parse_args(["--task", "dcgan", "--out", str(tmp_path / "run"), "--steps", "3", "--batch-size", "8",
                      "--sample-every", "1", "--workers", "0", "--export", "tiny-dcgan", "--weights-dir",
                      str(weights_dir), "--no-progress"]))
    shipped = sorted(p.name for p in (weights_dir / "tiny-dcgan-samples").iterdir())
    assert shipped == ["step_0000001.png", "step_0000002.png", "step_0000003.png"]
    records = [json.loads(line) for line in (weights_dir / "tiny-dcgan.log.jsonl").read_text().splitlines()]
    assert records[-1]["event"] == "end" and records[-1]["step"] == 3
    if (WEIGHTS_DIR / "fashion-classifier.safetensors").exists():   # FD and coverage at each grid
        measured = [r for r in records if "fd" in r]
        assert [r["step"] for r in measured][:3] == [1, 2, 3] and all(r["fd"] > 5 for r in measured)


def test_learning_rates_fall_linearly_to_zero_after_decay_from(image_folder):
    cfg = parse_args(["--data", str(image_folder), "--steps", "10", "--decay-from", "6", *TINY])
    trainer = Trainer(cfg, torch.device("cpu"))
    scales = []
    for step in (0, 6, 8, 10):
        trainer.step_count = step
        scales.append(trainer.learning_rate_scale())
    assert scales == [1.0, 1.0, 0.5, 0.0]
    constant = Trainer(parse_args(["--data", str(image_folder), "--steps", "10", *TINY]), torch.device("cpu"))
    constant.step_count = 9
    assert constant.learning_rate_scale() == 1.0
