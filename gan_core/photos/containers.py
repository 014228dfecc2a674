"""Small readers for the containers that some Debian packages keep their photographs in.

    QtResources(path)           Qt resource bundles (.rcc, GCompris): list every path, read any file
    largest_jpeg(data)          Enlightenment backgrounds (.edj, Eet files): the largest JPEG stream inside
    zip_members / read_zip      .pk3 archives (UFO:AI textures) are plain zip files
    read_exr_rgb / tone_map     OpenEXR panoramas (Blender studio lights): linear HDR -> 8-bit sRGB-like

Each reader takes bytes or a path and returns bytes or arrays; decoding the images is left to Pillow.
scripts/extract_photos.py uses them to fill the extraction cache that data/photos.csv lists.
"""
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# ----------------------------------------------------------------------------------------------------
# Qt resource bundles (.rcc)

RCC_DIRECTORY, RCC_ZLIB, RCC_ZSTD = 2, 1, 4


@dataclass
class RccEntry:
    path: str          # "/gcompris/src/activities/erase/resource/bee.webp"
    flags: int         # RCC_ZLIB, RCC_ZSTD or 0 (stored as is)
    data_offset: int   # from the start of the data section


class QtResources:
    """A Qt resource bundle, as written by Qt's `rcc -binary`. All numbers are big-endian.

    Header: b"qres", version, then the offsets of the tree, the data and the names (version 3 adds a u32
    of global flags). The tree is an array of nodes, 14 bytes each (22 from version 2, which appends a
    u64 modification time): name offset (u32), flags (u16), then for a directory its child count and the
    index of its first child (u32 each), for a file its locale (u32) and data offset (u32). Node 0 is the
    root directory. A name is a u16 length, a u32 hash and that many UTF-16BE code units. A file's data
    is a u32 size and the bytes; zlib entries begin with the uncompressed size (u32) before the stream.
    """

    def __init__(self, source: str | Path | bytes):
        self.data = source if isinstance(source, bytes) else Path(source).read_bytes()
        if self.data[:4] != b"qres":
            raise ValueError(f"{source if not isinstance(source, bytes) else 'data'} is not a Qt resource bundle "
                             "(no 'qres' magic)")
        self.version, self.tree, self.payload, self.names = struct.unpack(">4I", self.data[4:20])
        if self.version not in (1, 2, 3):
            raise ValueError(f"unsupported Qt resource bundle version {self.version}")
        self.node_size = 14 if self.version == 1 else 22
        self.entries = {entry.path: entry for entry in self._walk(0, "")}

    def _name(self, offset: int) -> str:
        start = self.names + offset
        (length,) = struct.unpack(">H", self.data[start:start + 2])
        return self.data[start + 6:start + 6 + 2 * length].decode("utf-16-be")

    def _walk(self, index: int, prefix: str):
        start = self.tree + index * self.node_size
        name_offset, flags, a, b = struct.unpack(">IHII", self.data[start:start + 14])
        path = prefix if index == 0 else f"{prefix}/{self._name(name_offset)}"
        if flags & RCC_DIRECTORY:
            for child in range(b, b + a):  # a = child count, b = index of the first child
                yield from self._walk(child, path)
        else:
            yield RccEntry(path, flags, b)  # a = locale, b = data offset

    def paths(self) -> list[str]:
        """Every file in the bundle, as '/dir/.../name', sorted."""
        return sorted(self.entries)

    def read(self, path: str) -> bytes:
        """The uncompressed bytes of one file."""
        if path not in self.entries:
            raise ValueError(f"{path!r} is not in this Qt resource bundle")
        entry = self.entries[path]
        start = self.payload + entry.data_offset
        (size,) = struct.unpack(">I", self.data[start:start + 4])
        raw = self.data[start + 4:start + 4 + size]
        if entry.flags & RCC_ZLIB:
            (expected,) = struct.unpack(">I", raw[:4])
            out = zlib.decompress(raw[4:])
            if len(out) != expected:
                raise ValueError(f"{path}: zlib entry gave {len(out)} bytes, header says {expected}")
            return out
        if entry.flags & RCC_ZSTD:
            try:
                import zstandard
            except ImportError as error:
                raise ValueError(f"{path} is zstd-compressed; `pip install zstandard` to read it") from error
            return zstandard.ZstdDecompressor().decompress(raw, max_output_size=1 << 30)
        return raw


# ----------------------------------------------------------------------------------------------------
# Enlightenment .edj (Eet) backgrounds

SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def jpeg_extent(data: bytes, start: int) -> tuple[int, int, int] | None:
    """Walk the JPEG that begins at `start` (an SOI marker) segment by segment.

    Returns (end, width, height), `end` just past its EOI, or None if the bytes there are not a
    well-formed JPEG. Headers are skipped by their lengths, so a thumbnail inside an EXIF segment is not
    mistaken for the end; entropy-coded data ends at the first 0xFF that is not stuffing (0x00) or a
    restart marker (D0-D7), which also handles progressive files (several scans).
    """
    if data[start:start + 2] != b"\xff\xd8":
        return None
    pos, width, height, n = start + 2, 0, 0, len(data)
    while pos + 4 <= n:
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:                      # fill byte before a marker
            pos += 1
            continue
        if marker == 0xD9:                      # EOI
            return (pos + 2, width, height) if width and height else None
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        if length < 2:
            return None
        if marker in SOF_MARKERS:
            height, width = struct.unpack(">HH", data[pos + 5:pos + 9])
        pos += 2 + length
        if marker == 0xDA:                      # start of scan: skip the entropy-coded data
            while (pos := data.find(b"\xff", pos)) >= 0 and pos + 1 < n:
                if data[pos + 1] != 0x00 and not 0xD0 <= data[pos + 1] <= 0xD7:
                    break
                pos += 1
            if pos < 0:
                return None
    return None


def jpeg_streams(data: bytes) -> list[tuple[int, int, int, int]]:
    """Every well-formed JPEG inside a blob, as (start, end, width, height), in file order."""
    streams, pos = [], 0
    while (start := data.find(b"\xff\xd8\xff", pos)) >= 0:
        found = jpeg_extent(data, start)
        if found is None:
            pos = start + 1
            continue
        end, width, height = found
        streams.append((start, end, width, height))
        pos = end
    return streams


def largest_jpeg(source: str | Path | bytes) -> bytes:
    """The JPEG with the most pixels inside a file (ties: the most bytes).

    An Enlightenment background (.edj) is an Eet file that stores the same photo as a dozen plain JPEG
    streams of different sizes. Finding the streams by their SOI marker and walking their segments to
    the EOI needs nothing of Eet itself: its directory (which can be zlib-compressed, with a string
    dictionary) and Edje's image wrappers would take a far larger reader, and the streams are stored
    byte for byte, so the scan is exact. Bytes that only look like an SOI are rejected by the walk.
    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    streams = jpeg_streams(data)
    if not streams:
        raise ValueError("no JPEG stream found")
    start, end, _, _ = max(streams, key=lambda s: (s[2] * s[3], s[1] - s[0]))
    return data[start:end]


# ----------------------------------------------------------------------------------------------------
# .pk3 archives (zip)


def zip_members(path: str | Path, prefix: str = "") -> list[str]:
    """The file names in a zip (.pk3) that start with `prefix`, sorted."""
    with zipfile.ZipFile(path) as archive:
        return sorted(name for name in archive.namelist() if name.startswith(prefix) and not name.endswith("/"))


def read_zip(path: str | Path, member: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        try:
            return archive.read(member)
        except KeyError as error:
            raise ValueError(f"{member!r} is not in {path}") from error


# ----------------------------------------------------------------------------------------------------
# OpenEXR panoramas


def read_exr_rgb(path: str | Path) -> np.ndarray:
    """An OpenEXR image as HxWx3 float32 linear RGB.

    Blender's studio lights are DWAB-compressed (a lossy DCT codec), which a small reader cannot decode
    (the readers for none/RLE/ZIP would not help), and this OpenCV build has no OpenEXR support; so the
    OpenEXR project's own Python bindings (pip package `OpenEXR`) decode them.
    """
    try:
        import OpenEXR
    except ImportError as error:
        raise ValueError("reading .exr files needs the OpenEXR package: pip install OpenEXR") from error
    with OpenEXR.File(str(path)) as exr:
        channels = exr.channels()
        if "RGB" in channels:
            rgb = channels["RGB"].pixels
        elif {"R", "G", "B"} <= channels.keys():
            rgb = np.stack([channels[c].pixels for c in "RGB"], axis=-1)
        else:
            raise ValueError(f"{path}: no R, G, B channels (found {sorted(channels)})")
    return np.nan_to_num(np.asarray(rgb, dtype=np.float32), nan=0.0, posinf=0.0).clip(0, None)


def tone_map(rgb: np.ndarray, key: float = 0.18, gamma: float = 2.2) -> np.ndarray:
    """Linear HDR RGB -> 8-bit, Reinhard's global operator on luminance, then a display gamma.

    The luminance is scaled so that its log-average becomes `key` (a mid grey), compressed by L/(1+L),
    and the colour is carried along by scaling R, G, B with the same factor, so hues stay put.
    """
    luminance = rgb @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
    log_average = np.exp(np.mean(np.log(luminance + 1e-6)))
    scaled = luminance * (key / log_average)
    display = scaled / (1.0 + scaled)
    out = rgb * (display / np.maximum(luminance, 1e-6))[..., None]
    return (np.clip(out, 0, 1) ** (1 / gamma) * 255 + 0.5).astype(np.uint8)


def middle_band(panorama: np.ndarray, latitude: float = 45.0) -> np.ndarray:
    """The rows of an equirectangular panorama within +-`latitude` degrees of the horizon: near the
    poles each row is stretched horizontally by 1/cos(latitude), which no camera produces."""
    height = panorama.shape[0]
    half = int(round(height * latitude / 180.0))
    return panorama[height // 2 - half:height // 2 + half]
