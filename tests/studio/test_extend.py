"""studio.extend (the Extend tab) and studio.paintings (find cracks, restore), their handlers called directly,
also with "Learn this photo first" ticked."""

import gradio as gr
import numpy as np
import pytest
from PIL import Image

from tests.studio_helpers import TEST_MODEL, photo  # noqa: E402

from studio import adaptation, extend, paintings  # noqa: E402

pytestmark = pytest.mark.usefixtures("studio_test_model")


def load(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def test_extend_grows_the_canvas_and_keeps_the_photo():
    original = photo(64, 80)
    (before, after), download, status = extend.extend_photo(Image.fromarray(original), 32, 0, 16, 8, TEST_MODEL)
    result = load(download)
    assert result.shape == (64 + 8, 80 + 32 + 16, 3)
    assert np.array_equal(result[:64, 32:112], original)
    assert load(before).shape == result.shape and load(after).shape == result.shape
    assert "128x72" in status


def test_extend_without_any_side_or_photo_says_what_to_do():
    with pytest.raises(gr.Error, match="at least one side"):
        extend.extend_photo(Image.fromarray(photo()), 0, 0, 0, 0, TEST_MODEL)
    with pytest.raises(gr.Error, match="upload a photo"):
        extend.extend_photo(None, 16, 0, 0, 0, TEST_MODEL)


def test_find_cracks_returns_a_mask_and_an_overlay_of_the_painting():
    painting = np.full((60, 70, 3), 170, np.uint8)
    painting[5:55, 30:32] = 40
    mask, overlay, note = paintings.find_crack_mask({"background": painting, "layers": [], "composite": painting})
    assert mask.shape == (60, 70) and mask[5:55, 30:32].min() == 1 and mask[:, :20].max() == 0
    shown = load(overlay)
    assert tuple(shown[30, 30]) == paintings.CRACK_COLOUR[:3] and np.array_equal(shown[:, :20], painting[:, :20])
    assert "%" in note


def test_restore_painting_fills_the_found_and_the_painted_cracks_only():
    painting = photo(64, 64)
    found = np.zeros((64, 64), np.uint8)
    found[40:42, 10:50] = 1
    layer = np.zeros((64, 64, 4), np.uint8)
    layer[20:24, 10:50, 3] = 255
    value = {"background": painting, "layers": [layer], "composite": painting}
    _, download, status = paintings.restore_painting(value, found, TEST_MODEL)
    result = load(download)
    outside = np.ones((64, 64), bool)
    outside[18:26, 8:52] = outside[38:44, 8:52] = False
    assert np.array_equal(result[outside], painting[outside]) and TEST_MODEL in status
    assert not np.array_equal(result[40:42, 10:50], painting[40:42, 10:50])
    with pytest.raises(gr.Error, match="No cracks"):
        paintings.restore_painting({"background": painting, "layers": [], "composite": painting}, None, TEST_MODEL)


# ----------------------------------------------------------------------------------------------------
# Learn this photo first


def chart_steps(chart) -> list[int]:
    return [] if isinstance(chart, dict) else sorted(set(chart["step"]))


def test_extend_learning_first_streams_the_losses_and_keeps_the_photo(monkeypatch):
    monkeypatch.setattr(adaptation, "REDRAW_EVERY", 2)
    original = photo(64, 80)
    updates = list(extend.extend_learning(Image.fromarray(original), 32, 0, 16, 0, TEST_MODEL, True, 3))
    assert len(updates) == 4 and sum(isinstance(update[0], tuple) for update in updates) == 3
    assert chart_steps(updates[-1][4]) == [1, 2, 3] and "step 1 of 3" in updates[1][3]
    (_, after), download, status, _, _ = updates[-1]
    result = load(download)
    assert result.shape == (64, 80 + 48, 3) and np.array_equal(load(after), result)
    assert np.array_equal(result[:, 32:112], original), "the photo's own pixels are unchanged"
    assert "after learning this photo for 3 steps" in status


def test_stopping_extend_while_learning_keeps_the_last_border_drawn(monkeypatch):
    monkeypatch.setattr(adaptation, "REDRAW_EVERY", 1)
    original = photo(64, 80)
    running = extend.extend_learning(Image.fromarray(original), 0, 0, 16, 0, TEST_MODEL, True, 5)
    updates = [next(running) for _ in range(2)]
    running.close()
    (_, after), download, _, line, _ = updates[-1]
    assert np.array_equal(load(after), load(download["value"])) and "step 1 of 5" in line
    assert np.array_equal(load(after)[:, :80], original)


def test_extend_learning_off_is_exactly_todays_extend():
    original = Image.fromarray(photo(64, 80))
    _, today, _ = extend.extend_photo(original, 16, 0, 16, 0, TEST_MODEL)
    updates = list(extend.extend_learning(original, 16, 0, 16, 0, TEST_MODEL, False, 3))
    assert len(updates) == 1 and np.array_equal(load(updates[0][1]), load(today))


def test_restore_painting_learning_first_fills_only_the_cracks(monkeypatch):
    monkeypatch.setattr(adaptation, "REDRAW_EVERY", 1)
    painting = photo(64, 64)
    found = np.zeros((64, 64), np.uint8)
    found[40:42, 10:50] = 1
    value = {"background": painting, "layers": [], "composite": painting}
    updates = list(paintings.restore_learning(value, found, TEST_MODEL, True, 2))
    assert len(updates) == 3 and chart_steps(updates[-1][4]) == [1, 2]
    result = load(updates[-1][1])
    outside = found == 0
    assert np.array_equal(result[outside], painting[outside])
    assert "after learning this painting for 2 steps" in updates[-1][2]
    kept = load(updates[1][1]["value"])       # Stop after step 1 would have kept this one: bit-exact as well
    assert np.array_equal(kept[outside], painting[outside])
    _, today, _ = paintings.restore_painting(value, found, TEST_MODEL)
    off = list(paintings.restore_learning(value, found, TEST_MODEL, False, 2))
    assert len(off) == 1 and np.array_equal(load(off[0][1]), load(today))
