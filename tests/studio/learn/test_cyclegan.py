"""studio.learn.cyclegan: round trips both ways with verdicts, the training curves, the 2D cycle toy."""
import json

import numpy as np
import pytest
from PIL import Image

from gan_core.learn import cyclegan
from gan_core.learn.classifier import ClassifierConfig, FashionClassifier
from gan_core.learn.cyclegan import CLASS_A, CLASS_B, CycleGANConfig
from studio.learn import cyclegan as tab

TINY = dict(base_channels=4, n_blocks=1, d_channels=4, batch_size=4, log_every=1, eval_every=2, checkpoint_every=2)
SHOWN = (28 * tab.SHOW_SCALE,) * 2


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """A two-step run and its tiny export: (weights path, run folder)."""
    from gan_core.core.device import one_thread
    folder = tmp_path_factory.mktemp("cyclegan")
    a, b = cyclegan.held_out(CLASS_A, 12), cyclegan.held_out(CLASS_B, 12)
    model = FashionClassifier(ClassifierConfig(width=4, feature_dim=8)).eval()
    with one_thread():
        cyclegan.train(CycleGANConfig(steps=2, out=str(folder / "run"), weights_dir=str(folder),
                                      export="tiny-cyclegan", **TINY), None, a[:8], b[:8], (a[8:], b[8:]), model)
    return str(folder / "tiny-cyclegan.safetensors"), folder / "run"


def test_a_picked_item_comes_back_from_the_editor_unchanged():
    item = tab.example_items(CLASS_A)[3]
    assert np.array_equal(tab.editor_item(tab.editor_value(item)), item)
    assert tab.editor_item(None) is None


def test_missing_weights_say_so_and_how_to_train_them(monkeypatch):
    monkeypatch.setattr(tab, "WEIGHTS", "no-such-cyclegan")
    real, fake, back, note, *row_b = tab.translate_both(tab.editor_value(tab.example_items(CLASS_A)[0]), None)
    assert Image.open(real).size == SHOWN and fake is None and back is None
    assert "not trained yet" in note and "Pick a sneaker" in row_b[-1]
    assert "is missing" in tab.model_numbers() and "--recipe" in tab.model_numbers()


def test_with_weights_both_round_trips_are_pictures_with_verdicts(monkeypatch, tiny_run):
    monkeypatch.setattr(tab, "WEIGHTS", tiny_run[0])
    outputs = tab.translate_both(tab.editor_value(tab.example_items(CLASS_A)[0]),
                                 tab.editor_value(tab.example_items(CLASS_B)[0]))
    for row in (outputs[:4], outputs[4:]):
        *pictures, note = row
        assert all(Image.open(path).size == SHOWN for path in pictures)
        assert "its translation for" in note and "Round-trip error" in note
    assert "should be a sneaker" in outputs[3] and "should be a sandal" in outputs[7]
    assert "training steps" in tab.model_numbers()


def test_training_curves_come_from_the_runs_log(monkeypatch, tiny_run, tmp_path):
    monkeypatch.setattr(tab, "LOGS", (tmp_path / "missing.jsonl",))
    losses, verdicts, note = tab.training_curves()
    assert losses.empty and "No training log" in note
    monkeypatch.setattr(tab, "LOGS", (tmp_path / "missing.jsonl", tiny_run[1] / "log.jsonl"))
    losses, verdicts, note = tab.training_curves()
    assert {"cycle (L1)", "G's adversarial", "D_a's"} <= set(losses["series"])
    assert "sandal → taken for a sneaker" in set(verdicts["series"]) and "2 logged steps" in note


def test_the_toy_draws_round_trip_arrows(monkeypatch):
    from gan_core.learn.toy.cycle import ToyCycleConfig, train_toy_cycle
    result = train_toy_cycle(ToyCycleConfig(steps=20, hidden=8, n_points=30))
    assert result["round_trip_arrows"].shape == (30, 2, 2)
    picture = tab.draw_toy(result, size=200)
    assert picture.shape == (200, 200, 3)
    red = (picture[..., 0] > 180) & (picture[..., 1] < 60) & (picture[..., 2] < 80)
    assert red.sum() > 20, "the arrows are drawn in red"
    monkeypatch.setattr(tab, "toy_result", lambda weight: result)
    with_cycle, without, note = tab.toy_pictures()
    assert Image.open(with_cycle).size == (tab.TOY_SIZE,) * 2 and "round trip" in note
