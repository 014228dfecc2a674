"""studio.api: /inpaint called directly, then the running studio through gradio_client (/inpaint, and the
Inpaint tab's /fill and /compare) with every kind of bad input.

The app is started once (tests/studio_server.py) with the tiny test model as the default. Each bad input
must come back as a clear message, never a stack trace, and must not jam the queue for the next request.
/restore is tested with the Restore tab, in test_studio_restore.py.
"""
import struct
import zlib
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from tests.studio_server import ROOT, TEST_MODEL, start_app  # noqa: E402

gradio_client = pytest.importorskip("gradio_client")
from gradio_client import handle_file  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402

import gradio as gr  # noqa: E402
from studio import api  # noqa: E402
from studio import inpaint as inpaint_tab  # noqa: E402
from studio.adaptation import MAX_STEPS  # noqa: E402

EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def client():
    return gradio_client.Client(start_app(), verbose=False)


def load(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def textured(height: int, width: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([x * 255 / max(width, 1), y * 255 / max(height, 1), np.full_like(x, 100.0)], axis=2)
    return np.clip(base + rng.normal(0, 10, base.shape), 0, 255).astype(np.uint8)


def save(image: Image.Image | np.ndarray, path: Path, **options) -> str:
    (Image.fromarray(image) if isinstance(image, np.ndarray) else image).save(path, **options)
    return str(path)


def box_mask_file(path: Path, shape, top, left, bottom, right) -> str:
    mask = np.zeros(shape, np.uint8)
    mask[top:bottom, left:right] = 255
    return save(mask, path)


def inpaint_with_notes(client, image_path, mask_path, *options) -> tuple[str, str]:
    """/inpaint's two outputs: the result's path and the notes for the caller."""
    return client.predict(handle_file(image_path), handle_file(mask_path), *options, api_name="/inpaint")


def inpaint(client, image_path, mask_path, *options) -> str:
    return inpaint_with_notes(client, image_path, mask_path, *options)[0]


# ----------------------------------------------------------------------------------------------------
# /inpaint's handler, called directly


def mask_of(shape, top, left, bottom, right) -> Image.Image:
    mask = np.zeros(shape, np.uint8)
    mask[top:bottom, left:right] = 255
    return Image.fromarray(mask)


@pytest.mark.parametrize("mode", ["L", "P", "RGBA", "I;16", "CMYK", "RGB"])
def test_inpaint_api_accepts_every_image_mode(mode):
    image = textured(96, 128)
    pil = Image.fromarray(image)
    if mode == "I;16":
        pil = Image.fromarray(np.asarray(pil.convert("L")).astype(np.uint16) * 257)
    elif mode != "RGB":
        pil = pil.convert(mode)
    result = load(api.inpaint_api(pil, mask_of((96, 128), 30, 40, 60, 90), 0, "GAN", TEST_MODEL)[0])
    assert result.shape == image.shape


def test_inpaint_api_takes_method_names_as_well_as_labels():
    image = textured(64, 64)
    mask = mask_of((64, 64), 20, 20, 40, 40)
    by_label = load(api.inpaint_api(Image.fromarray(image), mask, 0, "Navier-Stokes")[0])
    assert np.array_equal(by_label, load(api.inpaint_api(Image.fromarray(image), mask, 0, "ns")[0]))


def test_inpaint_api_bad_inputs_are_clear_errors():
    mask = mask_of((10, 10), 2, 2, 4, 4)
    with pytest.raises(gr.Error, match="upload a photo"):
        api.inpaint_api(None, mask)
    with pytest.raises(gr.Error, match="mask"):
        api.inpaint_api(Image.new("RGB", (10, 10)), None)
    with pytest.raises(gr.Error, match="Unknown method"):
        api.inpaint_api(Image.new("RGB", (10, 10)), mask, 0, "Magic")
    with pytest.raises(gr.Error, match="Unknown model 'no-such-model'; choose one of: .*inpaint-tiny-test"):
        api.inpaint_api(Image.fromarray(textured(40, 40)), mask.resize((40, 40)), 0, "GAN", "no-such-model")
    with pytest.raises(gr.Error, match="Unknown model"):  # names in weights/ only, never paths
        api.inpaint_api(Image.fromarray(textured(40, 40)), mask.resize((40, 40)), 0, "GAN",
                        str(ROOT / "weights" / "inpaint-tiny-test.safetensors"))


def test_inpaint_api_learns_the_photo_first_when_asked(monkeypatch):
    image = textured(96, 128)
    mask = mask_of((96, 128), 30, 40, 60, 90)
    hole = np.asarray(mask) > 0
    plain = load(api.inpaint_api(Image.fromarray(image), mask, 0, "GAN", TEST_MODEL)[0])
    assert np.array_equal(load(api.inpaint_api(Image.fromarray(image), mask, 0, "GAN", TEST_MODEL, 0, 5)[0]), plain), \
        "adapt=0 is exactly today's fill, whatever the seed"
    asked = []
    fill = inpaint_tab.filling.fill
    monkeypatch.setattr(inpaint_tab.filling, "fill",
                        lambda *args, **options: asked.append(options) or fill(*args, **options))
    learned = load(api.inpaint_api(Image.fromarray(image), mask, 0, "GAN", TEST_MODEL, 2, 1)[0])
    assert asked[-1]["adapt"] == 2 and asked[-1]["seed"] == 1, "the GAN is asked to learn the photo first"
    assert np.array_equal(learned[~hole], image[~hole])
    again = load(api.inpaint_api(Image.fromarray(image), mask, 0, "GAN", TEST_MODEL, 2, 1)[0])
    assert np.array_equal(again, learned), "the same seed learns the same fill"
    with pytest.warns(UserWarning, match="adapt is for the GAN"):
        _, notes = api.inpaint_api(Image.fromarray(image), mask, 0, "Telea", "", 2)
    assert "classical" in notes
    with pytest.raises(gr.Error, match="adapt must be a whole number"):
        api.inpaint_api(Image.fromarray(image), mask, 0, "GAN", TEST_MODEL, -3)
    with pytest.raises(gr.Error, match="seed must be a whole number"):
        api.inpaint_api(Image.fromarray(image), mask, 0, "GAN", TEST_MODEL, 2, 0.5)
    assert f"(1-{MAX_STEPS})" in api.inpaint_api.__doc__, "the docstring (the MCP tool's description) says the limit"


# ----------------------------------------------------------------------------------------------------
# The API as documented


def test_inpaint_takes_just_a_photo_and_a_mask(client):
    result = load(inpaint(client, EXAMPLES / "ladybird.jpg", EXAMPLES / "ladybird_mask.png"))
    original = load(EXAMPLES / "ladybird.jpg")
    mask = np.asarray(Image.open(EXAMPLES / "ladybird_mask.png")) > 0
    assert result.shape == original.shape
    assert (result[mask] != original[mask]).any()
    assert np.array_equal(result[~mask], original[~mask]), "a mask file is used exactly: no grow by default"


def test_inpaint_options_and_bit_exact_outside_the_mask(client, tmp_path):
    image = textured(120, 160)
    image_path = save(image, tmp_path / "photo.png")
    mask_path = box_mask_file(tmp_path / "mask.png", (120, 160), 40, 50, 80, 110)
    for method in ("GAN", "Telea", "Navier-Stokes"):
        result = load(inpaint(client, image_path, mask_path, 0, method, TEST_MODEL))
        outside = np.ones((120, 160), bool)
        outside[40:80, 50:110] = False
        assert np.array_equal(result[outside], image[outside]), method
        assert (result[~outside] != image[~outside]).any(), method


def test_inpaint_with_adapt_and_seed(client, tmp_path):
    image = textured(96, 128)
    image_path = save(image, tmp_path / "photo.png")
    mask_path = box_mask_file(tmp_path / "mask.png", (96, 128), 30, 40, 60, 90)
    plain = load(inpaint(client, image_path, mask_path, 0, "GAN", TEST_MODEL))
    assert np.array_equal(load(inpaint(client, image_path, mask_path, 0, "GAN", TEST_MODEL, 0, 4)), plain)
    learned = load(client.predict(handle_file(image_path), handle_file(mask_path), model=TEST_MODEL, adapt=2, seed=1,
                                  api_name="/inpaint")[0])
    outside = np.ones((96, 128), bool)
    outside[30:60, 40:90] = False
    assert learned.shape == image.shape and np.array_equal(learned[outside], image[outside])
    with pytest.raises(AppError, match="adapt must be a whole number"):
        inpaint(client, image_path, mask_path, 0, "GAN", TEST_MODEL, 100000)


def editor_value(tmp_path):
    """A photo and the editor's value for it with a brushed hole (rows 30-60, columns 40-90), as the page sends."""
    image = textured(100, 140)
    layer = np.zeros((100, 140, 4), np.uint8)
    layer[30:60, 40:90] = (255, 0, 200, 150)
    editor = {"background": handle_file(save(image, tmp_path / "bg.png")),
              "layers": [handle_file(save(Image.fromarray(layer, "RGBA"), tmp_path / "layer.png"))],
              "composite": None, "id": None}
    return image, editor


def test_fill_endpoint_with_editor_value(client, tmp_path):
    image, editor = editor_value(tmp_path)
    _, download, critic, status, _, _ = client.predict(  # (the critic panel is layout; then the losses and chart)
        editor, None, 0, "GAN", TEST_MODEL, True, api_name="/fill")
    result = load(download)
    assert result.shape == image.shape and "Filled" in status
    assert np.array_equal(result[:30], image[:30])
    assert load(critic).shape == image.shape


def test_fill_endpoint_learning_the_photo_first(client, tmp_path):
    image, editor = editor_value(tmp_path)
    _, download, _, status, line, chart = client.predict(editor, None, 0, "GAN", TEST_MODEL, False, True, 2,
                                                         api_name="/fill")
    result = load(download)
    assert "after learning this photo for 2 steps" in status
    assert np.array_equal(result[:30], image[:30]) and np.array_equal(result[60:], image[60:])
    assert sorted({row[0] for row in chart["data"]}) == [1, 2] and "step 2 of 2" in line


def test_compare_endpoint(client, tmp_path):
    image_path = save(textured(100, 140), tmp_path / "bg.png")
    editor = {"background": handle_file(image_path), "layers": [], "composite": None, "id": None}
    mask = handle_file(box_mask_file(tmp_path / "mask.png", (100, 140), 20, 20, 50, 60))
    gallery, notes = client.predict(editor, mask, 2, TEST_MODEL, api_name="/compare")
    assert [item["caption"].split(":")[0] for item in gallery] == ["GAN", "Telea", "Navier-Stokes", "FSR", "PatchMatch"]
    assert "GAN" in notes


# ----------------------------------------------------------------------------------------------------
# Images of every kind


@pytest.mark.parametrize("mode", ["L", "P", "RGBA", "I;16", "CMYK"])
def test_every_image_mode(client, tmp_path, mode):
    image = Image.fromarray(textured(80, 100))
    if mode == "I;16":
        image = Image.fromarray(np.asarray(image.convert("L")).astype(np.uint16) * 257)
    else:
        image = image.convert(mode)
    path = save(image, tmp_path / ("photo.jpg" if mode == "CMYK" else "photo.png"))
    result = load(inpaint(client, path, box_mask_file(tmp_path / "mask.png", (80, 100), 20, 20, 40, 50), 2,
                          "GAN", TEST_MODEL))
    assert result.shape == (80, 100, 3)


@pytest.mark.parametrize("mode", ["RGBA", "LA", "L", "I;16"])
@pytest.mark.parametrize("method", ["GAN", "Telea"])
def test_inpaint_returns_the_photos_own_mode_with_every_unmasked_value_exact(client, tmp_path, mode, method):
    colour = textured(80, 100)
    image = {"RGBA": lambda: Image.fromarray(np.dstack([colour, np.tile(np.linspace(0, 255, 100, dtype=np.uint8),
                                                                         (80, 1))]), "RGBA"),
             "LA": lambda: Image.fromarray(colour).convert("LA"),
             "L": lambda: Image.fromarray(colour).convert("L"),
             "I;16": lambda: Image.fromarray(colour[..., 0].astype(np.uint16) * 251 + 7)}[mode]()
    mask = np.zeros((80, 100), bool)
    mask[20:40, 20:50] = True
    path, notes = inpaint_with_notes(client, save(image, tmp_path / "photo.png"),
                                     save((mask * 255).astype(np.uint8), tmp_path / "mask.png"), 0, method,
                                     TEST_MODEL)
    result = Image.open(path)
    assert result.mode == image.mode and notes == ""
    before, after = np.asarray(image), np.asarray(result)
    assert np.array_equal(after[~mask], before[~mask]), "every unmasked value, in every channel, unchanged"
    assert (after[mask] != before[mask]).any()


def test_exif_rotated_jpeg_is_filled_as_the_user_sees_it(client, tmp_path):
    image = textured(60, 120)  # stored landscape
    exif = Image.Exif()
    exif[0x0112] = 6  # shown rotated: portrait 60 wide, 120 high
    path = save(image, tmp_path / "rotated.jpg", exif=exif, quality=95)
    mask = box_mask_file(tmp_path / "mask.png", (120, 60), 80, 10, 110, 40)  # drawn on the portrait view
    result = load(inpaint(client, path, mask, 0, "Telea"))
    upright = np.asarray(Image.open(path).transpose(Image.Transpose.ROTATE_270))  # what a viewer shows
    assert result.shape == (120, 60, 3)
    assert np.abs(result[:70].astype(int) - upright[:70]).max() <= 1  # above the hole: the photo as shown


def test_tiny_and_thin_images(client, tmp_path):
    one = save(np.full((1, 1, 3), 90, np.uint8), tmp_path / "one.png")
    one_mask = save(np.full((1, 1), 255, np.uint8), tmp_path / "one_mask.png")
    with pytest.raises(AppError, match="at least 32 px"):
        inpaint(client, one, one_mask)
    assert load(inpaint(client, one, one_mask, 0, "Telea")).shape == (1, 1, 3)
    thin = save(textured(3, 400), tmp_path / "thin.png")
    thin_mask = box_mask_file(tmp_path / "thin_mask.png", (3, 400), 0, 100, 3, 120)
    assert load(inpaint(client, thin, thin_mask, 0, "Navier-Stokes")).shape == (3, 400, 3)


# ----------------------------------------------------------------------------------------------------
# Masks that are empty, everything, or the wrong size


def test_empty_mask_returns_the_photo_unchanged(client, tmp_path):
    image = textured(64, 64)
    path = save(image, tmp_path / "photo.png")
    empty = save(np.zeros((64, 64), np.uint8), tmp_path / "empty.png")
    assert np.array_equal(load(inpaint(client, path, empty)), image)


def test_mask_over_everything_still_fills(client, tmp_path):
    image = textured(64, 64)
    result = load(inpaint(client, save(image, tmp_path / "photo.png"),
                          save(np.full((64, 64), 255, np.uint8), tmp_path / "all.png"), 0, "GAN", TEST_MODEL))
    assert result.shape == image.shape and not np.array_equal(result, image)


def test_mask_of_another_size_is_rescaled(client, tmp_path):
    image = textured(100, 200)
    mask = box_mask_file(tmp_path / "half.png", (50, 100), 10, 10, 20, 30)  # half size: 20..40 x 20..60 at full
    path, notes = inpaint_with_notes(client, save(image, tmp_path / "photo.png"), mask, 0, "Telea")
    result = load(path)
    changed = (result != image).any(axis=2)
    assert result.shape == image.shape and changed[30, 40] and not changed[70:].any()
    assert "stretched" in notes, "the caller is told, not only a toast in a browser"


# ----------------------------------------------------------------------------------------------------
# Files that must be refused with a clear message


def png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b""))


