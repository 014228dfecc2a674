"""studio.learn.pix2pix: a sketch in, two shoes out; "not trained yet" until the weights exist."""
import numpy as np
import pytest
from PIL import Image

from gan_core.learn import pix2pix
from gan_core.learn.classifier import ClassifierConfig, FashionClassifier
from gan_core.learn.pix2pix import Pix2PixConfig
from studio.learn import pix2pix as tab

TINY = dict(base_channels=4, d_channels=4, batch_size=4, log_every=1, eval_every=100, checkpoint_every=100)


@pytest.fixture(scope="module")
def tiny_weights(tmp_path_factory):
    """Two tiny models exported from one-step runs, as the tab's two models."""
    from gan_core.core.device import one_thread
    folder = tmp_path_factory.mktemp("pix2pix")
    items = pix2pix.footwear("test")[:16]
    model = FashionClassifier(ClassifierConfig(width=4, feature_dim=8)).eval()
    paths = []
    with one_thread():
        for name, adv in (("tiny-shoes", 1.0), ("tiny-shoes-l1", 0.0)):
            game = pix2pix.train(Pix2PixConfig(steps=1, adv_weight=adv, out=str(folder / name),
                                               weights_dir=str(folder), export=name, **TINY),
                                 items=items[:8], eval_items=items[8:], model=model)
            paths.append(str(pix2pix.export(game, {"held_out_500": {"l1": 0.2}})))
    return {paths[0]: "L1 + adversarial", paths[1]: "L1 only"}


def test_a_drawn_stroke_becomes_a_line_of_model_pixels():
    value = tab.canvas_value()
    value["composite"][100:110, 50:200, :3] = 255        # a 10 px stroke: one row of model pixels
    edges = tab.sketch_edges(value)
    assert edges.shape == (28, 28) and edges.dtype == np.uint8
    assert (edges[10, 5:20] == 255).all() and edges.sum() == 255 * 15


def test_a_test_items_edges_survive_the_trip_through_the_canvas():
    edges = pix2pix.edges_of(tab.example_items()[:1])[0]
    assert np.array_equal(tab.sketch_edges(tab.canvas_value(edges)), edges)


def test_missing_weights_say_not_trained_yet(monkeypatch):
    monkeypatch.setattr(tab, "MODELS", {"no-such-pix2pix": "L1 + adversarial", "no-such-l1": "L1 only"})
    seen, shoe, blurry, truth, note = tab.draw_shoes(tab.canvas_value(), -1)
    assert shoe is None and blurry is None and truth is None
    assert note.count("not trained yet") == 2 and "canvas is empty" in note
    assert Image.open(seen).size == (28 * tab.SHOW_SCALE,) * 2
    assert tab.model_numbers() == ""


def test_with_weights_both_shoes_come_back_at_the_shown_size(monkeypatch, tiny_weights):
    monkeypatch.setattr(tab, "MODELS", tiny_weights)
    edges = pix2pix.edges_of(tab.example_items()[2:3])[0]
    seen, shoe, blurry, truth, note = tab.draw_shoes(tab.canvas_value(edges), 2)
    assert note == ""
    for path in (seen, shoe, blurry, truth):
        assert Image.open(path).size == (28 * tab.SHOW_SCALE,) * 2
    assert np.array_equal(np.asarray(Image.open(truth))[::tab.SHOW_SCALE, ::tab.SHOW_SCALE, 0],
                          tab.example_items()[2])
    assert "0.2000" in tab.model_numbers()


def test_the_gallery_offers_the_test_edges():
    pictures = tab.example_gallery()
    assert len(pictures) == tab.N_EXAMPLES
    assert Image.open(pictures[0]).size == (28 * 4, 28 * 4)
