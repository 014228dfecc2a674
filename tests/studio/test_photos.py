"""studio.photos: the full-resolution original kept per session, the editor's display copy, strokes scaled up,
blank canvases refused, and the download in the photo's own mode with its ICC profile and EXIF."""
import io

import gradio as gr
import numpy as np
import pytest
from PIL import Image

from tests.studio_helpers import TEST_MODEL, box_mask, layer_with, photo  # noqa: E402

from gan_core.core import tasks  # noqa: E402
from studio import inpaint, photos  # noqa: E402
from studio.common import is_blank  # noqa: E402

pytestmark = pytest.mark.usefixtures("studio_test_model")


def saved(image: Image.Image, tmp_path, name="photo.png", **options) -> str:
    path = tmp_path / name
    image.save(path, **options)
    return str(path)


def shown_editor(original: photos.Original, strokes: np.ndarray | None = None) -> dict:
    """The editor's value as the browser sends it back: the display copy (RGBA) and the drawn layer."""
    background = np.asarray(Image.open(original.display_path).convert("RGBA"))
    return {"background": background, "layers": [] if strokes is None else [layer_with(strokes)],
            "composite": background}


def test_the_editors_empty_canvas_is_blank_and_a_photo_is_not():
    assert is_blank(np.zeros((256, 256, 4), np.uint8))            # transparent canvas
    assert is_blank(np.full((256, 256, 4), 255, np.uint8))        # white canvas
    assert not is_blank(np.dstack([photo(), np.full((96, 128), 255, np.uint8)]))
    assert not is_blank(np.full((64, 64, 3), 40, np.uint8))       # a flat dark photo is still a photo


def test_fill_and_evaluate_on_a_blank_canvas_say_there_is_no_photo():
    blank = {"background": np.full((256, 256, 4), 255, np.uint8),
             "layers": [layer_with(box_mask((256, 256), 100, 100, 140, 180))], "composite": None}
    with pytest.raises(gr.Error, match="upload a photo first"):
        inpaint.fill(blank, None, 4, tasks.GAN.label, TEST_MODEL, False)
    from studio import evaluate
    with pytest.raises(gr.Error, match="upload a photo first"):
        evaluate.evaluate(blank, evaluate.MY_DRAWING, 0, TEST_MODEL)


def test_a_big_photo_is_shown_small_and_filled_at_full_size(tmp_path):
    big = Image.fromarray(np.resize(photo(300, 400), (3000, 4000, 3)).astype(np.uint8))
    value, original = photos.load_upload({"path": saved(big, tmp_path, "big.jpg", quality=92)})
    side = photos.DISPLAY_SIDE
    assert original.display_size == (side, side * 3 // 4) and original.image.size == (4000, 3000)
    assert value["background"] == original.display_path
    top, right = side // 3, side // 2                                   # a box drawn on the display copy
    strokes = box_mask((side * 3 // 4, side), top, side // 3, top + 30, right)
    editor = shown_editor(original, strokes)
    (before, after), download, *_, status = inpaint.fill(editor, None, 0, tasks.TELEA.label, None, False,
                                                         original)
    assert Image.open(after).size == original.display_size and before == original.display_path
    result, upload = np.asarray(Image.open(download)), np.asarray(original.image)
    assert result.shape == (3000, 4000, 3) and "4000x3000" in status
    changed = (result != upload).any(axis=2)
    rows, cols = np.nonzero(changed)
    scale = 4000 / side
    assert abs(rows.min() - top * scale) < 4 and abs(cols.max() + 1 - right * scale) < 4, "strokes scaled up"


@pytest.mark.parametrize("mode", ["RGBA", "LA", "L", "I;16"])
def test_the_download_keeps_the_photos_mode_and_every_unmasked_value(mode, tmp_path):
    values = photo(96, 128)
    image = {"RGBA": lambda: Image.fromarray(np.dstack([values, np.linspace(0, 255, 128, dtype=np.uint8)[None]
                                                        .repeat(96, 0)]), "RGBA"),
             "LA": lambda: Image.fromarray(values).convert("LA"),
             "L": lambda: Image.fromarray(values).convert("L"),
             "I;16": lambda: Image.fromarray((values[..., 0].astype(np.uint16) * 257 + 3))}[mode]()
    assert image.mode == mode
    _, original = photos.load_upload({"path": saved(image, tmp_path)})
    strokes = box_mask((96, 128), 30, 40, 60, 90)
    for method in (tasks.GAN.label, tasks.TELEA.label):
        _, download, *_, status = inpaint.fill(shown_editor(original, strokes), None, 0, method, TEST_MODEL,
                                               False, original)
        result = Image.open(download)
        assert result.mode == mode and mode in status
        before, after = np.asarray(image), np.asarray(result)
        assert np.array_equal(after[~strokes], before[~strokes]), f"{method}: unmasked values changed"
        assert (after[strokes] != before[strokes]).any()


def test_the_download_keeps_the_icc_profile_and_exif_but_not_the_applied_rotation(tmp_path):
    from PIL import ImageCms
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    exif = Image.Exif()
    exif[0x0112] = 6                # rotate 90 degrees when shown
    exif[0x010F] = "Test camera"    # Make
    image = Image.fromarray(photo(96, 128))
    _, original = photos.load_upload({"path": saved(image, tmp_path, "photo.jpg", quality=95, icc_profile=icc,
                                                    exif=exif.tobytes())})
    assert original.image.size == (96, 128), "the EXIF rotation is applied"
    strokes = box_mask((128, 96), 40, 30, 70, 60)
    _, download, *_ = inpaint.fill(shown_editor(original, strokes), None, 0, tasks.TELEA.label, None, False,
                                   original)
    result = Image.open(download)
    assert result.info.get("icc_profile") == icc
    assert result.getexif().get(0x010F) == "Test camera" and 0x0112 not in result.getexif()


def test_a_file_that_is_not_an_image_is_refused_with_a_message(tmp_path, caplog):
    text = tmp_path / "notes.png"
    text.write_text("not a photo")
    with pytest.raises(gr.Error, match="not an image"):
        photos.load_upload({"path": str(text)})
    assert "Traceback" not in caplog.text