def test_text_file_is_not_an_image(client, tmp_path):
    text = tmp_path / "notes.png"
    text.write_text("hello, not a picture")
    with pytest.raises(AppError, match="not an image we can read"):
        inpaint(client, text, EXAMPLES / "ladybird_mask.png")


def test_truncated_jpeg(client, tmp_path):
    data = (EXAMPLES / "ladybird.jpg").read_bytes()
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(AppError, match="damaged"):
        inpaint(client, broken, EXAMPLES / "ladybird_mask.png")


@pytest.mark.parametrize("side", [7000, 10000])  # 49 MP: refused by our check; 100 MP: by Pillow's guard
def test_decompression_bomb_is_refused_with_the_limit(client, tmp_path, side):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_header_only(side, side))
    with pytest.raises(AppError, match="40 MP"):
        inpaint(client, bomb, EXAMPLES / "ladybird_mask.png")


def test_upload_over_the_file_size_limit_is_refused(client, tmp_path):
    big = tmp_path / "big.png"
    with open(big, "wb") as handle:
        handle.truncate(151 * 1024 * 1024)  # over max_file_size (150 MB); sparse, so instant to make
    with pytest.raises(ValueError, match="exceeds the maximum file size"):  # the client checks first
        inpaint(client, big, EXAMPLES / "ladybird_mask.png")
    with open(big, "rb") as handle:  # and the server refuses it from any other client
        response = httpx.post(client.src.rstrip("/") + "/gradio_api/upload", timeout=60,
                              files={"files": ("big.png", handle, "image/png")})
    assert response.status_code == 413 and "maximum allowed size" in response.text


def test_queue_still_serves_after_the_errors(client):
    result = load(inpaint(client, EXAMPLES / "room.jpg", EXAMPLES / "room_mask.png", 4, "GAN", TEST_MODEL))
    assert result.shape == load(EXAMPLES / "room.jpg").shape


def test_the_mcp_server_lists_inpaint_and_restore_with_their_docstrings():
    """With gradio[mcp] installed, app.py is also an MCP server; agents read this tool list."""
    pytest.importorskip("mcp")
    tools = httpx.get(start_app() + "gradio_api/mcp/schema", timeout=30).json()
    described = {tool["name"]: tool["description"] for tool in tools}
    assert "inpaint_api" in described and "restore_api" in described
    assert "used exactly as given" in described["inpaint_api"] and "sr2" in described["restore_api"]
    assert "learn this photo first" in described["inpaint_api"]
