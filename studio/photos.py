"""The photo behind an editor: the full-resolution original stays on the server, the browser edits a display copy.

Why not upload straight into gr.ImageEditor:
- a race. Gradio 6.31's editor clears its canvas when it finishes starting up and its value is still empty;
  a photo dropped into it during the first second after the page (or tab) appears is drawn, then wiped,
  and the user paints on a blank 256x256 canvas. A value the server gives the editor is drawn once the
  editor is ready, so it cannot be lost.
- speed. The editor pushes its background, layers and composite through the page at the photo's size:
  a 4000x3000 photo took minutes. Here it holds a copy at most DISPLAY_SIDE px on a side; the strokes are
  scaled up to the original, which is filled at full resolution and offered as a download file.

So a photo arrives through a plain upload box (handed over unprocessed, as the user's file), is kept
whole per browser session (gr.State), and the editor is given its display copy.
"""
import os
from dataclasses import dataclass

import gradio as gr
import numpy as np
from PIL import Image

from gan_core.core import image_modes
from gan_core.core import io_checks
from gan_core.photos.data import as_rgb_array
from studio.common import (EXAMPLES_DIR, MAX_PIXELS, NO_PHOTO, friendly_errors, is_blank, refusal, save_file,
                           save_image)
from studio.i18n import t

# The editor's copy, longest side in px: its canvas is drawn in software on CPU-only machines and every
# stroke and Fill export (background, layer and composite, read back pixel by pixel) costs in proportion.
# 1024 px keeps strokes precise when zoomed in; on an idle 2-core machine 768 px was no faster end to end.
DISPLAY_SIDE = int(os.environ.get("GAN_STUDIO_DISPLAY_SIDE", 1024))
BRUSH_COLOUR = ("#ff00c8", 0.6)         # see-through magenta: the photo stays visible under the strokes
KEPT_MODES = image_modes.OWN_MODES + image_modes.CONVERTED_MODES + tuple(image_modes.OPENED_AS)


@dataclass
class Original:
    """What the server keeps per browser session: the photo as uploaded, and the size the editor shows."""
    image: Image.Image                  # upright (EXIF rotation applied), decoded, in its own mode, with its info
    display_size: tuple[int, int]       # (width, height) of the copy in the editor
    display_path: str                   # that copy, also the "before" half of the preview

    @property
    def scale(self) -> float:
        """How many original pixels one displayed pixel stands for (1.0 for photos that fit)."""
        return self.image.size[0] / self.display_size[0]


def open_original(source) -> Image.Image:
    """An uploaded file or an example -> the upright, decoded photo in a mode gan_core gives back unchanged."""
    image = io_checks.open_image(source, MAX_PIXELS)
    if image.mode not in KEPT_MODES:  # rare modes ("La", "LAB" ...): kept as the colours a viewer shows
        image = image.convert("RGBA" if "A" in image.mode else "RGB")
    return image


def display_copy(image: Image.Image) -> np.ndarray:
    """The photo as a viewer shows it (8-bit RGB over white), shrunk to DISPLAY_SIDE on the long side."""
    rgb = Image.fromarray(as_rgb_array(image))
    scale = DISPLAY_SIDE / max(rgb.size)
    if scale < 1:
        size = (max(1, round(rgb.size[0] * scale)), max(1, round(rgb.size[1] * scale)))
        rgb = rgb.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return np.asarray(rgb)


def keep(image: Image.Image) -> Original:
    """Keep a photo for the session and write its display copy (lossless, fast to encode)."""
    shown = display_copy(image)
    path = save_image(shown, "display", compress_level=1)
    return Original(image, (shown.shape[1], shown.shape[0]), path)


def editor_value(original: Original, layer: str | None = None) -> dict:
    """The ImageEditor value showing a kept photo (and, for an example, its prepared mask as a layer)."""
    return {"background": original.display_path, "layers": [layer] if layer else [], "composite": None}


# ----------------------------------------------------------------------------------------------------
# Handlers


@friendly_errors
def load_upload(payload):
    """The upload box changed: keep the photo, show its copy in the editor. (editor value, Original)

    payload is the upload as Gradio received it (preprocess=False): a dict with the file's "path", so the
    file is read exactly as the user sent it, with its ICC profile and EXIF.
    """
    if not payload:
        return None, None
    path = payload.get("path") if isinstance(payload, dict) else getattr(payload, "path", None)
    try:
        original = keep(open_original(path))
    except io_checks.ImageCheckError as error:
        raise refusal("upload refused", str(error)) from None
    return editor_value(original), original


def example_layer(name: str) -> str:
    """examples/NAME_mask.png as a drawing layer in the brush's colour (written once, beside the results)."""
    painted = io_checks.mask_from_image(Image.open(EXAMPLES_DIR / f"{name}_mask.png"))
    layer = np.zeros(painted.shape + (4,), np.uint8)
    layer[painted] = (255, 0, 200, round(255 * BRUSH_COLOUR[1]))
    return save_image(layer, f"{name}-layer", compress_level=1)


def open_example(name: str, with_mask: bool = True):
    """An example clicked: keep examples/NAME.jpg and show it, with its prepared mask painted on."""
    original = keep(open_original(EXAMPLES_DIR / f"{name}.jpg"))
    return editor_value(original, example_layer(name) if with_mask else None), original


# ----------------------------------------------------------------------------------------------------
# Reading the editor back


