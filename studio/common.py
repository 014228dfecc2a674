"""What every tab shares: reading uploads safely, turning failures into messages, warnings, and result files.

Results go back to the browser as files we write ourselves, one new file per result (save_image): Gradio 6.31
writes returned PIL images and arrays to a content-addressed cache path without an atomic rename, and
identical concurrent requests then read each other's half-written files. Ours are written inside Gradio's
cache folder, so Gradio serves them without a copy: each result is written once. They are deleted after an
hour, and the whole cache is capped (CACHE_CAP_BYTES, oldest files first).
"""
import contextlib
import functools
import inspect
import logging
import os
import tempfile
import threading
import time
from pathlib import Path

import gradio as gr
import numpy as np
from gradio.context import Context
from PIL import Image

from gan_core.core import io_checks
from gan_core.photos.data import as_rgb_array

try:  # On ZeroGPU Spaces, GPU work must run inside functions decorated with spaces.GPU.
    import spaces
    gpu = spaces.GPU
except ImportError:  # Elsewhere the decorator is not needed; the engine picks CUDA when there is one.
    def gpu(function):
        return function

log = logging.getLogger("gan_studio")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = ROOT / "examples"
EXAMPLES = ("ladybird", "dandelions", "room")              # examples/NAME.jpg + examples/NAME_mask.png
GRADIO_CACHE = Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio")
OUTPUT_DIR = GRADIO_CACHE / "gan-studio"  # one fresh file per result, inside Gradio's cache: served, not copied
OUTPUT_MAX_AGE_S = 3600                 # a result stays downloadable for an hour (it is served from here)
PRUNE_EVERY_S = 60                      # the playground writes a picture 5 times a second: look once a minute
CACHE_CAP_BYTES = int(float(os.environ.get("GAN_STUDIO_CACHE_MB", 1024)) * 2**20)  # all temporary files

MAX_FILE_SIZE = "150mb"                 # Gradio refuses larger uploads before our code runs; the editor sends
                                        # the photo re-encoded as RGBA PNG, ~2-3 bytes a pixel: 40 MP fits
NO_PHOTO = "Please upload a photo first (or click one of the examples)."
MAX_PIXELS = io_checks.MAX_PIXELS       # 40 MP; Pillow itself refuses twice that while decoding
Image.MAX_IMAGE_PIXELS = MAX_PIXELS     # so a decompression bomb never reaches numpy


# ----------------------------------------------------------------------------------------------------
# Failures and warnings


def friendly_errors(handler):
    """Turn every failure inside a handler into a message for the user (gr.Error), never a stack trace.

    ValueError and FileNotFoundError from gan_core and io_checks already say what is wrong; anything else is
    logged here with its traceback and reported to the user in one sentence. A generator handler (a live
    view) stays a generator, so Gradio still streams what it yields.
    """
    if inspect.isgeneratorfunction(handler):
        @functools.wraps(handler)
        def streaming(*args, **kwargs):
            with errors_as_messages(handler.__name__):
                yield from handler(*args, **kwargs)
        return streaming

    @functools.wraps(handler)
    def wrapper(*args, **kwargs):
        with errors_as_messages(handler.__name__):
            return handler(*args, **kwargs)
    return wrapper


@contextlib.contextmanager
def errors_as_messages(name: str):
    """The failures of the handler called `name` as gr.Error messages (see friendly_errors)."""
    try:
        yield
    except gr.Error as error:
        log.info("%s refused: %s", name, error)
        error.print_exception = False  # a refused request is the user's to fix: one log line, no traceback
        raise
    except (ValueError, FileNotFoundError) as error:
        raise refusal(f"{name} refused", str(error)) from None
    except MemoryError:
        raise refusal(f"{name} ran out of memory",
                      "The server ran out of memory on this photo; please try a smaller one.") from None
    except Exception as error:
        log.exception("%s failed", name)
        raise gr.Error(f"Something went wrong ({type(error).__name__}); please try again, "
                       "and tell us if it keeps happening.") from error


def refusal(what: str, message: str) -> gr.Error:
    """A message for the user that the server log records in one line, without a traceback."""
    log.info("%s: %s", what, message)
    return gr.Error(message, print_exception=False)


def warn(notes: list[str]) -> None:
    """Show each note as a yellow toast in the browser (and as a Python warning outside Gradio)."""
    for note in notes:
        gr.Warning(note)


def with_notes(status: str, notes: list[str]) -> str:
    """A status paragraph (if any) followed by one warning paragraph per note."""
    return "\n\n".join(([status] if status else []) + [f"⚠️ {note}" for note in notes])


