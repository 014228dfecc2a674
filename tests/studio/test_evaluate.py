"""studio.evaluate: hide part of a photo, fill it with every method, score each fill against the original."""

import gradio as gr
import numpy as np
import pytest
from PIL import Image

from tests.studio_helpers import TEST_MODEL, box_mask, editor_value, load, photo  # noqa: E402

from gan_core.core import tasks  # noqa: E402
from studio import evaluate, inpaint  # noqa: E402
from studio.common import EXAMPLES_DIR  # noqa: E402

pytestmark = pytest.mark.usefixtures("studio_test_model", "quick_adaptation")
WITH_ADAPTED = [inpaint.METHODS[0], evaluate.ADAPTED_GAN, *inpaint.METHODS[1:]]   # the adapted GAN after the GAN


@pytest.fixture
def quick_adaptation(monkeypatch):
    """Four steps of adaptation instead of the studio's budget: the same path, in a fraction of a second."""
    monkeypatch.setattr(evaluate, "ADAPT_STEPS", 4)


def test_evaluate_scores_every_method_on_a_seeded_mask():
    image = load(EXAMPLES_DIR / "room.jpg")
    gallery, table, summary = evaluate.evaluate(editor_value(image), "Random small mask (2-10%)", 3, TEST_MODEL)
    assert list(table["Method"]) == WITH_ADAPTED
    for column in ("PSNR hole (dB)", "PSNR whole (dB)", "SSIM around hole", "SSIM whole", "Detail", "Seconds"):
        assert table[column].notna().all()
    assert (table["PSNR whole (dB)"] > table["PSNR hole (dB)"]).all()
    assert len(gallery) == 1 + len(WITH_ADAPTED) and "Closest to the original" in summary
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
    assert len(table) == len(WITH_ADAPTED)


def test_without_any_gan_model_only_the_classical_methods_are_scored(monkeypatch):
    monkeypatch.setattr(inpaint, "available_models", lambda: [])
    image = photo()
    _, table, _ = evaluate.evaluate(editor_value(image), "Random small mask (2-10%)", 0, None)
    assert list(table["Method"]) == [method.label for method in tasks.get("inpaint").classical]


def test_the_adapted_gan_is_seeded_by_the_evaluations_seed(monkeypatch, one_thread):
    image = photo(96, 128)
    hole = box_mask(image.shape[:2], 30, 40, 60, 90)
    fill = lambda method, seed: evaluate.run_evaluation_method(method, image, hole, TEST_MODEL, seed)  # noqa: E731
    first, plain = fill(evaluate.ADAPTED_GAN, 0), fill("GAN", 0)
    assert first.method == evaluate.ADAPTED_GAN and first.seconds > 0
    assert not np.array_equal(first.image, plain.image), "the adapted GAN fills differently"
    assert np.array_equal(first.image[~hole], image[~hole])
    assert np.array_equal(first.image, fill(evaluate.ADAPTED_GAN, 0).image), "the same seed, the same fill"
    assert not np.array_equal(first.image, fill(evaluate.ADAPTED_GAN, 1).image), "another seed, another fill"
    assert np.array_equal(plain.image, fill("GAN", 1).image), "the seed does not touch the plain GAN"
    seeds = []
    run_gan = evaluate.run_gan
    monkeypatch.setattr(evaluate, "run_gan", lambda *args: seeds.append(args[-1]) or run_gan(*args))
    evaluate.evaluate(editor_value(image, hole), evaluate.MY_DRAWING, 7, TEST_MODEL)
    assert seeds == [7], "the Seed box seeds the adaptation as it seeds the mask"
