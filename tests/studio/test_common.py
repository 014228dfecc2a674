"""studio.common: reading uploads, friendly errors, and the one helper that writes result files."""
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
from PIL import Image

from tests.studio_helpers import box_mask, editor_value, layer_with, load, photo  # noqa: E402

from studio import common  # noqa: E402


def test_layer_of_another_size_is_rescaled_to_the_background():
    image = photo(96, 128)
    value = editor_value(image)
    value["layers"] = [layer_with(box_mask((48, 64), 10, 10, 20, 30))]
    _, painted, notes = common.read_editor(value)
    assert painted.shape == (96, 128) and painted[30, 40] and not painted[5, 5]
    assert "rescaled" in notes[0]


def test_painted_mask_joins_the_layers_and_is_none_without_strokes():
    first, second = box_mask((20, 30), 0, 0, 5, 5), box_mask((20, 30), 10, 10, 15, 15)
    painted, notes = common.painted_mask([layer_with(first), None, layer_with(second)])
    assert np.array_equal(painted, first | second) and not notes
    assert common.painted_mask([])[0] is None


def test_no_photo_is_a_clear_error():
    with pytest.raises(gr.Error, match="upload a photo"):
        common.read_editor(None)
    with pytest.raises(gr.Error, match="upload a photo"):
        common.read_editor({"background": None, "layers": [], "composite": None})
    with pytest.raises(gr.Error, match="upload a photo"):
        common.read_photo(None)


def test_uploaded_mask_of_another_size_is_stretched_with_a_note():
    mask, notes = common.read_mask(Image.fromarray(np.full((10, 20), 255, np.uint8)), (20, 40))
    assert mask.shape == (20, 40) and mask.all() and "stretched" in notes[0]


def test_friendly_errors_hide_stack_traces():
    @common.friendly_errors
    def broken():
        raise RuntimeError("internal detail")

    @common.friendly_errors
    def refused():
        raise ValueError("the mask is empty")

    with pytest.raises(gr.Error, match="Something went wrong \\(RuntimeError\\)"):
        broken()
    with pytest.raises(gr.Error, match="the mask is empty"):
        refused()


def test_guard_uploads_turns_pillow_errors_into_messages():
    def decode_bomb(payload):
        raise Image.DecompressionBombError("Image size exceeds limit")

    def decode_text(payload):
        raise OSError("cannot identify image file '/tmp/gradio/abc/notes.png'")

    for decode, message in ((decode_bomb, "too many pixels: the limit is 40 MP"), (decode_text, "not an image")):
        component = gr.Image(type="pil", render=False)
        component.preprocess = decode
        common.guard_uploads(component)
        with pytest.raises(gr.Error, match=message):
            component.preprocess(None)


def test_save_image_writes_a_new_lossless_file_each_time(tmp_path, monkeypatch):
    monkeypatch.setattr(common, "OUTPUT_DIR", tmp_path)
    image = photo(8, 8)
    first, second = common.save_image(image, "test"), common.save_image(image, "test")
    webp = common.save_image(image, "live", webp=True)
    assert first != second and Path(first).suffix == ".png" and Path(webp).suffix == ".webp"
    assert all(np.array_equal(load(path), image) for path in (first, second, webp))


def test_prune_outputs_deletes_only_old_files(tmp_path, monkeypatch):
    monkeypatch.setattr(common, "OUTPUT_DIR", tmp_path)
    path = Path(common.save_image(photo(8, 8), "test"))
    (tmp_path / "examples").mkdir()
    common.prune_outputs(now=path.stat().st_mtime + 10)
    assert path.exists()
    common.prune_outputs(now=path.stat().st_mtime + common.OUTPUT_MAX_AGE_S + 1)
    assert not path.exists() and (tmp_path / "examples").is_dir()


def test_with_notes_puts_each_warning_in_its_own_paragraph():
    assert common.with_notes("Done.", ["a", "b"]) == "Done.\n\n⚠️ a\n\n⚠️ b"
    assert common.with_notes("", ["a"]) == "⚠️ a"


def test_friendly_errors_keeps_a_generator_a_generator_and_its_errors_friendly():
    import inspect

    @common.friendly_errors
    def live(fail_after: int):
        for step in range(3):
            if step == fail_after:
                raise ValueError("the hole is empty: nothing to learn for")
            yield step

    assert inspect.isgeneratorfunction(live), "Gradio streams only generator functions"
    assert list(live(5)) == [0, 1, 2]
    running = live(1)
    assert next(running) == 0
    with pytest.raises(gr.Error, match="nothing to learn for"):
        next(running)
