"""studio.inpaint: the Fill, critic and Compare handlers called as Gradio calls them, with the tiny test model."""

import gradio as gr
import numpy as np
import pytest
from PIL import Image

from tests.studio_helpers import TEST_MODEL, box_mask, editor_value, load, mask_image, photo  # noqa: E402

from gan_core.inpainting import masks
from gan_core.core import tasks  # noqa: E402
from studio import adaptation, inpaint, photos  # noqa: E402
from studio.common import EXAMPLES_DIR  # noqa: E402

pytestmark = pytest.mark.usefixtures("studio_test_model")
GAN, TELEA = tasks.GAN.label, tasks.TELEA.label


@pytest.mark.parametrize("method", inpaint.METHODS)
def test_fill_changes_only_the_hole_and_keeps_the_size(method):
    image = photo()
    mask = box_mask(image.shape[:2], 30, 40, 60, 90)
    (before, after), download, critic, critic_panel, status = inpaint.fill(
        editor_value(image, mask), None, 0, method, TEST_MODEL, False)
    result = load(after)
    assert result.shape == image.shape
    assert np.array_equal(load(before), image)
    assert np.array_equal(result[~mask], image[~mask]), "pixels outside the mask must come back bit-exact"
    assert (result[mask] != image[mask]).any()
    assert download == after
    assert critic is None and critic_panel["visible"] is False
    assert "Filled" in status


def test_methods_are_the_registry_labels_and_names_work_too():
    assert inpaint.METHODS == ("GAN", "Telea", "Navier-Stokes", "FSR", "PatchMatch")
    assert inpaint.inpaint_method("ns") == inpaint.inpaint_method("Navier-Stokes") == tasks.NAVIER_STOKES
    with pytest.raises(gr.Error, match="Unknown method 'Magic'; choose one of GAN, Telea, Navier-Stokes, FSR, PatchMatch"):
        inpaint.inpaint_method("Magic")


def test_fill_grows_the_mask():
    image = photo()
    mask = box_mask(image.shape[:2], 40, 50, 50, 60)
    (_, after), *_ = inpaint.fill(editor_value(image, mask), None, 4, TELEA, None, False)
    changed = (load(after) != image).any(axis=2)
    assert changed[38, 55] or changed[52, 55]  # inside the 4 px ring around the box
    assert not changed[:30].any()


@pytest.mark.parametrize("grow", [0, 3, 16])
def test_grow_mask_gives_the_same_pixels_as_dilating_the_whole_mask(grow):
    painted = np.zeros((120, 160), bool)
    painted[0, 5:9] = painted[60:64, 80:120] = painted[119, 159] = True  # strokes touching the edges too
    expected = masks.clean_user_mask(painted, grow) > 0
    np.testing.assert_array_equal(inpaint.grow_mask(painted, grow), expected)
    assert not inpaint.grow_mask(np.zeros((20, 30), bool), grow).any()


def test_fill_with_critic_overlays_its_map():
    image = photo()
    mask = box_mask(image.shape[:2], 30, 40, 60, 90)
    (_, after), _, critic, critic_panel, _ = inpaint.fill(editor_value(image, mask), None, 0, GAN, TEST_MODEL, True)
    assert critic is not None and critic_panel["visible"] is True
    overlay = load(critic)
    assert overlay.shape == image.shape and not np.array_equal(overlay, load(after))


def test_critic_for_a_classical_method_says_gan_only():
    image = photo()
    mask = box_mask(image.shape[:2], 30, 40, 60, 90)
    _, _, critic, critic_panel, status = inpaint.fill(editor_value(image, mask), None, 0, TELEA, None, True)
    assert critic is None and critic_panel["visible"] is False and "GAN fills only" in status


def test_ticking_the_critic_fills_again_and_unticking_hides_it():
    image = photo()
    value = editor_value(image, box_mask(image.shape[:2], 30, 40, 60, 90))
    _, _, critic, panel, *_ = list(inpaint.critic_toggled(True, value, None, 0, GAN, TEST_MODEL))[-1]
    assert critic is not None and panel["visible"] is True
    _, _, _, panel, *_ = list(inpaint.critic_toggled(False, value, None, 0, GAN, TEST_MODEL))[-1]
    assert panel["visible"] is False and inpaint.status_kept_unless(False) == gr.update()
    _, _, _, panel, *_ = list(inpaint.critic_toggled(True, None, None, 0, GAN, TEST_MODEL))[-1]  # no photo: no error
    assert panel["visible"] is True


def test_empty_mask_returns_the_photo_unchanged_with_a_warning():
    image = photo()
    with pytest.warns(UserWarning, match="mask is empty"):
        (before, after), download, _, _, status = inpaint.fill(editor_value(image), None, 4, GAN, None, False)
    assert np.array_equal(load(after), image) and download is None, "nothing to download: nothing was filled"
    assert status.startswith("⚠️") and "empty" in status


