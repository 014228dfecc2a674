"""app.py's handlers called directly, as Gradio would call them, with the tiny test model."""
import sys
import warnings
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import app  # noqa: E402
from gan_core.data import add_gaussian_noise  # noqa: E402

TEST_MODEL = "inpaint-tiny-test"
EXAMPLES = Path(app.__file__).resolve().parent / "examples"


@pytest.fixture(autouse=True)
def tiny_model(monkeypatch):
    monkeypatch.setenv("GAN_STUDIO_MODEL", TEST_MODEL)


def photo(height=96, width=128, seed=0) -> np.ndarray:
    """A textured test photo: smooth gradients plus noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([x * 255 / width, y * 255 / height, np.full_like(x, 128.0)], axis=2)
    return np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)


def layer_with(mask: np.ndarray) -> np.ndarray:
    """A drawing layer as the ImageEditor sends it: RGBA, painted where the mask is."""
    layer = np.zeros(mask.shape + (4,), np.uint8)
    layer[mask] = (255, 0, 200, 153)
    return layer


def editor_value(image: np.ndarray, mask: np.ndarray | None = None) -> dict:
    rgba = np.concatenate([image, np.full(image.shape[:2] + (1,), 255, np.uint8)], axis=2)
    return {"background": rgba, "layers": [] if mask is None else [layer_with(mask)], "composite": rgba}


def box_mask(shape, top, left, bottom, right) -> np.ndarray:
    mask = np.zeros(shape, bool)
    mask[top:bottom, left:right] = True
    return mask


def load(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


# ----------------------------------------------------------------------------------------------------
# Fill


@pytest.mark.parametrize("method", app.METHODS)
def test_fill_changes_only_the_hole_and_keeps_the_size(method):
    image = photo()
    mask = box_mask(image.shape[:2], 30, 40, 60, 90)
    (before, after), download, critic, critic_panel, status = app.fill(
        editor_value(image, mask), None, 0, method, TEST_MODEL, False)
    result = load(after)
    assert result.shape == image.shape
    assert np.array_equal(load(before), image)
    assert np.array_equal(result[~mask], image[~mask]), "pixels outside the mask must come back bit-exact"
    assert (result[mask] != image[mask]).any()
    assert download == after
    assert critic is None and critic_panel["visible"] is False
    assert "Filled" in status


def test_fill_grows_the_mask():
    image = photo()
    mask = box_mask(image.shape[:2], 40, 50, 50, 60)
    (_, after), *_ = app.fill(editor_value(image, mask), None, 4, app.TELEA, None, False)
    changed = (load(after) != image).any(axis=2)
    assert changed[38, 55] or changed[52, 55]  # inside the 4 px ring around the box
    assert not changed[:30].any()


def test_fill_with_critic_overlays_its_map():
    image = photo()
    mask = box_mask(image.shape[:2], 30, 40, 60, 90)
    (_, after), _, critic, critic_panel, _ = app.fill(editor_value(image, mask), None, 0, app.GAN, TEST_MODEL, True)
    assert critic is not None and critic_panel["visible"] is True
    overlay = load(critic)
    assert overlay.shape == image.shape and not np.array_equal(overlay, load(after))


def test_critic_for_a_classical_method_says_gan_only():
    image = photo()
    mask = box_mask(image.shape[:2], 30, 40, 60, 90)
    _, _, critic, critic_panel, status = app.fill(editor_value(image, mask), None, 0, app.TELEA, None, True)
    assert critic is None and critic_panel["visible"] is False and "GAN fills only" in status


def test_ticking_the_critic_fills_again_and_unticking_hides_it():
    image = photo()
    value = editor_value(image, box_mask(image.shape[:2], 30, 40, 60, 90))
    _, _, critic, panel, _ = app.critic_toggled(True, value, None, 0, app.GAN, TEST_MODEL)
    assert critic is not None and panel["visible"] is True
    *_, panel, _ = app.critic_toggled(False, value, None, 0, app.GAN, TEST_MODEL)
    assert panel["visible"] is False
    *_, panel, _ = app.critic_toggled(True, None, None, 0, app.GAN, TEST_MODEL)  # no photo yet: no error
    assert panel["visible"] is True


def test_empty_mask_returns_the_photo_unchanged_with_a_warning():
    image = photo()
    with pytest.warns(UserWarning, match="mask is empty"):
        (before, after), download, _, _, status = app.fill(editor_value(image), None, 4, app.GAN, None, False)
    assert np.array_equal(load(after), image) and download == after
    assert "empty" in status


def test_mask_over_everything_fills_with_a_warning():
    image = photo()
    with pytest.warns(UserWarning, match="whole photo"):
        (_, after), *_ = app.fill(editor_value(image, np.ones(image.shape[:2], bool)), None, 0, app.GAN, None,
                                  False)
    assert load(after).shape == image.shape


def test_uploaded_mask_is_used_and_rescaled_with_a_note():
    image = photo(96, 128)
    small_mask = Image.fromarray((box_mask((48, 64), 10, 10, 20, 30) * 255).astype(np.uint8))  # half size
    with pytest.warns(UserWarning, match="stretched"):
        (_, after), _, _, _, status = app.fill(editor_value(image), small_mask, 0, app.TELEA, None, False)
    changed = (load(after) != image).any(axis=2)
    assert changed[30, 40] and not changed[80, 100]
    assert "stretched" in status


def test_painted_and_uploaded_masks_are_combined():
    image = photo()
    painted = box_mask(image.shape[:2], 10, 10, 20, 20)
    uploaded = Image.fromarray((box_mask(image.shape[:2], 60, 90, 70, 100) * 255).astype(np.uint8))
    (_, after), *_ = app.fill(editor_value(image, painted), uploaded, 0, app.TELEA, None, False)
    changed = (load(after) != image).any(axis=2)
    assert changed[15, 15] and changed[65, 95]


def test_layer_of_another_size_is_rescaled_to_the_background():
    image = photo(96, 128)
    value = editor_value(image)
    value["layers"] = [layer_with(box_mask((48, 64), 10, 10, 20, 30))]
    _, painted, notes = app.read_editor(value)
    assert painted.shape == (96, 128) and painted[30, 40] and not painted[5, 5]
    assert "rescaled" in notes[0]


def test_no_photo_is_a_clear_error():
    with pytest.raises(gr.Error, match="upload a photo"):
        app.fill(None, None, 4, app.GAN, None, False)
    with pytest.raises(gr.Error, match="upload a photo"):
        app.fill({"background": None, "layers": [], "composite": None}, None, 4, app.GAN, None, False)


@pytest.mark.filterwarnings("ignore:The mask covers")  # one pixel of a 1x1 photo is all of it
@pytest.mark.parametrize("shape", [(1, 1), (5, 300), (300, 7)])
def test_tiny_and_thin_photos(shape):
    image = photo(*shape)
    mask = np.zeros(shape, bool)
    mask[shape[0] // 2, shape[1] // 2] = True
    with pytest.raises(gr.Error, match="at least 32 px"):
        app.fill(editor_value(image, mask), None, 0, app.GAN, None, False)
    (_, after), *_ = app.fill(editor_value(image, mask), None, 0, app.TELEA, None, False)
    assert load(after).shape == image.shape
    gallery, notes = app.compare(editor_value(image, mask), None, 0, None)
    assert len(gallery) == 2 and "under 32 px" in notes


def test_example_values_load_photo_and_prepared_mask():
    value = app.example_editor_value("ladybird")
    editor = {"background": np.asarray(Image.open(value["background"]).convert("RGBA")),
              "layers": [np.asarray(Image.open(value["layers"][0]))], "composite": None}
    _, painted, notes = app.read_editor(editor)
    prepared = np.asarray(Image.open(EXAMPLES / "ladybird_mask.png")) > 0
    assert np.array_equal(painted, prepared) and not notes


# ----------------------------------------------------------------------------------------------------
# Compare, API, Evaluate


def test_compare_fills_with_every_method():
    image = photo()
    gallery, notes = app.compare(editor_value(image, box_mask(image.shape[:2], 30, 40, 60, 90)), None, 2, TEST_MODEL)
    captions = [caption for _, caption in gallery]
    assert [c.split(":")[0] for c in captions] == list(app.METHODS)
    assert all(" s" in c for c in captions) and "Telea" in notes
    assert all(load(path).shape == image.shape for path, _ in gallery)


def test_compare_with_empty_mask_is_a_clear_error():
    with pytest.raises(gr.Error, match="mask is empty"):
        app.compare(editor_value(photo()), None, 2, TEST_MODEL)


@pytest.mark.parametrize("mode", ["L", "P", "RGBA", "I;16", "CMYK", "RGB"])
def test_inpaint_api_accepts_every_image_mode(mode):
    image = photo()
    pil = Image.fromarray(image)
    if mode == "I;16":
        pil = Image.fromarray(np.asarray(pil.convert("L")).astype(np.uint16) * 257)
    elif mode != "RGB":
        pil = pil.convert(mode)
    mask = Image.fromarray((box_mask(image.shape[:2], 30, 40, 60, 90) * 255).astype(np.uint8))
    result = load(app.inpaint_api(pil, mask, 0, app.GAN, TEST_MODEL))
    assert result.shape == image.shape


def test_inpaint_api_exif_rotated_photo_is_filled_as_seen(tmp_path):
    image = Image.fromarray(photo(60, 120))
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "rotated.jpg"
    image.save(path, exif=exif, quality=95)
    mask = Image.fromarray((box_mask((120, 60), 10, 10, 30, 30) * 255).astype(np.uint8))  # as seen: portrait
    result = load(app.inpaint_api(Image.open(path), mask, 0, app.TELEA, ""))
    assert result.shape == (120, 60, 3)


def test_inpaint_api_bad_inputs_are_clear_errors(tmp_path):
    mask = Image.fromarray((box_mask((10, 10), 2, 2, 4, 4) * 255).astype(np.uint8))
    with pytest.raises(gr.Error, match="upload a photo"):
        app.inpaint_api(None, mask)
    with pytest.raises(gr.Error, match="mask"):
        app.inpaint_api(Image.new("RGB", (10, 10)), None)
    with pytest.raises(gr.Error, match="Unknown method"):
        app.inpaint_api(Image.new("RGB", (10, 10)), mask, 0, "Magic")
    with pytest.raises(gr.Error, match="Unknown model 'no-such-model'; choose one of: .*inpaint-tiny-test"):
        app.inpaint_api(Image.fromarray(photo(40, 40)), mask.resize((40, 40)), 0, app.GAN, "no-such-model")
    with pytest.raises(gr.Error, match="Unknown model"):  # names in weights/ only, never paths
        app.inpaint_api(Image.fromarray(photo(40, 40)), mask.resize((40, 40)), 0, app.GAN,
                        str(app.HERE / "weights" / "inpaint-tiny-test.safetensors"))


def test_without_any_gan_model_the_classical_methods_still_work(monkeypatch):
    monkeypatch.setattr(app, "available_models", lambda: [])
    image = photo()
    value = editor_value(image, box_mask(image.shape[:2], 30, 40, 60, 90))
    with pytest.raises(gr.Error, match="No GAN model is installed"):
        app.fill(value, None, 0, app.GAN, None, False)
    gallery, notes = app.compare(value, None, 0, None)
    assert len(gallery) == 2 and "no GAN model" in notes
    _, table, _ = app.evaluate(value, "Random small mask (2-10%)", 0, None)
    assert list(table["Method"]) == [app.TELEA, app.NAVIER_STOKES]
    update, facts = app.model_dropdown_update()
    assert update["choices"] == [] and "No inpainting model" in facts


def test_evaluate_scores_every_method_on_a_seeded_mask():
    image = load(EXAMPLES / "room.jpg")
    gallery, table, summary = app.evaluate(editor_value(image), "Random small mask (2-10%)", 3, TEST_MODEL)
    assert list(table["Method"]) == list(app.METHODS)
    for column in ("PSNR hole (dB)", "PSNR whole (dB)", "SSIM around hole", "SSIM whole", "Detail", "Seconds"):
        assert table[column].notna().all()
    assert (table["PSNR whole (dB)"] > table["PSNR hole (dB)"]).all()
    assert len(gallery) == 4 and "Closest to the original" in summary
    again, _, _ = app.evaluate(editor_value(image), "Random small mask (2-10%)", 3, TEST_MODEL)
    assert np.array_equal(load(gallery[0][0]), load(again[0][0])), "the same seed must draw the same mask"


def test_evaluate_with_my_drawing():
    image = photo(96, 128)
    mask = box_mask(image.shape[:2], 30, 40, 60, 90)
    gallery, _, _ = app.evaluate(editor_value(image, mask), app.MY_DRAWING, 0, TEST_MODEL)
    assert "12.2%" in gallery[0][1]  # 30x50 of 96x128
    with pytest.raises(gr.Error, match="Draw the mask"):
        app.evaluate(editor_value(image), app.MY_DRAWING, 0, TEST_MODEL)


def test_evaluate_shrinks_large_photos():
    big = np.asarray(Image.fromarray(photo(96, 128)).resize((2048, 1536)))
    with pytest.warns(UserWarning, match="scaled to 1024x768"):
        _, table, _ = app.evaluate(editor_value(big), "Random medium mask (10-30%)", 1, TEST_MODEL)
    assert len(table) == 3


# ----------------------------------------------------------------------------------------------------
# Restore (the API tests in test_app_restore.py cover the GAN, missing models and bad files)


@pytest.fixture
def restore_models(tiny_restore_weights, monkeypatch):
    """The tiny denoise and sr2 models (and no sr4 model) as the Restore tab's models."""
    monkeypatch.setenv(app.RESTORE_WEIGHTS_ENV, str(tiny_restore_weights))