def on_page_load(fn, inputs=None, outputs=None, **options):
    """demo.load(...) on the gr.Blocks being built, so that a tab's build() needs no handle on it."""
    if Context.root_block is None:
        raise RuntimeError("on_page_load must be called inside a `with gr.Blocks()` block")
    return Context.root_block.load(fn, inputs, outputs, **options)


def enable() -> dict:
    """Make a button clickable (a download button, once there is a result)."""
    return gr.update(interactive=True)


def show() -> dict:
    """Make a component visible (a gallery that stays hidden until its button is first pressed)."""
    return gr.update(visible=True)


# ----------------------------------------------------------------------------------------------------
# Uploads


def guard_uploads(component):
    """Give an image component clear messages for files that are not images, damaged, or too large.

    Gradio opens and decodes uploads before our handler runs, so a text file, a truncated file or a
    decompression bomb would otherwise fail inside Gradio with a bare "Error". Each uploaded file's header is
    checked first (cheap: no pixel is decoded), then Pillow's errors while Gradio decodes become messages.
    """
    decode = component.preprocess

    def preprocess(payload):
        try:
            for path in uploaded_paths(payload):
                io_checks.check_file(path, MAX_PIXELS)
            return decode(payload)
        except io_checks.ImageCheckError as error:
            raise refusal("upload refused", str(error)) from None
        except Image.DecompressionBombError:
            raise refusal("upload refused", f"The image has too many pixels: the limit is "
                          f"{io_checks.megapixels(MAX_PIXELS)}. Please downscale it and try again.") from None
        except (OSError, ValueError, SyntaxError):  # includes PIL.UnidentifiedImageError
            raise refusal("upload refused", "This file is not an image we can read, or it is damaged. Please "
                          "upload a PNG, JPEG, WebP, BMP, TIFF or GIF file.") from None

    component.preprocess = preprocess
    return component


def uploaded_paths(payload) -> list[str]:
    """The files in a component's payload: an image's, or the editor's background, composite and layers."""
    if payload is None:
        return []
    parts = [payload, getattr(payload, "background", None), getattr(payload, "composite", None)]
    parts += list(getattr(payload, "layers", None) or [])
    return [part.path for part in parts if isinstance(getattr(part, "path", None), str)]


def read_photo(image) -> np.ndarray:
    """An uploaded photo (PIL image in any mode, or array) -> HxWx3 uint8, as the user sees it.

    Greyscale, palette, 16-bit, CMYK and transparent images are converted; EXIF rotation is applied.
    """
    if image is None:
        raise gr.Error("Please upload a photo first.")
    if isinstance(image, Image.Image):
        image = io_checks.open_image(image, MAX_PIXELS)
    else:
        io_checks.check_pixels(image.shape[1], image.shape[0], MAX_PIXELS)
    return as_rgb_array(image)


def painted_mask(layers, shape: tuple[int, int] | None = None) -> tuple[np.ndarray | None, list[str]]:
    """Where any drawing layer of an editor has alpha > 0 (HxW bool, None if nothing is painted), and notes.

    With `shape`, a layer of another size (it happened in past Gradio releases) is rescaled to it, with a note.
    """
    painted, notes = None, []
    for layer in layers or []:
        if layer is None:
            continue
        layer = np.asarray(layer)
        stroke = layer[..., 3] > 0 if layer.ndim == 3 and layer.shape[2] == 4 else io_checks.mask_from_image(layer)
        if shape is not None and stroke.shape != tuple(shape):
            notes.append(f"The drawing arrived at {stroke.shape[1]}x{stroke.shape[0]} px and was rescaled to the "
                         f"photo's {shape[1]}x{shape[0]} px.")
            stroke = io_checks.fit_mask(stroke, shape)
        painted = stroke if painted is None else painted | stroke
    return painted, notes


def is_blank(background) -> bool:
    """True for an editor's empty canvas: one flat colour that is fully transparent or pure white.

    An editor that lost its photo still sends a background (its bare canvas); filling it would "succeed"
    on nothing.
    """
    array = np.asarray(background)
    if array.ndim == 3 and array.shape[2] == 4 and not array[..., 3].any():
        return True
    flat = array.reshape(-1, *array.shape[2:])
    return bool(array.size) and bool((flat == flat[0]).all()) and bool((flat[0][..., :3] == 255).all())


def read_editor(value: dict | None) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """The ImageEditor's value -> (photo HxWx3 uint8, painted mask HxW bool or None, notes for the user).

    The photo is the untouched background; the mask is where any drawing layer has alpha > 0. No photo,
    or the editor's bare canvas, is refused with a message.
    """
    if not value or value.get("background") is None or is_blank(value["background"]):
        raise gr.Error(NO_PHOTO)
    photo = read_photo(value["background"])
    painted, notes = painted_mask(value.get("layers"), photo.shape[:2])
    return photo, painted, notes


