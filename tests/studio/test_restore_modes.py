"""studio.restore keeps every image mode: the download is the photo's own mode and depth, with its transparency
(kept for denoising, enlarged with the photo for sr2 / sr4), ICC profile and EXIF; bad files get a message.

The handlers are called as Gradio calls them: with the PIL image it opened lazily from the uploaded file.
/restore through a running studio is tested in test_restore.py.
"""
import struct
import zlib

import gradio as gr
import numpy as np
import pytest
from PIL import Image, ImageCms

from gan_core.photos import classical
from tests.studio_helpers import photo
from studio import api
from studio import restore as restore_tab

ORIENTATION, MAKE = 0x0112, 0x010F


@pytest.fixture(autouse=True)
def restore_models(tiny_restore_weights, monkeypatch):
    """The tiny denoise and sr2 models (and no sr4 model) as the Restore tab's models."""
    monkeypatch.setenv(restore_tab.RESTORE_WEIGHTS_ENV, str(tiny_restore_weights))


def uploaded(image: Image.Image, tmp_path, name: str = "photo.png", **options) -> Image.Image:
    """The image as Gradio hands it over: written to a file, then opened lazily from it."""
    path = tmp_path / name
    image.save(path, **options)
    return Image.open(path)


def half_transparent(height: int, width: int) -> np.ndarray:
    """Opacity: the left half fully opaque, the right half fully transparent."""
    alpha = np.zeros((height, width), np.uint8)
    alpha[:, :width // 2] = 255
    return alpha


def palette_with_transparency(height: int, width: int) -> tuple[Image.Image, np.ndarray]:
    """A 16-colour palette photo whose first pixel's colour is transparent, and where that colour is."""
    image = Image.fromarray(photo(height, width)).quantize(16)
    index = image.getpixel((0, 0))
    image.info["transparency"] = index
    return image, np.asarray(image) == index


MODES = {
    "RGBA": lambda: Image.fromarray(np.dstack([photo(40, 48), half_transparent(40, 48)]), "RGBA"),
    "LA": lambda: Image.fromarray(np.dstack([np.asarray(Image.fromarray(photo(40, 48)).convert("L")),
                                             half_transparent(40, 48)]), "LA"),
    "L": lambda: Image.fromarray(photo(40, 48)).convert("L"),
    "I;16": lambda: Image.fromarray(photo(40, 48)[..., 0].astype(np.uint16) * 251 + 7),
    "RGB": lambda: Image.fromarray(photo(40, 48)),
}


@pytest.mark.parametrize("task, method", [("denoise", "gan"), ("sr2", "gan"), ("sr4", "bicubic")])
@pytest.mark.parametrize("mode", list(MODES))
def test_the_download_is_the_photos_own_mode_and_size(tmp_path, mode, task, method):
    image = MODES[mode]()
    scale = {"denoise": 1, "sr2": 2, "sr4": 4}[task]
    (before, after), _, download, status = restore_tab.restore_photo(uploaded(image, tmp_path), task, method, 0)
    result = Image.open(download)
    assert result.mode == mode and result.size == (48 * scale, 40 * scale)
    assert Image.open(before).mode == Image.open(after).mode == "RGB", "the page shows 8-bit previews"
    assert Image.open(after).size == result.size
    assert (after == download) == (mode == "RGB"), "an RGB result is written once, as preview and download"
    assert f"in the photo's own mode ({mode}, {16 if mode == 'I;16' else 8} bits)" in status
    values = np.asarray(result)
    if mode == "I;16":
        assert values.dtype == np.uint16 and values.max() > 255 and "steps of 1/255" in status
    if mode in ("RGBA", "LA"):
        opacity, edge = values[..., -1], 24 * scale
        if scale == 1:
            assert np.array_equal(opacity, half_transparent(40, 48)), "denoising keeps the alpha exactly"
        assert (opacity[:, :edge - 2 * scale] == 255).all() and (opacity[:, edge + 2 * scale:] == 0).all(), \
            "opaque stays opaque and transparent stays transparent, away from the edge"
        assert "The transparency is kept" in status


@pytest.mark.parametrize("task", ["denoise", "sr2"])
def test_a_palette_with_transparency_comes_back_as_rgba(tmp_path, task):
    image, clear = palette_with_transparency(40, 48)
    _, _, download, _ = restore_tab.restore_photo(uploaded(image, tmp_path), task, "gan", 0)
    result = Image.open(download)
    scale = 2 if task == "sr2" else 1
    assert result.mode == "RGBA" and result.size == (48 * scale, 40 * scale)
    if task == "denoise":
        assert np.array_equal(np.asarray(result)[..., 3] == 0, clear), "transparent pixels stay transparent"
        assert (np.asarray(result)[..., 3][~clear] == 255).all()


def test_synthetic_noise_goes_on_the_colour_at_the_photos_depth(tmp_path):
    deep = MODES["I;16"]()
    (before, _), _, download, status = restore_tab.restore_photo(uploaded(deep, tmp_path), "denoise", "nlmeans", 20)
    assert Image.open(download).mode == "I;16" and "sigma 20 was added first" in status
    cut_out = MODES["RGBA"]()
    noisy = restore_tab.with_noise(cut_out, 20)
    assert noisy.mode == "RGBA" and np.array_equal(np.asarray(noisy)[..., 3], half_transparent(40, 48))
    assert not np.array_equal(np.asarray(noisy)[..., :3], np.asarray(cut_out)[..., :3])


def test_the_download_keeps_the_icc_profile_and_exif_but_not_the_applied_rotation(tmp_path):
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    exif = Image.Exif()
    exif[ORIENTATION] = 6            # shown rotated by 90 degrees: 40 wide, 48 high
    exif[MAKE] = "Test camera"
    image = uploaded(Image.fromarray(photo(40, 48)), tmp_path, "photo.jpg", quality=95, icc_profile=icc,
                     exif=exif.tobytes())
    path, notes = api.restore_api(image, "sr2", "gan")
    result = Image.open(path)
    assert result.size == (80, 96) and result.info.get("icc_profile") == icc and notes == ""
    assert result.getexif().get(MAKE) == "Test camera" and ORIENTATION not in result.getexif()


def png_16_bit_rgb(height: int, width: int) -> bytes:
    """A 16-bit-per-channel colour PNG, which Pillow can only read at 8 bits."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    values = (photo(height, width).astype(">u2") * 257).astype(">u2")
    rows = b"".join(b"\0" + values[row].tobytes() for row in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_a_16_bit_colour_png_is_said_to_be_read_at_8_bits(tmp_path):
    """Pillow has no 16-bit RGB mode (nor has the Inpaint tab): the user is told, the result is 8-bit RGB."""
    path = tmp_path / "deep.png"
    path.write_bytes(png_16_bit_rgb(40, 48))
    with pytest.warns(UserWarning, match="16 bits per colour channel"):
        result, notes = api.restore_api(Image.open(path), "sr2", "bicubic")
    assert Image.open(result).mode == "RGB" and Image.open(result).size == (96, 80) and "read" in notes


def test_bad_input_is_a_message_not_a_crash(tmp_path):
    with pytest.raises(gr.Error, match="Please upload a photo first"):
        restore_tab.restore_photo(None, "sr2", "bicubic", 0)
    with pytest.raises(gr.Error, match="Please upload a photo first"):
        api.restore_api(None)
    data = (tmp_path / "good.png")
    Image.fromarray(photo(200, 200)).save(data)
    broken = tmp_path / "broken.png"
    broken.write_bytes(data.read_bytes()[:len(data.read_bytes()) // 2])
    with pytest.raises(gr.Error, match="damaged or truncated"):
        restore_tab.restore_photo(Image.open(broken), "denoise", "nlmeans", 0)
    with pytest.raises(gr.Error, match="empty"):
        restore_tab.restore_photo(np.zeros((0, 10, 3), np.uint8), "denoise", "nlmeans", 0)
    with pytest.raises(gr.Error, match="over the studio's limit of 40 MP"):
        restore_tab.restore_photo(Image.new("RGB", (4000, 3000)), "sr4", "bicubic", 0)
    if classical.available("bm3d"):   # its library crashes the process on a photo this small
        with pytest.raises(gr.Error, match="BM3D needs a photo of at least 16 px on each side; this one is 12x10 px"):
            restore_tab.restore_photo(Image.fromarray(photo(10, 12)), "denoise", "bm3d", 0)
