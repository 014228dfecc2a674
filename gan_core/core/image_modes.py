"""Photos in any mode <-> the 8-bit RGB the models see, and back, losing nothing outside the fill.

The generators work on HxWx3 uint8. Photos arrive as greyscale, with transparency, at 16 bits, as floats,
as a palette, in CMYK. `split` gives the 8-bit colour (and 8-bit alpha) the models see and keeps the
photo's own numbers; the callers write model output back only where they change the photo, through
`colour_to_own` and `alpha_to_own`, and `join` gives the result back in the photo's own form. So every value
outside the fill is the one that came in, in every channel and at full depth.

What comes back for what goes in:
- PIL "1", "L", "LA", "RGB", "RGBA", "I;16" (also "I;16L", "I;16B", "I;16N"), "I", "F", "CMYK", "YCbCr",
  "HSV": the same mode. Greyscale is seen by the models as grey RGB; what they return is turned back into
  grey by its luma. 16-bit and float values are seen at 8 bits and the fill is scaled back to full scale
  (x257 for 16 bits), so filled values move in steps of 257. CMYK, YCbCr and HSV are seen through Pillow's
  conversion to RGB and the fill goes back through Pillow's conversion from RGB (for CMYK: no black ink,
  no ICC profile: a colour-managed viewer may show the fill a little off).
- PIL "P" comes back as "RGB", or "RGBA" when the palette has transparency; "PA" as "RGBA" (rebuilding a
  palette would change colours that were not filled).
- Other PIL modes ("La", "RGBa", "LAB", ...) are refused with a ValueError that says how to convert.
- An array (HxW, HxWx1 grey, HxWx2 grey + alpha, HxWx3, HxWx4 colour + alpha; uint8, uint16, other
  integers, float, bool) comes back as an array of the same shape and dtype.
Pillow's metadata (`info`: ICC profile, EXIF, dpi) is carried over to a returned PIL image.
"""
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

OWN_MODES = ("1", "L", "LA", "RGB", "RGBA", "I;16", "I;16L", "I;16B", "I;16N", "I", "F")
CONVERTED_MODES = ("CMYK", "YCbCr", "HSV")  # colour spaces Pillow converts to and from RGB
OPENED_AS = {"P": None, "PA": "RGBA"}       # palettes are expanded (None: RGBA if transparent, else RGB)


@dataclass
class Planes:
    """A photo split into what the models see and what it is made of."""
    values: np.ndarray         # HxWxC: the photo's own numbers in its own dtype (C = 1 grey, 2 grey + alpha, 3, 4)
    colour: np.ndarray         # HxWx3 uint8: the colour as the models see it (grey repeated, deep values cut to 8 bits)
    alpha: np.ndarray | None   # HxW uint8: opacity at 8 bits; None for a photo without transparency
    peak: float                # full scale in `values`: 255, 65535, 1.0 ...
    space: str                 # "grey", "rgb", or a Pillow mode whose colour converts through RGB ("CMYK" ...)
    mode: str | None           # the Pillow mode to give back; None gives back an array
    shape: tuple = ()          # the input array's shape, to give an array back as it came
    info: dict = field(default_factory=dict)  # Pillow metadata carried over to the result

    @property
    def colour_channels(self) -> int:
        return self.values.shape[2] - (self.alpha is not None)


def full_scale(values: np.ndarray) -> float:
    """What white is for these numbers: 255 for bytes, 65535 for 16 bits, 1 for bool and for floats up to 1."""
    if values.dtype == bool:
        return 1.0
    if values.dtype == np.uint8:
        return 255.0
    if values.dtype.kind == "f":
        return 1.0 if values.size == 0 or np.nanmax(values) <= 1.0 else 255.0
    if values.dtype.itemsize == 2 and values.dtype.kind == "u":
        return 65535.0
    return 65535.0 if values.size and values.max() > 255 else 255.0  # "I" and other integers, as data.to_rgb


def to_8bit(values: np.ndarray, peak: float) -> np.ndarray:
    if values.dtype == np.uint8:
        return values
    if values.dtype == bool:
        return values.astype(np.uint8) * 255
    scaled = values.astype(np.float32) * np.float32(255.0 / peak) + np.float32(0.5)
    return np.clip(np.nan_to_num(scaled), 0, 255).astype(np.uint8)


def from_8bit(values8: np.ndarray, peak: float, dtype: np.dtype) -> np.ndarray:
    """8-bit model output -> the photo's dtype at its full scale (x257 for 16 bits, /255 for floats)."""
    if dtype == np.uint8:
        return values8
    if dtype == bool:
        return values8 >= 128
    scaled = values8.astype(np.float64) * (peak / 255.0)
    return (scaled if np.dtype(dtype).kind == "f" else scaled.round()).astype(dtype)


