import json

import numpy as np
import pytest
import torch

from gan_core.learn import pix2pix
from gan_core.training.train import load_checkpoint, read_log
from gan_core.learn.pix2pix import Pix2PixConfig

TINY = dict(base_channels=4, d_channels=4, batch_size=4, log_every=1, eval_every=2, checkpoint_every=2)


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def shoes():
    return pix2pix.footwear("test")[:40]


def test_edges_are_black_and_white_and_trace_the_item(shoes):
    edges = pix2pix.edges_of(shoes[:5])
    assert edges.shape == (5, 28, 28) and edges.dtype == np.uint8
    assert set(np.unique(edges)) <= {0, 255} and (edges > 0).mean() > 0.02


def test_unet_keeps_the_size_and_stays_in_range():
    out = pix2pix.UNetGenerator(Pix2PixConfig(base_channels=4))(torch.randn(2, 1, 32, 32))
    assert out.shape == (2, 1, 32, 32) and out.abs().max() <= 1


def test_training_resumes_at_its_step_and_logs_l1_and_fd(shoes, tiny_classifier, tmp_path):
    run = tmp_path / "run"
    for steps in (2, 3):
        game = pix2pix.train(Pix2PixConfig(out=str(run), steps=steps, **TINY), items=shoes[:16],
                             eval_items=shoes[16:40], model=tiny_classifier)
    assert game.step_count == 3 and load_checkpoint(run)["step"] == 3
    log = read_log(run)
    assert [r["step"] for r in log if "l1" in r] == [1, 2, 3]
    assert {"eval_l1", "eval_fd", "l1", "wall"} <= set(log[1])
    assert [r["step"] for r in log if "event" in r] == [2, 3] and "held_out_24" in log[-1]


def test_the_l1_only_model_never_trains_its_critic(shoes, tiny_classifier, tmp_path):
    torch.manual_seed(0)
    game = pix2pix.train(Pix2PixConfig(out=str(tmp_path / "run"), steps=2, adv_weight=0.0, **TINY),
                         items=shoes[:16], eval_items=shoes[16:24], model=tiny_classifier)
    assert all("adv" not in r and "loss_d" not in r for r in read_log(tmp_path / "run"))
    assert game.opt_d.state == {} and game.discriminator is not None   # built (and exported) as before, never moved


def test_sketch_to_shoe_takes_and_gives_uint8_of_the_sketch_size(shoes, tiny_classifier, tmp_path):
    cfg = Pix2PixConfig(out=str(tmp_path / "run"), steps=1, export="tiny-pix2pix",
                        weights_dir=str(tmp_path / "weights"), **TINY)
    pix2pix.train(cfg, items=shoes[:8], eval_items=shoes[8:16], model=tiny_classifier)
    path = tmp_path / "weights" / "tiny-pix2pix.safetensors"
    command = json.loads(path.with_suffix(".json").read_text())["training_command"]
    assert command.startswith("python -m gan_core.training --task pix2pix") and "--base-channels 4" in command
    assert pix2pix.load_generator(str(path)) is pix2pix.load_generator(str(path))   # one cache: core.registry
    edges = pix2pix.edges_of(shoes[:3])
    shoes_out = pix2pix.sketch_to_shoe(edges, weights=str(path))
    assert shoes_out.shape == (3, 28, 28) and shoes_out.dtype == np.uint8
    assert pix2pix.sketch_to_shoe(np.zeros((280, 280), np.uint8), weights=str(path)).shape == (280, 280)
    with pytest.raises(ValueError, match="uint8"):
        pix2pix.sketch_to_shoe(edges.astype(float), weights=str(path))
