import json

import numpy as np
import pytest
import torch

from gan_core.learn import cyclegan
from gan_core.training.train import load_checkpoint, read_log
from gan_core.learn.cyclegan import CLASS_A, CLASS_B, CycleGANConfig
from gan_core.learn.toy.cycle import ToyCycleConfig, train_toy_cycle

TINY = dict(base_channels=4, n_blocks=1, d_channels=4, batch_size=4, log_every=1, eval_every=2, checkpoint_every=2)


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def sandals_and_sneakers():
    return cyclegan.held_out(CLASS_A, 20), cyclegan.held_out(CLASS_B, 20)


@pytest.fixture(scope="module")
def tiny_export(sandals_and_sneakers, tiny_classifier, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cyclegan")
    a, b = sandals_and_sneakers
    run = dict(out=str(folder / "run"), weights_dir=str(folder / "weights"))
    cyclegan.train(CycleGANConfig(steps=2, **run, **TINY), None, a[:10], b[:10], (a[10:], b[10:]), tiny_classifier)
    game = cyclegan.train(CycleGANConfig(steps=3, export="tiny-cyclegan", **run, **TINY), None, a[:10], b[:10],
                          (a[10:], b[10:]), tiny_classifier)
    return game, folder / "run", folder / "weights" / "tiny-cyclegan.safetensors"


def test_generator_keeps_the_size_and_stays_in_range():
    out = cyclegan.ResnetGenerator(CycleGANConfig(base_channels=4, n_blocks=1))(torch.randn(2, 1, 28, 28))
    assert out.shape == (2, 1, 28, 28) and out.abs().max() <= 1


def test_training_resumes_at_its_step_and_logs_verdicts(tiny_export):
    game, run, _ = tiny_export
    assert game.step_count == 3 and load_checkpoint(run)["step"] == 3
    log = read_log(run)
    assert [r["step"] for r in log if "cycle" in r] == [1, 2, 3]
    assert {"eval_a2b_taken_for_b", "eval_b2a_taken_for_a", "eval_round_trip_mae_a"} <= set(log[1])


def test_translate_gives_uint8_of_the_input_shape_both_ways(tiny_export, sandals_and_sneakers):
    _, _, path = tiny_export
    card = json.loads(path.with_suffix(".json").read_text())
    assert card["steps"] == 3 and "--task cyclegan" in card["training_command"] and "--n-blocks 1" in card["training_command"]
    assert (path.parent / "tiny-cyclegan.log.jsonl").exists() and not (path.parent / "tiny-cyclegan-samples").exists()
    assert cyclegan.load_generators(str(path)) is cyclegan.load_generators(str(path))   # one cache: core.registry
    sandals, sneakers = sandals_and_sneakers
    for images, direction in ((sandals[:3], "a2b"), (sneakers[:3], "b2a")):
        out = cyclegan.translate(images, weights=str(path), direction=direction)
        assert out.shape == (3, 28, 28) and out.dtype == np.uint8
    assert cyclegan.translate(sandals[0], weights=str(path)).shape == (28, 28)
    assert cyclegan.translate(np.zeros((2, 56, 56), np.uint8), weights=str(path)).shape == (2, 56, 56)
    with pytest.raises(ValueError, match="direction"):
        cyclegan.translate(sandals, weights=str(path), direction="sideways")


def test_toy_cycle_loss_brings_points_back_and_without_it_they_wander():
    with_cycle = train_toy_cycle(ToyCycleConfig(steps=300, hidden=32))
    without = train_toy_cycle(ToyCycleConfig(steps=300, hidden=32, cycle_weight=0.0))
    assert with_cycle["round_trip_arrows"].shape == (200, 2, 2)
    assert with_cycle["mean_round_trip"] < 0.5 * without["mean_round_trip"]
