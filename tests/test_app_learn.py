"""Tests for the Learn tab's handlers in app.py: the 2D playground, the DCGAN views, latent-search inpainting.

They call the handlers as Gradio would and check what comes back; the whole file takes well under 30 s on a
busy 2-core CPU. The DCGAN and latent-search tests skip when weights/dcgan-fashion.safetensors is absent.
"""
import time

import numpy as np
import pytest
from PIL import Image

import app

LAYERS = (True, True, True)              # D's heatmap, G's arrows, G's manifold
COLLAPSE = "Mode collapse: minimax loss on the ring"
FIXED = "Fixed: non-saturating loss + 5 D steps on the ring"


def play(session, steps: int, chunk: int = 50):
    """Press Step through the handler until `steps` more rounds are played; returns the last outputs."""
    for _ in range(steps // chunk):
        outputs = app.toy_step(session, *LAYERS, steps=chunk)
    return outputs


def test_training_through_the_handlers_moves_generated_points_toward_the_ring():
    session, picture, *_ = app.toy_start(*LAYERS)
    assert session.gan.config.target == "ring"
    assert Image.open(picture).size == (app.TOY_VIEW_SIZE, app.TOY_VIEW_SIZE)
    before = session.gan.snapshot()["metrics"]["mode_distance"]
    session, picture, losses, scores, distances, stats = play(session, 200)
    after = session.gan.snapshot()["metrics"]["mode_distance"]
    assert session.gan.steps == 200
    assert after <= 0.5 * before, (before, after)
    assert set(losses["series"]) == {"D's loss", "G's loss"} and losses["step"].max() == 200
    assert set(scores["series"]) == {"D(x)", "D(G(z))"} and len(distances) > 0
    assert "modes covered" in stats


def test_collapse_preset_covers_fewer_modes_than_the_fixed_one():
    covered = {}
    for name in (COLLAPSE, FIXED):
        outputs = app.toy_preset(None, name, *LAYERS)
        session, preset_text, controls = outputs[0], outputs[6], outputs[7:]
        assert app.toy.PRESETS[name].text in preset_text
        assert controls[1] == app.toy.PRESETS[name].config.loss          # the loss dropdown follows the preset
        play(session, 400)
        covered[name] = session.gan.snapshot()["metrics"]["modes_covered"]
    assert covered[COLLAPSE] < covered[FIXED] and covered[FIXED] >= 6, covered


def test_live_training_loop_reaches_20_steps_per_second():
    session = app.toy_start(*LAYERS)[0]
    started = time.perf_counter()
    refreshes = 0
    while time.perf_counter() - started < 2.0:         # the timer fires every TOY_TICK_S seconds
        tick_started = time.perf_counter()
        session = app.toy_tick(session, app.TOY_DEFAULT_SPEED, *LAYERS)[0]
        refreshes += 1
        time.sleep(max(0.0, app.TOY_TICK_S - (time.perf_counter() - tick_started)))
    steps_per_s = session.gan.steps / (time.perf_counter() - started)
    assert steps_per_s >= 20, (steps_per_s, refreshes)


def test_settings_change_live_or_restart_and_drawn_points_become_the_target():
    session = app.toy_step(app.toy_start(*LAYERS)[0], *LAYERS, steps=10)[0]
    session = app.toy_configure(session, "ring", "hinge", 0.002, 0.001, "adam", 3, 2, None, *LAYERS)[0]
    assert session.gan.steps == 10 and session.gan.config.loss == "hinge"       # live: the game goes on
    layer = np.zeros((240, 240, 4), np.uint8)
    layer[100:140, 20:220, 3] = 255                                             # one thick horizontal stroke
    drawing = {"background": None, "layers": [layer], "composite": None}
    session = app.toy_configure(session, "drawn", "hinge", 0.002, 0.001, "adam", 3, 2, drawing, *LAYERS)[0]
    assert session.gan.steps == 0 and session.gan.config.target == "drawn"      # a new target restarts
    points = np.asarray(session.gan.config.drawn_points)
    assert np.abs(points[:, 1]).max() < 0.3 and points[:, 0].min() < -1.0 < 1.0 < points[:, 0].max()


def test_slow_step_walks_through_every_stage_and_advances_one_step():
    session = app.toy_start(*LAYERS)[0]
    outputs = app.toy_slow_start(session, *LAYERS)
    texts = [outputs[6]]
    while outputs[7].interactive:                      # the Next button is live until the last stage
        outputs = app.toy_slow_next(session, *LAYERS)
        texts.append(outputs[6])
    assert len(texts) == len(app.toy.SLOW_STAGES) and session.gan.steps == 1
    assert texts[0].startswith("**1.") and "Both players" in texts[-1]


@pytest.fixture(scope="module")
def dcgan():
    try:
        return app.dcgan_models()
    except FileNotFoundError as error:
        pytest.skip(f"DCGAN weights missing, skipping: {error}")


def test_dcgan_sample_grid_has_the_right_size(dcgan):
    path, note = app.dcgan_samples(0)
    side = 2 * (app.DCGAN_GRID * (32 + 2) + 2)         # 8 x 8 tiles of 32 px with 2 px gaps, shown at 2x
    assert Image.open(path).size == (side, side), note
    row, frame, _ = app.dcgan_interpolate(1, 2, 0.5)
    assert Image.open(frame).size == (32 * app.LATENT_SCALE,) * 2
    assert Image.open(row).size[0] == 3 * (app.DCGAN_GRID * (32 + 2) + 2)


def test_latent_search_streams_updates_and_ends_with_a_filled_image(dcgan):
    updates = list(app.latent_search(7, app.LATENT_RANDOM_SQUARE, 0, None, steps=20))
    assert len(updates) >= 3                           # frames at steps 10 and 20, then the result
    assert all("Searching" in status for *_, status in updates[:-1])
    original, masked, mean_fill, filled, status = updates[-1]
    assert "Done" in status and "latent search" in status and "mean image" in status
    for path in (original, masked, mean_fill, filled):
        assert Image.open(path).size == (32 * app.LATENT_SCALE,) * 2
    filled_pixels = np.asarray(Image.open(filled))
    masked_pixels = np.asarray(Image.open(masked))
    hole = np.all(masked_pixels == app.HOLE_COLOUR, axis=2)
    assert hole.any() and not np.all(filled_pixels[hole] == app.HOLE_COLOUR)  # the hole is filled


def test_missing_dcgan_weights_give_a_message_not_a_crash(monkeypatch):
    monkeypatch.setattr(app, "DCGAN_WEIGHTS", "no-such-weights")
    image, note = app.dcgan_samples(0)
    assert image is None and "not here yet" in note
