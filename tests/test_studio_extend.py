"""studio.extend (the Extend tab) and studio.paintings' crack helper, their handlers called directly."""
import sys
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from studio_helpers import TEST_MODEL, photo  # noqa: E402

from studio import extend, paintings  # noqa: E402

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


def test_find_cracks_puts_the_cracks_into_the_editor_as_a_layer():
    painting = np.full((60, 70, 3), 170, np.uint8)
    painting[5:55, 30:32] = 40
    value, note = paintings.find_crack_layer({"background": painting, "layers": [], "composite": painting})
    (layer,) = value["layers"]
    assert layer.shape == (60, 70, 4) and layer[5:55, 30:32, 3].min() > 0 and layer[:, :20, 3].max() == 0
    assert np.array_equal(value["background"][..., :3], painting) and "%" in note


def test_restore_painting_fills_only_the_marked_cracks():
    painting = photo(64, 64)
    value, _ = paintings.find_crack_layer({"background": painting, "layers": [], "composite": painting})
    layer = np.zeros((64, 64, 4), np.uint8)
    layer[20:24, 10:50] = paintings.CRACK_COLOUR
    value["layers"] = [layer]
    _, download, status = paintings.restore_painting(value, TEST_MODEL)
    result = load(download)
    outside = np.ones((64, 64), bool)
    outside[18:26, 8:52] = False
    assert np.array_equal(result[outside], painting[outside]) and TEST_MODEL in status
    with pytest.raises(gr.Error, match="No cracks"):
        paintings.restore_painting({"background": painting, "layers": [], "composite": painting}, TEST_MODEL)
