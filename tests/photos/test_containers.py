"""The container readers, on tiny containers built here (no Debian package needed)."""
import io
import struct
import zipfile
import zlib

import numpy as np
import pytest
from PIL import Image

from gan_core.photos import containers


# ----------------------------------------------------------------------------------------------------
# Qt resource bundles


def rcc_name(text: str) -> bytes:
    encoded = text.encode("utf-16-be")
    return struct.pack(">HI", len(text), 0) + encoded


def make_rcc(files: dict[str, tuple[bytes, int]], version: int = 3) -> bytes:
    """A bundle with one folder `res` holding `files` (name -> (stored bytes, flags)), as Qt's rcc lays it out:
    header, names, data, tree; node 0 is the root, node 1 the folder, nodes 2.. its files."""
    names, name_offsets = b"", {}
    for name in ["res", *files]:
        name_offsets[name] = len(names)
        names += rcc_name(name)
    data, data_offsets = b"", {}
    for name, (stored, _) in files.items():
        data_offsets[name] = len(data)
        data += struct.pack(">I", len(stored)) + stored
    extra = b"" if version == 1 else struct.pack(">Q", 0)  # modification time, from version 2
    tree = struct.pack(">IHII", 0, containers.RCC_DIRECTORY, 1, 1) + extra
    tree += struct.pack(">IHII", name_offsets["res"], containers.RCC_DIRECTORY, len(files), 2) + extra
    for name, (_, flags) in files.items():
        tree += struct.pack(">IHII", name_offsets[name], flags, 0, data_offsets[name]) + extra
    header_size = 20 + (4 if version >= 3 else 0)
    names_at = header_size
    data_at = names_at + len(names)
    tree_at = data_at + len(data)
    header = b"qres" + struct.pack(">4I", version, tree_at, data_at, names_at)
    header += struct.pack(">I", 0) if version >= 3 else b""
    return header + names + data + tree


def zlib_entry(payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + zlib.compress(payload)


@pytest.mark.parametrize("version", [1, 2, 3])
def test_qt_resources_lists_every_file_and_reads_plain_and_zlib_entries(version):
    plain, packed = b"\x00\x01plain bytes", b"README: photo by someone, CC0-1.0\n" * 20
    bundle = make_rcc({"photo.webp": (plain, 0), "README": (zlib_entry(packed), containers.RCC_ZLIB)}, version)
    resources = containers.QtResources(bundle)
    assert resources.paths() == ["/res/README", "/res/photo.webp"]
    assert resources.read("/res/photo.webp") == plain
    assert resources.read("/res/README") == packed


def test_qt_resources_reads_a_bundle_from_a_file_and_decodes_utf16_names(tmp_path):
    path = tmp_path / "a.rcc"
    path.write_bytes(make_rcc({"café.png": (b"x", 0)}))
    assert containers.QtResources(path).paths() == ["/res/café.png"]


def test_qt_resources_rejects_other_files_and_unknown_paths():
    with pytest.raises(ValueError, match="not a Qt resource bundle"):
        containers.QtResources(b"PK\x03\x04" + bytes(40))
    with pytest.raises(ValueError, match="not in this Qt resource bundle"):
        containers.QtResources(make_rcc({"a": (b"x", 0)})).read("/res/b")


def test_qt_resources_notices_a_zlib_entry_of_the_wrong_length():
    broken = struct.pack(">I", 999) + zlib.compress(b"short")
    with pytest.raises(ValueError, match="header says 999"):
        containers.QtResources(make_rcc({"a": (broken, containers.RCC_ZLIB)})).read("/res/a")


# ----------------------------------------------------------------------------------------------------
# JPEG streams inside Eet (.edj) files


def jpeg_bytes(width: int, height: int, **options) -> bytes:
    rng = np.random.default_rng(width)
    image = Image.fromarray(rng.integers(0, 255, (height, width, 3), dtype=np.uint8))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, **options)
    return out.getvalue()


def test_largest_jpeg_finds_the_biggest_of_two_streams_between_other_bytes():
    small, large = jpeg_bytes(40, 30), jpeg_bytes(64, 48)
    blob = b"\x1e\xe7\xff\x00header" + small + b"\xff\xd8\xff junk that only looks like a JPEG" + large + b"tail"
    assert [(w, h) for *_, w, h in containers.jpeg_streams(blob)] == [(40, 30), (64, 48)]
    found = containers.largest_jpeg(blob)
    assert found == large
    assert Image.open(io.BytesIO(found)).size == (64, 48)


def test_largest_jpeg_walks_progressive_files_to_their_end(tmp_path):
    progressive = jpeg_bytes(72, 40, progressive=True)
    path = tmp_path / "fake.edj"
    path.write_bytes(b"eet" + jpeg_bytes(20, 20) + progressive + b"\x00" * 10)
    assert containers.largest_jpeg(path) == progressive


def test_largest_jpeg_refuses_a_file_without_jpegs():
    with pytest.raises(ValueError, match="no JPEG"):
        containers.largest_jpeg(b"\xff\xd8\xff\xe0 truncated")


# ----------------------------------------------------------------------------------------------------
# .pk3 (zip)


def test_zip_members_lists_one_folder_and_read_zip_returns_a_member(tmp_path):
    path = tmp_path / "0textures.pk3"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("textures/tex_nature/bark.png", b"png bytes")
        archive.writestr("textures/tex_nature/", b"")
        archive.writestr("maps/a.bsp", b"map")
    assert containers.zip_members(path, "textures/") == ["textures/tex_nature/bark.png"]
    assert containers.read_zip(path, "textures/tex_nature/bark.png") == b"png bytes"
    with pytest.raises(ValueError, match="not in"):
        containers.read_zip(path, "textures/missing.png")


# ----------------------------------------------------------------------------------------------------
# OpenEXR panoramas


def test_read_exr_rgb_returns_the_stored_linear_values(tmp_path):
    openexr = pytest.importorskip("OpenEXR")
    rgb = np.zeros((8, 16, 3), np.float32)
    rgb[..., 0], rgb[..., 1], rgb[..., 2] = 0.25, 2.0, 100.0
    rgb[0, 0] = -1.0                              # negative values (ringing) are clipped to 0
    path = tmp_path / "tiny.exr"
    header = {"compression": openexr.ZIP_COMPRESSION, "type": openexr.scanlineimage}
    with openexr.File(header, {"RGB": rgb}) as exr:
        exr.write(str(path))
    read = containers.read_exr_rgb(path)
    assert read.shape == (8, 16, 3) and read.dtype == np.float32
    np.testing.assert_allclose(read[1:, 1:], rgb[1:, 1:])
    assert (read[0, 0] == 0).all()


def test_tone_map_keeps_grey_grey_and_orders_brightness():
    luminance = np.array([0.0, 0.01, 0.1, 1.0, 10.0, 1000.0], np.float32)
    grey = np.repeat(luminance[None, :, None], 3, axis=2)
    out = containers.tone_map(grey)
    assert out.dtype == np.uint8
    assert (out[..., 0] == out[..., 1]).all() and (out[..., 1] == out[..., 2]).all()
    assert (np.diff(out[0, :, 0].astype(int)) > 0).all()   # brighter stays brighter, nothing clips to one value
    assert out[0, 0, 0] == 0


def test_middle_band_keeps_the_rows_near_the_horizon():
    panorama = np.arange(512)[:, None, None] * np.ones((1, 1024, 3))
    band = containers.middle_band(panorama, latitude=45)
    assert band.shape == (256, 1024, 3)
    assert band[0, 0, 0] == 128 and band[-1, 0, 0] == 383