def test_restore_with_synthetic_noise_shows_the_noisy_photo_and_the_psnr(restore_models):
    image = photo(64, 80)
    (before, after), _, download, status = app.restore_photo(Image.fromarray(image), "denoise", "nlmeans", 20)
    noisy = load(before)
    assert noisy.shape == load(after).shape == image.shape and download == after
    expected = add_gaussian_noise(image, 20, np.random.default_rng(app.NOISE_SEED))
    assert np.array_equal(noisy, expected), "the left side is the photo with the seeded sigma 20 noise"
    assert "sigma 20 was added first" in status and "PSNR" in status and "set for noise sigma 20" in status


def test_restore_method_choices_follow_the_task():
    update = app.restore_methods("sr2", "nlmeans")
    assert [value for _, value in update["choices"]] == ["gan", "bicubic", "lanczos"] and update["value"] == "bicubic"
    assert app.restore_methods("denoise", "lanczos")["value"] == "nlmeans"
    assert app.restore_methods("sr4", "gan")["value"] == "gan"


def test_restore_models_note_says_which_are_installed(restore_models, monkeypatch):
    note = app.restore_models_note()
    assert "installed:** Denoise (3 training steps), Enlarge 2x (3 training steps)." in note
    assert "Not yet: Enlarge 4x" in note
    monkeypatch.setenv(app.RESTORE_WEIGHTS_ENV, str(app.HERE / "examples"))  # a folder without models
    assert "none installed yet" in app.restore_models_note()