def read_mask(mask, shape: tuple[int, int]) -> tuple[np.ndarray, list[str]]:
    """An uploaded mask image (white = fill) -> HxW bool at the photo's size, plus notes for the user."""
    if isinstance(mask, Image.Image):
        mask = io_checks.open_image(mask, MAX_PIXELS)
    filled = io_checks.mask_from_image(mask)
    notes = []
    if filled.shape != tuple(shape):
        notes.append(f"The mask is {filled.shape[1]}x{filled.shape[0]} px but the photo is {shape[1]}x{shape[0]} "
                     "px; the mask was stretched to fit the photo. Check the result lines up.")
        filled = io_checks.fit_mask(filled, shape)
    return filled, notes


# ----------------------------------------------------------------------------------------------------
# Result files


def save_image(image: np.ndarray, stem: str, compress_level: int = 3, webp: bool = False) -> str:
    """Write an RGB(A) array to a new, uniquely named lossless file in OUTPUT_DIR and return its path.

    PNG by default; compress_level trades file size for time (1 for pictures only shown on the page).
    webp=True: lossless WebP, half the bytes of a PNG in ~20 ms, for the playground's live view.
    """
    if webp:
        return save_file(Image.fromarray(image), stem, ".webp", format="WEBP", lossless=True, method=0)
    return save_file(Image.fromarray(image), stem, ".png", format="PNG", compress_level=compress_level)


def save_file(image: Image.Image, stem: str, suffix: str, **options) -> str:
    """Write a PIL image to a new file in OUTPUT_DIR (Image.save options) and return its path."""
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    prune_outputs_now_and_then(room=image.width * image.height * len(image.getbands()) * 2)  # >= the file
    handle, path = tempfile.mkstemp(prefix=f"{stem}-", suffix=suffix, dir=OUTPUT_DIR)
    with open(handle, "wb") as out:
        image.save(out, **options)
    return path


def prune_outputs(now: float | None = None) -> None:
    """Delete our result files older than OUTPUT_MAX_AGE_S, then cap the whole cache (cap_cache)."""
    now = now or time.time()
    for path in OUTPUT_DIR.glob("*.*"):
        try:
            if path.is_file() and now - path.stat().st_mtime > OUTPUT_MAX_AGE_S:
                path.unlink()
        except OSError:  # another request pruned it first
            pass
    cap_cache()


def cache_files() -> list[tuple[float, int, str]]:
    """(mtime, bytes, path) of every file in Gradio's cache (uploads, its copies, our results), oldest first."""
    files = []
    for folder, _, names in os.walk(GRADIO_CACHE):
        for name in names:
            path = os.path.join(folder, name)
            try:
                stat = os.stat(path)
            except OSError:
                continue
            files.append((stat.st_mtime, stat.st_size, path))
    return sorted(files)


def cap_cache(cap: int | None = None) -> int:
    """Delete the oldest files in Gradio's cache until it holds at most `cap` bytes; returns what it holds.

    Anonymous requests on a public server could otherwise fill the disk: one 6 MB photo enlarged 2x writes
    ~100 MB. A deleted upload or result only breaks a link on a page left open for long; the photo being
    edited is kept in memory.
    """
    cap = CACHE_CAP_BYTES if cap is None else cap
    files = cache_files()
    total = sum(size for _, size, _ in files)
    for _, size, path in files:
        if total <= cap:
            break
        try:
            os.unlink(path)
            total -= size
        except OSError:
            pass
    return total


_last_prune = [0.0]


def prune_outputs_now_and_then(room: int = 0) -> None:
    """prune_outputs at most once every PRUNE_EVERY_S seconds; at every new file, make `room` bytes under the cap."""
    now = time.time()
    if now - _last_prune[0] >= PRUNE_EVERY_S:
        _last_prune[0] = now
        prune_outputs(now)
    cap_cache(max(0, CACHE_CAP_BYTES - room))


def prune_on_a_schedule() -> threading.Thread:
    """Prune every PRUNE_EVERY_S seconds in a background thread, also while nobody sends requests."""
    def loop():
        while True:
            time.sleep(PRUNE_EVERY_S)
            try:
                prune_outputs()
            except Exception:  # never let a cleanup failure end the thread
                log.exception("pruning the cache failed")
    thread = threading.Thread(target=loop, name="prune-outputs", daemon=True)
    thread.start()
    return thread


def enlarge(image: np.ndarray, scale: int) -> np.ndarray:
    """Nearest-neighbour enlargement, so every pixel can be seen (or a smaller side matches a larger one)."""
    return np.repeat(np.repeat(image, scale, axis=0), scale, axis=1)
