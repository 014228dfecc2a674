"""Checks on image files that people upload, before any model sees them (Pillow and numpy only).

Every failure raises ImageCheckError (a ValueError) whose message can be shown to the user as it is:
it says what is wrong and what to do, never a stack trace or a server path.

- check_file: the header of an uploaded file, before anything decodes it (size and pixel limit only).
- open_image: a file that is not an image, is damaged or truncated, or has more pixels than the limit
  (a "decompression bomb": a small file that decodes to gigabytes) is refused; EXIF orientation is applied
  so the pixels are the way the user sees the photo.
- mask_from_image: an uploaded mask (white = fill, or a transparent drawing layer) as a boolean array.
- fit_mask: a mask rescaled (nearest neighbour, so it stays binary) to the photo's size.
"""
import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000  # 40 MP: more than any phone camera; 3 bytes a pixel is 120 MB decoded


class ImageCheckError(ValueError):
    """An uploaded image that cannot be used; the message is meant for the user."""


def megapixels(pixels: int) -> str:
    """'40 MP', '12.3 MP': a pixel count the way photographers say it ('9,999 pixels' below 0.1 MP)."""
    if pixels < 100_000:
        return f"{pixels:,} pixels"
    value = pixels / 1e6
    return f"{value:.0f} MP" if value == round(value) else f"{value:.1f} MP"


def check_pixels(width: int, height: int, max_pixels: int = MAX_PIXELS) -> None:
    """Refuse empty images and images over the pixel limit, saying the limit."""
    if width < 1 or height < 1:
        raise ImageCheckError(f"The image is empty ({width}x{height} pixels).")
    if width * height > max_pixels:
        raise ImageCheckError(
            f"The image is {width}x{height} pixels ({megapixels(width * height)}), over the limit of "
            f"{megapixels(max_pixels)}. Please downscale it and try again.")


def open_lazily(source, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Image.open with clear errors: reads only the header, so the pixel limit is checked before decoding.

    source: a path, bytes or a binary file object.
    """
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    elif isinstance(source, (str, Path)) and not Path(source).is_file():
        raise ImageCheckError("The file was not found; please upload it again.")
    try:
        with warnings.catch_warnings():  # our own limit below says more than Pillow's warning
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(source)
    except Image.DecompressionBombError as error:  # over twice Image.MAX_IMAGE_PIXELS
        raise ImageCheckError(f"The image has too many pixels: the limit is {megapixels(max_pixels)}. "
                              "Please downscale it and try again.") from error
    except UnidentifiedImageError as error:
        raise ImageCheckError("This file is not an image we can read. Please upload a PNG, JPEG, WebP, "
                              "BMP, TIFF or GIF file.") from error
    except OSError as error:
        raise ImageCheckError("The image file could not be read; please upload it again.") from error
    check_pixels(*image.size, max_pixels=max_pixels)
    return image


def check_file(path: str | Path, max_pixels: int = MAX_PIXELS) -> tuple[int, int]:
    """(width, height) from an image file's header, without decoding pixels; refuses non-images and bombs."""
    with open_lazily(path, max_pixels) as image:
        return image.size


def open_image(source, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Open, check and fully decode an image; returns a PIL image the way a viewer shows it (EXIF-rotated).

    source: a path, bytes, a binary file object, or a PIL image that Pillow opened lazily (as Gradio does).
    The pixel limit is checked from the header, before any pixel is decoded.
    """
    if isinstance(source, Image.Image):
        image = source
        check_pixels(*image.size, max_pixels=max_pixels)
    else:
        image = open_lazily(source, max_pixels)
    try:
        image.load()
        upright = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError) as error:  # Pillow's errors for truncated or damaged data
        raise ImageCheckError("The image file is damaged or truncated and could not be decoded. "
                              "Please export it again and re-upload.") from error
    return upright if upright is not None else image


def mask_from_image(mask) -> np.ndarray:
    """An uploaded mask image -> HxW bool, True = fill.

    A mask with transparency is read as a drawing layer (painted where alpha > 0); otherwise it is read as
    brightness (the brightest channel) and white (>= half of full scale) means fill, so JPEG noise in the
    black part is ignored.
    Accepts a PIL image in any mode or an array (HxW or HxWxC, uint8 or uint16).
    """
    if isinstance(mask, Image.Image):
        if mask.mode in ("RGBA", "LA", "PA") or "transparency" in mask.info:
            alpha = np.asarray(mask.convert("RGBA"))[..., 3]
            if alpha.min() < 255:
                return alpha > 0
        if mask.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
            array = np.asarray(mask, dtype=np.float64)
            return array >= (32768 if array.max() > 255 else 128)
        return np.asarray(mask.convert("RGB")).max(axis=2) >= 128
    array = np.asarray(mask)
    if array.ndim == 3:
        if array.shape[2] == 4 and array[..., 3].min() < array[..., 3].max():
            return array[..., 3] > 0
        array = array[..., :3].max(axis=2) if array.shape[2] >= 3 else array[..., 0]
    if array.dtype == bool:
        return array
    full_scale = 65535 if array.dtype == np.uint16 else 1.0 if array.dtype.kind == "f" else 255
    return array >= full_scale / 2


def fit_mask(mask: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A boolean mask rescaled to (height, width) with nearest neighbour; unchanged if it already fits."""
    mask = np.asarray(mask, dtype=bool)
    if mask.shape == tuple(shape):
        return mask
    resized = Image.fromarray(mask.astype(np.uint8) * 255).resize((shape[1], shape[0]), Image.Resampling.NEAREST)
    return np.asarray(resized) > 0