def test_restore_warns_about_transparency_and_16_bit_depth(restore_models):
    with pytest.warns(UserWarning, match="transparent areas"):
        app.restore_api(Image.fromarray(photo(40, 40)).convert("RGBA"), "sr2", "bicubic")
    deep = Image.fromarray(np.asarray(Image.fromarray(photo(40, 40)).convert("L")).astype(np.uint16) * 257)
    with pytest.warns(UserWarning, match="16 bits"):
        assert load(app.restore_api(deep, "denoise", "gan")).shape == (40, 40, 3)


def test_close_up_is_the_centre_with_pixels_doubled():
    image = photo(600, 1000)
    close = app.close_up(image)
    assert close.shape == (2 * app.CLOSE_UP_SIDE, 2 * app.CLOSE_UP_SIDE, 3)
    assert np.array_equal(close[::2, ::2], image[172:428, 372:628])


# ----------------------------------------------------------------------------------------------------
# Helpers and wiring


def test_critic_overlay_is_red_for_fake_and_leaves_outside_untouched():
    image = np.full((4, 6, 3), 128, np.uint8)
    critic = np.full((4, 6), np.nan, np.float32)
    critic[:, :3] = 0.0   # "fake"
    critic[:, 3:5] = 1.0  # "real"
    overlay = app.critic_overlay(image, critic)
    assert overlay[0, 0, 0] > 180 and overlay[0, 0, 1] < 100
    assert overlay[0, 3, 1] > overlay[0, 3, 0]
    assert np.array_equal(overlay[:, 5], image[:, 5])