def test_mask_over_everything_fills_with_a_warning():
    image = photo()
    with pytest.warns(UserWarning, match="whole photo"):
        (_, after), *_ = inpaint.fill(editor_value(image, np.ones(image.shape[:2], bool)), None, 0, GAN, None, False)
    assert load(after).shape == image.shape


def test_uploaded_mask_is_used_and_rescaled_with_a_note():
    image = photo(96, 128)
    small_mask = mask_image(box_mask((48, 64), 10, 10, 20, 30))  # half size
    with pytest.warns(UserWarning, match="stretched"):
        (_, after), _, _, _, status = inpaint.fill(editor_value(image), small_mask, 0, TELEA, None, False)
    changed = (load(after) != image).any(axis=2)
    assert changed[30, 40] and not changed[80, 100]
    assert "stretched" in status


def test_painted_and_uploaded_masks_are_combined():
    image = photo()
    painted = box_mask(image.shape[:2], 10, 10, 20, 20)
    uploaded = mask_image(box_mask(image.shape[:2], 60, 90, 70, 100))
    (_, after), *_ = inpaint.fill(editor_value(image, painted), uploaded, 0, TELEA, None, False)
    changed = (load(after) != image).any(axis=2)
    assert changed[15, 15] and changed[65, 95]


def test_no_photo_is_a_clear_error():
    with pytest.raises(gr.Error, match="upload a photo"):
        inpaint.fill(None, None, 4, GAN, None, False)