def split(image) -> Planes:
    """A PIL image (any mode in the module docstring) or an array -> Planes; refuses what it cannot give back."""
    if isinstance(image, Image.Image):
        return split_pil(image)
    values = np.asarray(image)
    if values.ndim not in (2, 3) or (values.ndim == 3 and values.shape[2] not in (1, 2, 3, 4)):
        raise ValueError(f"image must be HxW or HxWx1/2/3/4, not shape {values.shape}")
    if values.size == 0:
        raise ValueError("image is empty")
    if values.dtype.kind not in "uifb":
        raise ValueError(f"image values must be numbers, not {values.dtype}")
    shape = values.shape
    values = values.reshape(shape[0], shape[1], -1)
    space = "grey" if values.shape[2] <= 2 else "rgb"
    return make_planes(values, space, None, shape)


def split_pil(image: Image.Image) -> Planes:
    info = dict(image.info)
    if image.mode in OPENED_AS:
        has_transparency = image.mode == "PA" or "transparency" in image.info
        image = image.convert("RGBA" if has_transparency else "RGB")
        info.pop("transparency", None)  # a palette index, meaningless once the palette is expanded
    if image.mode in CONVERTED_MODES:
        values = np.asarray(image)
        return make_planes(values, image.mode, image.mode, values.shape, info, np.asarray(image.convert("RGB")))
    if image.mode not in OWN_MODES:
        raise ValueError(f"Images in Pillow mode {image.mode!r} are not supported; convert the photo first, "
                         "for example image.convert('RGBA') or image.convert('RGB').")
    values = np.asarray(image)
    if values.dtype.byteorder == ">":  # "I;16B": native order for arithmetic, big-endian again in join
        values = values.astype(values.dtype.newbyteorder("="))
    space = "grey" if image.mode not in ("RGB", "RGBA") else "rgb"
    return make_planes(values.reshape(values.shape[0], values.shape[1], -1), space, image.mode, values.shape, info)


def make_planes(values: np.ndarray, space: str, mode: str | None, shape: tuple, info: dict | None = None,
                colour: np.ndarray | None = None) -> Planes:
    """values: HxWxC in the photo's own dtype; colour: the RGB view where Pillow made it (CMYK ...)."""
    peak = full_scale(values)
    has_alpha = values.shape[2] in (2, 4) and space in ("grey", "rgb")
    if colour is None:
        colour = to_8bit(values[..., :-1] if has_alpha else values, peak)
        if colour.shape[2] == 1:
            colour = np.repeat(colour, 3, axis=2)
    alpha = to_8bit(values[..., -1], peak) if has_alpha else None
    return Planes(values, np.ascontiguousarray(colour), alpha, peak, space, mode, shape, info or {})


def colour_to_own(planes: Planes, colour8: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 model output -> (..., colour channels) in the photo's own dtype and space."""
    lead = colour8.shape[:-1]
    pixels = np.ascontiguousarray(colour8.reshape(-1, 1, 3), dtype=np.uint8)  # N x 1 x 3, an image for OpenCV
    if planes.space == "grey":  # luma, ITU-R 601 (Pillow's "L" conversion)
        own = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY).reshape(-1, 1)
    elif planes.space == "rgb":
        own = pixels.reshape(-1, 3)
    else:
        own = np.asarray(Image.fromarray(pixels).convert(planes.space)).reshape(len(pixels), -1)
    return from_8bit(own, planes.peak, planes.values.dtype).reshape(*lead, -1)


def alpha_to_own(planes: Planes, alpha8: np.ndarray) -> np.ndarray:
    """uint8 opacity -> the photo's own dtype (for arrays, 16-bit alpha exists)."""
    return from_8bit(alpha8, planes.peak, planes.values.dtype)


def join(planes: Planes, values: np.ndarray):
    """HxWxC values (maybe a new size) -> the photo's own form: a PIL image in `planes.mode`, or an array."""
    if planes.mode is None:
        if len(planes.shape) == 2:
            return values[..., 0]
        return values
    values = values[..., 0] if values.shape[2] == 1 else values
    if planes.mode == "I;16B":
        values = values.astype(">u2")
    image = Image.fromarray(np.ascontiguousarray(values))
    if image.mode != planes.mode:  # same bytes, another name: "I;16L" for "I;16", "CMYK" for "RGBA"
        image = Image.frombytes(planes.mode, image.size, np.ascontiguousarray(values).tobytes())
    image.info.update(planes.info)
    return image


def over_white(colour: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """HxWx3 uint8 composited over white, as a viewer shows a transparent photo."""
    if alpha is None:
        return colour
    opacity = alpha[..., None].astype(np.float32) / 255.0
    return (colour * opacity + 255.0 * (1.0 - opacity) + 0.5).astype(np.uint8)


def bleed_under_transparency(colour: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Give each fully transparent pixel the colour of the nearest visible one.

    The colour under alpha 0 is arbitrary (often white or black) and must not leak into a fill: the
    generator then sees, around the hole, only colours that are really in the photo.
    """
    hidden = alpha == 0
    if not hidden.any() or hidden.all():
        return colour
    # DIST_LABEL_PIXEL numbers the zero pixels of the input (the visible ones here) in row-major order, from 1
    _, nearest = cv2.distanceTransformWithLabels(hidden.astype(np.uint8), cv2.DIST_L2, 3,
                                                 labelType=cv2.DIST_LABEL_PIXEL)
    bled = colour.copy()
    bled[hidden] = colour[~hidden][nearest[hidden] - 1]
    return bled
