"""gan_core.core.io_checks: uploads that are not images, damaged, too large, rotated, and masks of every kind."""
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from gan_core.core import io_checks
from gan_core.core.io_checks import ImageCheckError


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height but holds almost no data: a decompression bomb's shape."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + \
        chunk(b"IEND", b"")


def encoded(image: Image.Image, format: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def test_reads_a_good_image_from_path_bytes_and_pil(tmp_path):
    image = Image.new("RGB", (40, 30), (10, 20, 30))
    path = tmp_path / "photo.png"
    image.save(path)
    for source in (path, str(path), path.read_bytes(), Image.open(path)):
        opened = io_checks.open_image(source)
        assert opened.size == (40, 30) and opened.getpixel((0, 0)) == (10, 20, 30)


def test_refuses_a_file_that_is_not_an_image(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("this is text, not a picture")
    with pytest.raises(ImageCheckError, match="not an image"):
        io_checks.open_image(path)


def test_refuses_a_truncated_image():
    data = encoded(Image.fromarray(np.random.default_rng(0).integers(0, 255, (200, 200, 3), np.uint8)), "JPEG")
    with pytest.raises(ImageCheckError, match="damaged or truncated"):
        io_checks.open_image(data[: len(data) // 2])


def test_refuses_a_missing_file(tmp_path):
    with pytest.raises(ImageCheckError, match="not found"):
        io_checks.open_image(tmp_path / "gone.png")


@pytest.mark.parametrize("side", [7000, 20000])  # 49 MP (over our limit), 400 MP (over Pillow's own)
def test_refuses_too_many_pixels_before_decoding(side):
    with pytest.raises(ImageCheckError, match="40 MP"):
        io_checks.open_image(png_header_only(side, side))


def test_check_file_reads_only_the_header(tmp_path):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_header_only(7000, 7000))  # its pixel data is garbage: decoding would fail
    with pytest.raises(ImageCheckError, match="over the limit of 40 MP"):
        io_checks.check_file(bomb)
    small = tmp_path / "small.png"
    small.write_bytes(png_header_only(300, 200))
    assert io_checks.check_file(small) == (300, 200)
    text = tmp_path / "text.jpg"
    text.write_text("not an image")
    with pytest.raises(ImageCheckError, match="not an image"):
        io_checks.check_file(text)


def test_pixel_limit_can_be_changed():
    image = encoded(Image.new("RGB", (100, 100)))
    assert io_checks.open_image(image, max_pixels=10_000).size == (100, 100)
    with pytest.raises(ImageCheckError, match="over the limit of 9,999 pixels"):
        io_checks.open_image(image, max_pixels=9_999)


def test_applies_exif_orientation():
    image = Image.new("RGB", (60, 20), (255, 0, 0))
    image.paste((0, 0, 255), (0, 0, 30, 20))  # left half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display"
    opened = io_checks.open_image(encoded(image, "JPEG", exif=exif, quality=95))
    assert opened.size == (20, 60)  # as a viewer shows it: portrait
    top = np.asarray(opened)[2, 10]
    assert top[2] > 200 and top[0] < 60  # the blue left half is now on top


def test_megapixels_wording():
    assert io_checks.megapixels(40_000_000) == "40 MP"
    assert io_checks.megapixels(12_345_678) == "12.3 MP"
    assert io_checks.megapixels(4_096) == "4,096 pixels"


def test_mask_from_white_on_black_ignores_jpeg_noise():
    mask = np.zeros((40, 40), np.uint8)
    mask[10:20, 10:30] = 255
    noisy = Image.open(io.BytesIO(encoded(Image.fromarray(mask), "JPEG", quality=70)))
    filled = io_checks.mask_from_image(noisy)
    assert filled[15, 20] and not filled[35, 5]
    assert abs(int(filled.sum()) - 200) < 40


def test_mask_from_transparent_layer_uses_alpha():
    layer = np.zeros((10, 10, 4), np.uint8)
    layer[2:5, 2:5] = (200, 0, 0, 80)  # a see-through red stroke
    for source in (Image.fromarray(layer, "RGBA"), layer):
        filled = io_checks.mask_from_image(source)
        assert filled.sum() == 9 and filled[3, 3]


def test_mask_from_16_bit_grey_and_palette_and_bool():
    array = np.zeros((8, 8), np.uint16)
    array[:4] = 65535
    assert io_checks.mask_from_image(Image.fromarray(array)).sum() == 32
    assert io_checks.mask_from_image(array).sum() == 32
    palette = Image.fromarray((array // 257).astype(np.uint8)).convert("P")
    assert io_checks.mask_from_image(palette).sum() == 32
    assert io_checks.mask_from_image(array > 0).sum() == 32


def test_fit_mask_nearest_keeps_it_binary():
    mask = np.zeros((10, 20), bool)
    mask[:, :10] = True
    fitted = io_checks.fit_mask(mask, (40, 80))
    assert fitted.shape == (40, 80) and fitted.dtype == bool
    assert fitted[:, :40].all() and not fitted[:, 40:].any()
    assert io_checks.fit_mask(mask, (10, 20)) is not None and io_checks.fit_mask(mask, (10, 20)).shape == (10, 20)
