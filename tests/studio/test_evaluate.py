"""studio.evaluate: hide part of a photo, fill it with every method, score each fill against the original."""

import gradio as gr
import numpy as np
import pytest
from PIL import Image

from tests.studio_helpers import TEST_MODEL, box_mask, editor_value, load, photo  # noqa: E402

from gan_core.core import tasks  # noqa: E402
from studio import evaluate, inpaint  # noqa: E402
from studio.common import EXAMPLES_DIR  # noqa: E402

pytestmark = pytest.mark.usefixtures("studio_test_model")


def test_evaluate_scores_every_method_on_a_seeded_mask():
    image = load(EXAMPLES_DIR / "room.jpg")
    gallery, table, summary = evaluate.evaluate(editor_value(image), "Random small mask (2-10%)", 3, TEST_MODEL)
    assert list(table["Method"]) == list(inpaint.METHODS)
    for column in ("PSNR hole (dB)", "PSNR whole (dB)", "SSIM around hole", "SSIM whole", "Detail", "Seconds"):
        assert table[column].notna().all()
    assert (table["PSNR whole (dB)"] > table["PSNR hole (dB)"]).all()
    assert len(gallery) == 1 + len(inpaint.METHODS) and "Closest to the original" in summary
    again, _, _ = evaluate.evaluate(editor_value(image), "Random small mask (2-10%)", 3, TEST_MODEL)
    assert np.array_equal(load(gallery[0][0]), load(again[0][0])), "the same seed must draw the same mask"


def test_evaluate_with_my_drawing():
    image = photo(96, 128)
    mask = box_mask(image.shape[:2], 30, 40, 60, 90)
    gallery, _, _ = evaluate.evaluate(editor_value(image, mask), evaluate.MY_DRAWING, 0, TEST_MODEL)
    assert "12.2%" in gallery[0][1]  # 30x50 of 96x128
    with pytest.raises(gr.Error, match="Draw the mask"):
        evaluate.evaluate(editor_value(image), evaluate.MY_DRAWING, 0, TEST_MODEL)


def test_evaluate_shrinks_large_photos():
    big = np.asarray(Image.fromarray(photo(96, 128)).resize((2048, 1536)))
    with pytest.warns(UserWarning, match="scaled to 1024x768"):
        _, table, _ = evaluate.evaluate(editor_value(big), "Random medium mask (10-30%)", 1, TEST_MODEL)
    assert len(table) == len(inpaint.METHODS)


def test_without_any_gan_model_only_the_classical_methods_are_scored(monkeypatch):
    monkeypatch.setattr(inpaint, "available_models", lambda: [])
    image = photo()
    _, table, _ = evaluate.evaluate(editor_value(image), "Random small mask (2-10%)", 0, None)
    assert list(table["Method"]) == [method.label for method in tasks.get("inpaint").classical]