def editor_background(editor: dict | None) -> np.ndarray:
    """The editor's background, or a gr.Error when there is no photo (nothing, or a blank canvas)."""
    background = (editor or {}).get("background")
    if background is None or is_blank(background):
        raise gr.Error(NO_PHOTO)
    return np.asarray(background)


def layers_alpha(layers, size: tuple[int, int]) -> tuple[np.ndarray | None, list[str]]:
    """The strokes of every drawing layer as one uint8 opacity map at `size` (width, height), and notes."""
    painted, notes = None, []
    for layer in layers or []:
        if layer is None:
            continue
        layer = np.asarray(layer)
        if layer.ndim == 3 and layer.shape[2] == 4:
            alpha = layer[..., 3]
        else:
            alpha = io_checks.mask_from_image(layer).astype(np.uint8) * 255
        if (alpha.shape[1], alpha.shape[0]) != tuple(size):
            alpha = np.asarray(Image.fromarray(alpha).resize(size, Image.Resampling.BILINEAR))
        painted = alpha if painted is None else np.maximum(painted, alpha)
    return painted, notes


def photo_and_strokes(editor: dict | None, original: Original | None):
    """(photo, strokes HxW bool at the photo's size or None, scale, notes) from the editor and the kept photo.

    photo is the kept original (PIL, own mode) when the editor still shows its copy; otherwise (scripts
    calling /fill with an editor value) the editor's own background. scale: original px per shown px.
    """
    background = editor_background(editor)
    shown = (background.shape[1], background.shape[0])
    if original is not None and original.display_size == shown:
        photo, size, scale = original.image, original.image.size, original.scale
    else:
        photo, size, scale = as_rgb_array(background), shown, 1.0
    alpha, notes = layers_alpha(editor.get("layers"), size)
    return photo, None if alpha is None else alpha > 0, scale, notes


def read_shown_photo(editor: dict | None) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """(photo as shown HxWx3 uint8, strokes HxW bool or None, notes): what Evaluate works on."""
    background = editor_background(editor)
    photo = as_rgb_array(background)
    alpha, notes = layers_alpha(editor.get("layers"), (photo.shape[1], photo.shape[0]))
    return photo, None if alpha is None else alpha > 0, notes


# ----------------------------------------------------------------------------------------------------
# The download


PNG_MODES = ("1", "L", "LA", "P", "RGB", "RGBA", "I;16", "I;16L", "I;16B", "I;16N")
TIFF_MODES = ("I", "F", "CMYK", "YCbCr")          # lossless in TIFF, not representable in PNG
ORIENTATION = 0x0112                              # the EXIF tag open_image already applied


def describe_mode(image) -> str:
    """'RGBA, 8 bits', 'I;16, 16 bits' ... for the status line."""
    if not isinstance(image, Image.Image):
        array = np.asarray(image)
        return f"{array.shape[2] if array.ndim == 3 else 1} channels, {array.dtype}"
    bits = {"1": 1, "I;16": 16, "I;16L": 16, "I;16B": 16, "I;16N": 16, "I": 32, "F": 32}.get(image.mode, 8)
    return f"{image.mode}, {bits} bits"


def save_photo(image, stem: str) -> str:
    """Write a result in its own mode and depth, with the photo's ICC profile and EXIF (minus orientation).

    PNG where PNG can hold the mode, TIFF for 32-bit, float and CMYK photos; a new file each time.
    """
    if not isinstance(image, Image.Image):
        image = Image.fromarray(np.asarray(image))
    options = {}
    if image.info.get("icc_profile"):
        options["icc_profile"] = image.info["icc_profile"]
    exif = image.getexif()
    if len(exif):
        exif.pop(ORIENTATION, None)
        options["exif"] = exif.tobytes()
    if image.mode in TIFF_MODES:
        return save_file(image, stem, ".tiff", format="TIFF", compression="tiff_deflate", **options)
    if image.mode not in PNG_MODES:  # HSV: the colours a viewer shows
        image = image.convert("RGB")
    return save_file(image, stem, ".png", format="PNG", compress_level=1, **options)


# ----------------------------------------------------------------------------------------------------
# Components


@dataclass
class PhotoInput:
    upload: gr.Image
    editor: gr.ImageEditor
    original: gr.State


def photo_input(label: str, elem_id: str) -> PhotoInput:
    """An upload box, the editor it feeds, and the session's full-resolution original (see the module doc).

    The editor's elem_id is `elem_id`; the upload box's is `elem_id` + "-upload".
    """
    upload = gr.Image(label=t("upload"),
                      elem_id=f"{elem_id}-upload", type="filepath", sources=("upload", "clipboard"),
                      height=140, buttons=[])
    # format="webp": the editor exports its layers ~3x faster than as PNG; its background is only a view
    # (the kept original is what is filled) and a stroke's alpha survives (tests/test_browser.py).
    editor = gr.ImageEditor(
        label=label, elem_id=elem_id, type="numpy", image_mode="RGBA", format="webp", sources=(),
        brush=gr.Brush(colors=[BRUSH_COLOUR], color_mode="fixed", default_size="auto"),
        eraser=gr.Eraser(default_size="auto"), layers=False, transforms=(), height=560, canvas_size=(256, 256))
    original = gr.State(None, time_to_live=3600)  # a session's photo is let go an hour after its last use
    upload.upload(load_upload, upload, [editor, original], preprocess=False, api_visibility="private")
    upload.clear(lambda: (None, None), None, [editor, original], api_visibility="private", queue=False)
    return PhotoInput(upload, editor, original)