def test_model_facts_show_the_card():
    text = app.model_facts(TEST_MODEL)
    assert "inpaint-tiny-test" in text and "49,200" in text and "30 steps" in text
    shipped = app.model_facts("inpaint-photo")  # its card carries the validation numbers
    assert "| gan |" in shipped and "| telea |" in shipped and "medium masks" in shipped
    assert "Cannot read" in app.model_facts("no-such-model")
    update, _ = app.model_dropdown_update()
    assert (f"{TEST_MODEL} (default)", TEST_MODEL) in update["choices"] and update["value"] == TEST_MODEL


def test_friendly_errors_hide_stack_traces():
    @app.friendly_errors
    def broken():
        raise RuntimeError("internal detail")
    with pytest.raises(gr.Error, match="Something went wrong \\(RuntimeError\\)"):
        broken()


def test_guard_uploads_turns_pillow_errors_into_messages():
    def decode_bomb(payload):
        raise Image.DecompressionBombError("Image size exceeds limit")

    def decode_text(payload):
        raise OSError("cannot identify image file '/tmp/gradio/abc/notes.png'")

    for decode, message in ((decode_bomb, "too many pixels: the limit is 40 MP"), (decode_text, "not an image")):
        component = gr.Image(type="pil", render=False)
        component.preprocess = decode
        app.guard_uploads(component)
        with pytest.raises(gr.Error, match=message):
            component.preprocess(None)


def test_prune_outputs_deletes_only_old_files(tmp_path, monkeypatch):
    monkeypatch.setattr(app, "OUTPUT_DIR", tmp_path)
    path = Path(app.save_png(photo(8, 8), "test"))
    app.prune_outputs(now=path.stat().st_mtime + 10)
    assert path.exists()
    app.prune_outputs(now=path.stat().st_mtime + app.OUTPUT_MAX_AGE_S + 1)
    assert not path.exists()


def test_build_demo_names_every_action():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        demo = app.build_demo()
    names = {fn.api_name for fn in demo.fns.values()}
    assert {"inpaint", "fill", "compare", "evaluate", "models", "model_card", "restore", "restore_photo",
            "restore_models"} <= names
