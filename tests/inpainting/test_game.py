"""gan_core.inpainting.game: the inpainter's game on the one trainer and loop."""
import dataclasses
import json

import numpy as np
import pytest
import torch

from gan_core.inpainting.game import InpaintingGame, WithHole
from gan_core.photos import data
from gan_core.training.train import export, parse_args, read_log, train
from gan_core.training.trainer import Trainer
from tests.conftest import TINY


def game(image_folder, *flags):
    return InpaintingGame(parse_args(["--data", str(image_folder), *TINY, *flags]))


def hole_l1(generator, images, masks):
    with torch.no_grad():
        return ((generator(images, masks) - images).abs() * masks).sum().item() / masks.sum().item()


def test_a_hole_is_drawn_after_the_crop_from_the_same_random_generator(image_folder):
    files = data.list_images(image_folder)
    image, mask = data.PhotoCrops(files, WithHole("photo"), data.CropConfig(crop=64), seed=3)[0]
    assert image.shape == (3, 64, 64) and mask.shape == (1, 64, 64) and 0 < mask.mean() < 0.5
    rng = np.random.default_rng((3, 0))
    crops = data.PhotoCrops(files, WithHole("photo"), data.CropConfig(crop=64))
    crop = crops.random_crop(rng)
    assert torch.equal(WithHole("photo")(crop, rng)[1], mask)
    with pytest.raises(ValueError, match="damage"):
        WithHole("nope")


def test_thirty_steps_lower_the_reconstruction_loss(image_folder):
    torch.manual_seed(0)
    trainer = Trainer(game(image_folder, "--lr-g", "2e-3", "--adv-start", "1000"))
    dataset = data.PhotoCrops(data.list_images(image_folder), WithHole("photo"), data.CropConfig(crop=64, min_scale=0.5))
    fixed = data.fixed_batch(data.PhotoCrops(dataset.files, WithHole("photo"), dataset.config, seed=1), 8)
    before = hole_l1(trainer.generator, *fixed)
    batches = iter(torch.utils.data.DataLoader(dataset, batch_size=4))
    for _ in range(30):
        stats = trainer.step(next(batches))
    assert trainer.step_count == 30 and set(stats) == {"l1", "loss_g"}
    assert hole_l1(trainer.generator, *fixed) < 0.9 * before


def test_the_adversarial_step_reports_both_players(image_folder):
    trainer = Trainer(game(image_folder))
    stats = trainer.step(next(trainer.game.batches(0, 0, 1)))
    assert {"loss_d", "d_real", "d_fake", "adv", "fm", "l1", "loss_g"} <= set(stats)
    assert 0 < stats["d_real"] < 1 and 0 < stats["d_fake"] < 1


def test_a_run_logs_samples_checkpoints_and_resumes(image_folder, tmp_path):
    out = tmp_path / "run"
    common = ["--data", str(image_folder), "--out", str(out), "--sample-every", "3", "--checkpoint-every", "3", *TINY]
    train(parse_args(["--steps", "6", *common]))
    assert (out / "samples" / "step_0000006.png").exists() and "val_psnr_hole" in read_log(out)[2]
    trainer = train(parse_args(["--steps", "9", *common]))
    assert trainer.step_count == 9
    state = torch.load(out / "checkpoint.pt", weights_only=True)
    assert state["opt_g"]["state"][0]["step"].item() == 9  # the optimiser went on, not restarted
    assert [r["step"] for r in read_log(out)][-1] == 9


def test_init_from_weights_without_a_refinement_grows_one(image_folder, tmp_path):
    plain = game(image_folder, "--weights-dir", str(tmp_path))
    export(Trainer(plain), "plain")
    cfg = dataclasses.replace(plain.cfg, g_refine=4, init_from=str(tmp_path / "plain.safetensors"))
    grown = Trainer(InpaintingGame(cfg))
    grown.game.start_from(grown, cfg.init_from)
    assert grown.generator.refine is not None
    card = json.loads(export(grown, "grown").with_suffix(".json").read_text())
    assert card["continued_from"]["name"] == "plain" and card["generator"]["config"]["refine"] == 4
    wider = Trainer(InpaintingGame(dataclasses.replace(plain.cfg, g_channels=16)))
    with pytest.raises(ValueError, match="does not fit"):
        wider.game.start_from(wider, str(tmp_path / "plain.safetensors"))


def test_init_from_weights_with_fewer_blocks_starts_deeper_as_the_same_filler(image_folder, tmp_path):
    cfg = game(image_folder, "--weights-dir", str(tmp_path), "--g-blocks", "2").cfg
    shallow = Trainer(InpaintingGame(cfg))
    for parameter in shallow.generator.parameters():  # trained-looking weights: no block is the identity
        parameter.data.normal_(0, 0.05)
    shallow.generator_ema.load_state_dict(shallow.generator.state_dict())
    export(shallow, "shallow")
    path, blocks = str(tmp_path / "shallow.safetensors"), len(shallow.generator.blocks)
    deeper = Trainer(InpaintingGame(dataclasses.replace(cfg, g_blocks=blocks + 2)))
    deeper.game.start_from(deeper, path)
    refined = Trainer(InpaintingGame(dataclasses.replace(cfg, g_refine=4, g_refine_blocks=2)))
    refined.game.start_from(refined, path)
    assert len(deeper.generator.blocks) == blocks + 2 and len(refined.generator.refine_blocks) == 2
    image, mask = torch.rand(1, 3, 32, 32), (torch.rand(1, 1, 32, 32) > 0.7).float()
    with torch.no_grad():
        filled = shallow.generator_ema.eval()(image, mask)
        assert torch.allclose(deeper.generator_ema.eval()(image, mask), filled, atol=1e-5)
        assert torch.allclose(refined.generator_ema.eval()(image, mask), filled, atol=1e-5)
    fewer = Trainer(InpaintingGame(dataclasses.replace(cfg, g_blocks=blocks - 1)))
    with pytest.raises(ValueError, match="does not fit"):
        fewer.game.start_from(fewer, path)