@pytest.mark.filterwarnings("ignore:The mask covers")  # one pixel of a 1x1 photo is all of it
@pytest.mark.parametrize("shape", [(1, 1), (5, 300), (300, 7)])
def test_tiny_and_thin_photos(shape):
    image = photo(*shape)
    mask = np.zeros(shape, bool)
    mask[shape[0] // 2, shape[1] // 2] = True
    with pytest.raises(gr.Error, match="at least 32 px"):
        inpaint.fill(editor_value(image, mask), None, 0, GAN, None, False)
    (_, after), *_ = inpaint.fill(editor_value(image, mask), None, 0, TELEA, None, False)
    assert load(after).shape == image.shape
    gallery, notes = inpaint.compare(editor_value(image, mask), None, 0, None)
    fits = [m for m in tasks.get("inpaint").methods if min(shape) >= m.min_side]
    assert [caption.split(":")[0] for _, caption in gallery] == [m.label for m in fits] and "under 32 px" in notes


def test_example_values_load_photo_and_prepared_mask():
    value, original = photos.open_example("ladybird")
    editor = {"background": np.asarray(Image.open(value["background"]).convert("RGBA")),
              "layers": [np.asarray(Image.open(value["layers"][0]))], "composite": None}
    photo_kept, painted, scale, notes = photos.photo_and_strokes(editor, original)
    prepared = np.asarray(Image.open(EXAMPLES_DIR / "ladybird_mask.png")) > 0
    assert photo_kept is original.image and scale == 1.0
    assert np.array_equal(painted, prepared) and not notes


def test_compare_fills_with_every_method():
    image = photo()
    gallery, notes = inpaint.compare(editor_value(image, box_mask(image.shape[:2], 30, 40, 60, 90)), None, 2,
                                     TEST_MODEL)
    captions = [caption for _, caption in gallery]
    assert [c.split(":")[0] for c in captions] == list(inpaint.METHODS)
    assert all(" s" in c for c in captions) and "Telea" in notes
    assert all(load(path).shape == image.shape for path, _ in gallery)


def test_compare_with_empty_mask_is_a_clear_error():
    with pytest.raises(gr.Error, match="mask is empty"):
        inpaint.compare(editor_value(photo()), None, 2, TEST_MODEL)


def test_without_any_gan_model_the_classical_methods_still_work(monkeypatch):
    monkeypatch.setattr(inpaint, "available_models", lambda: [])
    monkeypatch.setattr("studio.models.available_models", lambda: [])
    image = photo()
    value = editor_value(image, box_mask(image.shape[:2], 30, 40, 60, 90))
    with pytest.raises(gr.Error, match="No GAN model is installed"):
        inpaint.fill(value, None, 0, GAN, None, False)
    gallery, notes = inpaint.compare(value, None, 0, None)
    assert len(gallery) == len(tasks.get("inpaint").classical) and "no GAN model" in notes


def test_critic_overlay_is_red_for_fake_and_leaves_outside_untouched():
    image = np.full((4, 6, 3), 128, np.uint8)
    critic = np.full((4, 6), np.nan, np.float32)
    critic[:, :3] = 0.0   # "fake"
    critic[:, 3:5] = 1.0  # "real"
    overlay = inpaint.critic_overlay(image, critic)
    assert overlay[0, 0, 0] > 180 and overlay[0, 0, 1] < 100
    assert overlay[0, 3, 1] > overlay[0, 3, 0]
    assert np.array_equal(overlay[:, 5], image[:, 5])


# ----------------------------------------------------------------------------------------------------
# Learn this photo first: the Fill button's generator


def learning_fill(image, mask, steps=3, **options):
    """fill_learning's yields with "Learn this photo first" ticked, as a generator."""
    return inpaint.fill_learning(editor_value(image, mask), None, 0, options.pop("method", GAN), TEST_MODEL,
                                 options.pop("show_critic", False), True, steps, **options)


def chart_steps(chart) -> list[int]:
    """The steps a chart value shows: a table, or (before learning) an update that empties the chart."""
    return [] if isinstance(chart, dict) else sorted(set(chart["step"]))


def test_learning_first_streams_the_losses_and_ends_with_a_bit_exact_fill(monkeypatch):
    monkeypatch.setattr(adaptation, "REDRAW_EVERY", 2)
    image = photo()
    mask = box_mask(image.shape[:2], 30, 40, 60, 90)
    updates = list(learning_fill(image, mask, steps=3, show_critic=True))
    assert len(updates) == 4, "one update before learning and one after each of the 3 steps"
    drawn = [update for update in updates if isinstance(update[0], tuple)]   # (before, after): a fill drawn
    assert len(drawn) == 3, "the fill is drawn before learning, after step 2 (every 2) and after the last"
    lines, charts = [update[5] for update in updates], [update[6] for update in updates]
    assert charts[0]["value"] is None and charts[0]["x_lim"] == [0, 3], "emptied, its x axis over every step"
    assert [chart_steps(chart) for chart in charts] == [[], [1], [1, 2], [1, 2, 3]]
    curves = set(charts[-1]["series"])   # G's L1 always; its adversarial loss and D's when D plays (AdaptConfig)
    assert adaptation.say("adapt_series_l1") in curves
    assert curves <= {adaptation.say(name) for name, _ in adaptation.CURVES.values()}
    assert "the fill before learning" in lines[0] and "step 1 of 3" in lines[1] and "step 3 of 3" in lines[3]
    assert all(update[4] == gr.update() for update in updates[:-1]), "the status (with the progress bar) waits"
    (before, after), download, critic, panel, status, _, _ = updates[-1]
    result = load(download)
    assert updates[0][1]["interactive"] is True, "a fill drawn while learning can be downloaded at once"
    assert np.array_equal(load(after), result)
    assert np.array_equal(result[~mask], image[~mask]), "pixels outside the mask must come back bit-exact"
    assert (result[mask] != image[mask]).any() and critic is not None and panel["visible"] is True
    assert "after learning this photo for 3 steps" in status


def test_stopping_while_learning_keeps_the_last_fill_drawn(monkeypatch):
    monkeypatch.setattr(adaptation, "REDRAW_EVERY", 1)
    image = photo()
    mask = box_mask(image.shape[:2], 30, 40, 60, 90)
    running = learning_fill(image, mask, steps=5)
    updates = [next(running) for _ in range(3)]      # before learning, then steps 1 and 2: Stop pressed here
    running.close()                                  # what Gradio's cancel does to the handler
    (_, after), download, *_ = updates[-1]
    kept = load(download["value"])
    assert np.array_equal(load(after), kept) and np.array_equal(kept[~mask], image[~mask])
    assert "step 2 of 5" in updates[-1][5] and chart_steps(updates[-1][6]) == [1, 2]
    assert "Stopped" in adaptation.stopped("") and adaptation.stopped("Filled 3% ...") == gr.update()


def test_learning_off_is_exactly_todays_fill():
    image = photo()
    mask = box_mask(image.shape[:2], 30, 40, 60, 90)
    (_, today), *_ = inpaint.fill(editor_value(image, mask), None, 0, GAN, TEST_MODEL, False)
    updates = list(inpaint.fill_learning(editor_value(image, mask), None, 0, GAN, TEST_MODEL, False, False, 3))
    assert len(updates) == 1
    (_, after), download, _, _, status, line, chart = updates[0]
    assert np.array_equal(load(after), load(today)) and np.array_equal(load(download), load(today))
    assert line == chart == gr.update() and "learning" not in status


def test_learning_first_with_a_classical_method_fills_at_once_and_says_so():
    image = photo()
    mask = box_mask(image.shape[:2], 30, 40, 60, 90)
    with pytest.warns(UserWarning, match="for the GAN"):
        updates = list(learning_fill(image, mask, steps=3, method=TELEA))
    (_, after), *_, status, _, _ = updates[-1]
    assert len(updates) == 1 and "for the GAN" in status
    assert np.array_equal(load(after)[~mask], image[~mask])


def test_learning_first_with_an_empty_mask_fills_nothing():
    image = photo()
    with pytest.warns(UserWarning, match="mask is empty"):
        updates = list(learning_fill(image, None, steps=3))
    assert len(updates) == 1 and updates[0][1] is None
