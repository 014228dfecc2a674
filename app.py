"""GAN Restoration Studio: repair a photo with a GAN, compare it with classical methods, and see how it judges.

Run `python app.py` and open http://127.0.0.1:7860 (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT change where it
listens; on Hugging Face Spaces the same file is the app). This file only wires Gradio components to
`gan_core`: every model, metric and mask lives there. Read it top to bottom:

1. settings;  2. reading what the user sent (photo, painted or uploaded mask);  3. running a method;
4. writing results (PNG files, the critic's heatmap, model facts);  5. the handlers behind each button;
6. the tabs (Inpaint, Evaluate; then Learn and Restore, each in a section of its own);  7. build_demo()
and launch.

Results go back to the browser as PNG files we write ourselves, one new file per result: Gradio 6.31 writes
returned PIL images and arrays to a content-addressed cache path without an atomic rename, and identical
concurrent requests then read each other's half-written files (see shared/notes/gradio-6.md).
"""
import functools
import json
import logging
import os
import queue
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
import numpy as np
import pandas as pd
import torch
from PIL import Image

from gan_core import classical, dcgan, inference, io_checks, masks, metrics, toy
from gan_core import data as data_lib
from gan_core import weights as weights_lib
from gan_core.latent_search import hole_l1, square_holes
from gan_core.latent_search import LatentSearchConfig, latent_inpaint, mean_image_fill

try:  # On ZeroGPU Spaces, GPU work must run inside functions decorated with spaces.GPU.
    import spaces
    gpu = spaces.GPU
except ImportError:  # Elsewhere the decorator is not needed; the engine picks CUDA when there is one.
    def gpu(function):
        return function

log = logging.getLogger("gan_studio")

# ----------------------------------------------------------------------------------------------------
# 1. Settings

HERE = Path(__file__).resolve().parent
EXAMPLES_DIR = HERE / "examples"
EXAMPLES = ("ladybird", "dandelions", "room")              # examples/NAME.jpg + examples/NAME_mask.png
OUTPUT_DIR = Path(tempfile.gettempdir()) / "gan-studio"    # one fresh PNG per result, pruned after an hour
OUTPUT_MAX_AGE_S = 3600

MAX_FILE_SIZE = "150mb"                 # Gradio refuses larger uploads before our code runs; the editor sends
                                        # the photo re-encoded as RGBA PNG, ~2-3 bytes a pixel: 40 MP fits
MAX_PIXELS = io_checks.MAX_PIXELS       # 40 MP; Pillow itself refuses twice that while decoding
Image.MAX_IMAGE_PIXELS = MAX_PIXELS     # so a decompression bomb never reaches numpy
MIN_GAN_SIDE = 32                       # the GAN's convolutions need this much image on each side
EVALUATE_MAX_SIDE = 1024                # Evaluate works on a copy this size, so the numbers come quickly
DEFAULT_GROW = 4                        # pixels: covers the soft edge of brush strokes (see anchors.md)
MAX_GROW = 64                           # the API takes any number; more than this is a typo

GAN, TELEA, NAVIER_STOKES = "GAN", "Telea", "Navier-Stokes"
METHODS = (GAN, TELEA, NAVIER_STOKES)
CLASSICAL = {TELEA: classical.telea, NAVIER_STOKES: classical.navier_stokes}
RANDOM_MASKS = {"Random small mask (2-10%)": "small", "Random medium mask (10-30%)": "medium",
                "Random large mask (30-50%)": "large"}
MY_DRAWING = "The mask I draw"

BRUSH_COLOUR = ("#ff00c8", 0.6)         # see-through magenta: the photo stays visible under the strokes
CRITIC_EXPLANATION = (
    "**What the critic sees.** The GAN was trained against a critic (a PatchGAN discriminator) that scores every "
    "patch of a photo for how real it looks; here its verdict on your result is painted over it, inside the "
    "region the GAN worked on: **red = looks fake**, green = looks real.")


# ----------------------------------------------------------------------------------------------------
# 2. Reading what the user sent


def friendly_errors(handler):
    """Turn every failure inside a handler into a message for the user (gr.Error), never a stack trace.

    ValueError and FileNotFoundError from gan_core and io_checks already say what is wrong; anything else is
    logged here with its traceback and reported to the user in one sentence.
    """
    @functools.wraps(handler)
    def wrapper(*args, **kwargs):
        try:
            return handler(*args, **kwargs)
        except gr.Error:
            raise
        except (ValueError, FileNotFoundError) as error:
            raise gr.Error(str(error)) from error
        except MemoryError as error:
            raise gr.Error("The server ran out of memory on this photo; please try a smaller one.") from error
        except Exception as error:
            log.exception("%s failed", handler.__name__)
            raise gr.Error(f"Something went wrong ({type(error).__name__}); please try again, "
                           "and tell us if it keeps happening.") from error
    return wrapper


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
            raise gr.Error(str(error)) from error
        except Image.DecompressionBombError as error:
            raise gr.Error(f"The image has too many pixels: the limit is {io_checks.megapixels(MAX_PIXELS)}. "
                           "Please downscale it and try again.") from error
        except (OSError, ValueError, SyntaxError) as error:  # includes PIL.UnidentifiedImageError
            raise gr.Error("This file is not an image we can read, or it is damaged. Please upload a PNG, "
                           "JPEG, WebP, BMP, TIFF or GIF file.") from error

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
    return inference.as_rgb_array(image)


def read_editor(value: dict | None) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """The ImageEditor's value -> (photo HxWx3 uint8, painted mask HxW bool or None, notes for the user).

    The photo is the untouched background; the mask is where any drawing layer has alpha > 0. Layers that
    arrive at another size than the background (it happened in past Gradio releases) are rescaled to it.
    """
    if not value or value.get("background") is None:
        raise gr.Error("Please upload a photo first (or click one of the examples).")
    photo = read_photo(value["background"])
    painted, notes = None, []
    for layer in value.get("layers") or []:
        if layer is None:
            continue
        layer = np.asarray(layer)
        stroke = layer[..., 3] > 0 if layer.ndim == 3 and layer.shape[2] == 4 else io_checks.mask_from_image(layer)
        if stroke.shape != photo.shape[:2]:
            notes.append(f"The drawing arrived at {stroke.shape[1]}x{stroke.shape[0]} px and was rescaled to the "
                         f"photo's {photo.shape[1]}x{photo.shape[0]} px.")
            stroke = io_checks.fit_mask(stroke, photo.shape[:2])
        painted = stroke if painted is None else painted | stroke
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


def read_photo_and_mask(editor: dict | None, uploaded_mask) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(photo, what to fill HxW bool, notes): the painted strokes and the uploaded mask together."""
    photo, painted, notes = read_editor(editor)
    mask = np.zeros(photo.shape[:2], bool) if painted is None else painted
    if uploaded_mask is not None:
        uploaded, more = read_mask(uploaded_mask, photo.shape[:2])
        mask, notes = mask | uploaded, notes + more
    return photo, mask, notes


def prepare_hole(mask: np.ndarray, grow: int) -> tuple[np.ndarray, list[str]]:
    """Grow the mask by `grow` pixels (gan_core.masks.clean_user_mask) and warn about very large holes."""
    hole = masks.clean_user_mask(mask, int(np.clip(grow or 0, 0, MAX_GROW))) > 0
    notes = []
    coverage = float(hole.mean())
    if coverage >= 0.999:
        notes.append("The mask covers the whole photo, so there is nothing left to fill from: expect a guess, "
                     "not a repair.")
    elif coverage > 0.5:
        notes.append(f"The mask covers {coverage:.0%} of the photo. The models learned on holes up to half an "
                     "image, so expect a blurry fill; smaller masks work much better.")
    return hole, notes


def warn(notes: list[str]) -> None:
    """Show each note as a yellow toast in the browser (and as a Python warning outside Gradio)."""
    for note in notes:
        gr.Warning(note)


# ----------------------------------------------------------------------------------------------------
# 3. Running a method


@dataclass
class Fill:
    method: str
    image: np.ndarray                   # HxWx3 uint8, the full-size result
    seconds: float
    critic: np.ndarray | None = None    # HxW in [0, 1] "looks real", NaN outside the processed crop
    detail: str = ""                    # one line on what was done, for the status text


def available_models() -> list[str]:
    """Names of every inpainting model in weights/ that has a model card."""
    return [path.stem for path in weights_lib.list_weights("inpaint")]


def default_model() -> str:
    """GAN_STUDIO_MODEL if set (the tests use the tiny model), else gan_core's default inpainter."""
    return os.environ.get("GAN_STUDIO_MODEL") or inference.resolve_weights(None, "inpaint").stem


def check_model(name: str | None) -> str:
    """The model to use: `name` if it is an inpainting model in weights/, the default if empty, else gr.Error.

    Only names from weights/ are accepted, never paths, whatever an API caller sends.
    """
    names = available_models()
    if not names:
        raise gr.Error("No GAN model is installed yet; Telea and Navier-Stokes still work.")
    name = name or default_model()
    if name not in names:
        raise gr.Error(f"Unknown model {name!r}; choose one of: {', '.join(names)}.")
    return name


@gpu
def run_gan(photo: np.ndarray, hole: np.ndarray, model: str, with_critic: bool) -> inference.InpaintResult:
    """The GAN fill, in its own function so that ZeroGPU can give it a GPU for the call."""
    return inference.inpaint_detailed(photo, hole, weights=model, with_critic=with_critic)


def run_method(method: str, photo: np.ndarray, hole: np.ndarray, model: str | None = None,
               with_critic: bool = False) -> Fill:
    """Fill `hole` (HxW bool, already grown) in `photo` with one method; unmasked pixels stay as they were."""
    if method == GAN:
        if min(photo.shape[:2]) < MIN_GAN_SIDE:
            raise gr.Error(f"This photo is {photo.shape[1]}x{photo.shape[0]} px; the GAN needs at least "
                           f"{MIN_GAN_SIDE} px on each side. Telea and Navier-Stokes work at any size.")
        model = check_model(model)
        result = run_gan(photo, hole, model, with_critic)
        top, left, bottom, right = result.box
        detail = (f"GAN `{model}` worked on a {right - left}x{bottom - top} px crop around the mask"
                  + (f", scaled to {result.working_size[1]}x{result.working_size[0]}"
                     if result.working_size != (bottom - top, right - left) else ""))
        return Fill(method, result.image, result.seconds, result.critic, detail)
    if method not in CLASSICAL:
        raise gr.Error(f"Unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    started = time.perf_counter()
    image = CLASSICAL[method](photo, hole)
    return Fill(method, image, time.perf_counter() - started, None, f"OpenCV {method} (classical, no learning)")


def methods_for(photo: np.ndarray) -> tuple[list[str], list[str]]:
    """The methods that can run on this photo, and a Markdown line for each one left out and why."""
    if not available_models():
        return [TELEA, NAVIER_STOKES], ["- **GAN**: skipped, no GAN model is installed yet"]
    if min(photo.shape[:2]) < MIN_GAN_SIDE:
        return [TELEA, NAVIER_STOKES], [f"- **GAN**: skipped, the photo is under {MIN_GAN_SIDE} px on a side"]
    return list(METHODS), []


# ----------------------------------------------------------------------------------------------------
# 4. Writing results


def save_png(image: np.ndarray, stem: str, compress_level: int = 3) -> str:
    """Write an RGB array to a new, uniquely named lossless PNG and return its path.

    compress_level trades file size for time (both lossless): 1 for pictures only shown on the page.
    """
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    prune_outputs()
    handle, path = tempfile.mkstemp(prefix=f"{stem}-", suffix=".png", dir=OUTPUT_DIR)
    os.close(handle)
    Image.fromarray(image).save(path, format="PNG", compress_level=compress_level)
    return path


def prune_files(folder: Path, pattern: str, max_age_s: float, now: float | None = None) -> None:
    """Delete our files in `folder` older than max_age_s; Gradio has copied them to its own cache by then."""
    now = now or time.time()
    for path in folder.glob(pattern):
        try:
            if now - path.stat().st_mtime > max_age_s:
                path.unlink()
        except OSError:  # another request pruned it first
            pass


def prune_outputs(now: float | None = None) -> None:
    """Delete result PNGs older than an hour."""
    prune_files(OUTPUT_DIR, "*.png", OUTPUT_MAX_AGE_S, now)


def critic_overlay(image: np.ndarray, critic: np.ndarray) -> np.ndarray:
    """Paint the critic's map over the result: red where it says fake, faint green where it says real.

    critic: HxW probability of "real" in [0, 1], NaN where the GAN did not work (left unpainted).
    """
    inside = np.isfinite(critic)
    real = np.where(inside, critic, 1.0)[..., None]                  # (H, W, 1)
    colour = (1 - real) * np.array([255, 30, 30]) + real * np.array([40, 200, 80])
    alpha = np.where(inside, 0.15 + 0.5 * (1 - real[..., 0]), 0.0)[..., None]
    return (image * (1 - alpha) + colour * alpha).round().clip(0, 255).astype(np.uint8)


def show_hole(photo: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """The photo with the hole painted magenta, to show what each method had to fill."""
    shown = photo.copy()
    shown[hole] = (255, 0, 200)
    return shown


def model_facts(name: str | None) -> str:
    """Markdown with the facts from a model's card: size, training, data and validation numbers."""
    if not name:
        return "No inpainting model found in `weights/`; the classical methods still work."
    try:
        card = weights_lib.read_card(inference.resolve_weights(name, "inpaint"))
    except (FileNotFoundError, ValueError) as error:
        return f"Cannot read the card of `{name}`: {error}"
    data = card.get("data", {})
    data_text = data.get("source", "?") if isinstance(data, dict) else str(data)
    if isinstance(data, dict) and data.get("files"):
        data_text += f" ({data['files']} photos)"
    lines = [f"**{card.get('name', name)}**",
             f"- generator: {card.get('generator', {}).get('parameters', 0):,} parameters "
             f"({card.get('generator', {}).get('class', '?')})",
             f"- trained {card.get('steps', 0):,} steps, {card.get('wall_time_hours', 0):.2f} h on "
             f"{card.get('device', '?')}",
             f"- data: {data_text}"]
    evaluation = card.get("evaluation", {})
    validation = evaluation.get("validation", {})
    if validation.get("methods"):
        lines.append(f"\nValidation ({validation.get('images', '?')}, masked PSNR dB / SSIM / detail):\n")
        lines.append("| method | medium masks | large masks |\n|---|---|---|")
        for method, by_size in validation["methods"].items():
            cells = [f"{n['psnr_masked']:.2f} / {n['ssim']:.3f} / {n['detail']:.2f}" if (n := by_size.get(size))
                     else "–" for size in ("medium", "large")]
            lines.append(f"| {method} | {cells[0]} | {cells[1]} |")
    if evaluation.get("note"):
        lines.append(f"\n{evaluation['note']}")
    if card.get("sha256"):
        lines.append(f"\nsha256 `{card['sha256'][:12]}…`")
    return "\n".join(lines)


def model_choices() -> tuple[list[tuple[str, str]], str | None]:
    """(label, name) for every inpainting model in weights/, and the default model's name."""
    names = available_models()
    default = default_model() if names else None
    return [(f"{name} (default)" if name == default else name, name) for name in names], default


def model_dropdown_update() -> tuple[dict, str]:
    """Fresh choices for a model dropdown (a model exported since the page was built appears), and its facts."""
    choices, default = model_choices()
    return gr.update(choices=choices, value=default), model_facts(default)


# ----------------------------------------------------------------------------------------------------
# 5. Handlers: one per button, each also an API endpoint


@friendly_errors
def fill(editor: dict | None, uploaded_mask, grow: float, method: str, model: str | None, show_critic: bool,
         progress=gr.Progress()):
    """Inpaint tab, "Fill": (before/after pair, PNG to download, critic overlay or None, its panel's visibility,
    status Markdown)."""
    progress(0.05, desc="Reading the photo and mask")
    photo, mask, notes = read_photo_and_mask(editor, uploaded_mask)
    before = save_png(photo, "before", compress_level=1)
    if not mask.any():
        notes.append("The mask is empty: paint over what to remove (choose the Brush), or upload a mask. "
                     "The photo is returned unchanged.")
        warn(notes)
        return (before, before), before, None, gr.update(visible=False), "\n\n".join(f"⚠️ {n}" for n in notes)
    hole, more = prepare_hole(mask, grow)
    notes += more
    warn(notes)
    progress(0.2, desc=f"Filling with {method}")
    result = run_method(method, photo, hole, model, with_critic=show_critic and method == GAN)
    progress(0.9, desc="Saving the full-resolution PNG")
    after = save_png(result.image, f"filled-{method.lower()}")
    critic = None
    if show_critic and result.critic is not None:
        critic = save_png(critic_overlay(result.image, result.critic), "critic")
    elif show_critic:
        notes.append("The critic's map is drawn for GAN fills only: choose GAN as the method.")
    status = (f"Filled {hole.mean():.1%} of the {photo.shape[1]}x{photo.shape[0]} px photo in "
              f"{result.seconds:.2f} s. {result.detail}. Unmasked pixels are unchanged; the PNG is full size "
              "and lossless.")
    return ((before, after), after, critic, gr.update(visible=critic is not None),
            "\n\n".join([status] + [f"⚠️ {n}" for n in notes]))


def enable() -> dict:
    """Make a button clickable (the download button, once there is a result)."""
    return gr.update(interactive=True)


def show() -> dict:
    """Make a component visible (a gallery that stays hidden until its button is first pressed)."""
    return gr.update(visible=True)


def critic_toggled(show_critic: bool, editor, uploaded_mask, grow, method, model):
    """Ticking "What the critic sees" fills again with the critic's map; unticking just hides the map."""
    has_photo = bool(editor) and editor.get("background") is not None
    if not show_critic or not has_photo:
        return gr.update(), gr.update(), gr.update(), gr.update(visible=show_critic), gr.update()
    return fill(editor, uploaded_mask, grow, method, model, True)


@friendly_errors
def compare(editor: dict | None, uploaded_mask, grow: float, model: str | None, progress=gr.Progress()):
    """Inpaint tab, "Compare all methods": the same mask filled by each method, with the time each took."""
    photo, mask, notes = read_photo_and_mask(editor, uploaded_mask)
    if not mask.any():
        raise gr.Error("The mask is empty: paint over what to remove (choose the Brush), or upload a mask.")
    hole, more = prepare_hole(mask, grow)
    warn(notes + more)
    methods, lines = methods_for(photo)
    gallery = []
    for index, method in enumerate(methods):
        progress(index / len(methods), desc=f"Filling with {method}")
        result = run_method(method, photo, hole, model)
        gallery.append((save_png(result.image, f"compare-{method.lower()}"), f"{method}: {result.seconds:.2f} s"))
        lines.append(f"- **{method}**: {result.seconds:.2f} s. {result.detail}")
    return gallery, "\n".join(lines)


@friendly_errors
def inpaint_api(image, mask, grow: float = DEFAULT_GROW, method: str = GAN, model: str = "") -> str:
    """API endpoint /inpaint: a photo and a mask image (white = fill) -> path of the filled full-size PNG.

    An empty mask returns the photo unchanged; a mask of another size is stretched to the photo's size.
    """
    photo = read_photo(image)
    if mask is None:
        raise gr.Error("Please send a mask image too (white = fill).")
    filled, notes = read_mask(mask, photo.shape[:2])
    if not filled.any():
        warn(notes + ["The mask is empty (no white pixels); the photo is returned unchanged."])
        return save_png(photo, "unchanged")
    hole, more = prepare_hole(filled, grow)
    warn(notes + more)
    result = run_method(method, photo, hole, model or None)
    return save_png(result.image, f"filled-{method.lower()}")


@friendly_errors
def evaluate(editor: dict | None, mask_source: str, seed: float, model: str | None, progress=gr.Progress()):
    """Evaluate tab: hide part of an intact photo, fill it with every method, measure against the original.

    Returns (gallery: the hole and each fill, table of numbers, summary Markdown).
    """
    photo, painted, notes = read_editor(editor)
    if min(photo.shape[:2]) < MIN_GAN_SIDE:
        raise gr.Error(f"Please use a photo of at least {MIN_GAN_SIDE}x{MIN_GAN_SIDE} px for the evaluation.")
    photo, painted, scaled = shrink_for_evaluation(photo, painted)
    if scaled:
        notes.append(f"Evaluated on a copy scaled to {photo.shape[1]}x{photo.shape[0]} px to keep it quick.")
    if mask_source == MY_DRAWING:
        if painted is None or not painted.any():
            raise gr.Error("Draw the mask on the photo first (choose the Brush), or pick a random mask.")
        hole = painted
    else:
        size = RANDOM_MASKS.get(mask_source, "medium")
        hole = masks.mask_of_size(*photo.shape[:2], size, np.random.default_rng(int(seed or 0))) > 0
    warn(notes)
    gallery = [(save_png(show_hole(photo, hole), "evaluate-hole"), f"The hole: {hole.mean():.1%} of the photo")]
    rows = []
    methods, _ = methods_for(photo)
    for index, method in enumerate(methods):
        progress(index / len(methods), desc=f"Filling with {method}")
        result = run_method(method, photo, hole, model)
        rows.append(score_row(method, photo, result, hole))
        gallery.append((save_png(result.image, f"evaluate-{method.lower()}"),
                        f"{method}: {rows[-1]['PSNR hole (dB)']:.2f} dB in the hole, {result.seconds:.2f} s"))
    table = pd.DataFrame(rows)
    best = table.loc[table["PSNR hole (dB)"].idxmax(), "Method"]
    summary = (f"Closest to the original inside the hole: **{best}**. PSNR and SSIM: higher = closer to the "
               "original. Detail: the fill's sharpness over the photo's (1.0 = as sharp; smooth classical fills "
               "score about 0.4). PSNR rewards safe, blurry guesses, so look at the pictures too.")
    return gallery, table, "\n\n".join([summary] + [f"⚠️ {n}" for n in notes])


def shrink_for_evaluation(photo: np.ndarray, painted: np.ndarray | None):
    """Scale the photo (and the drawn mask) so its long side is at most EVALUATE_MAX_SIDE."""
    height, width = photo.shape[:2]
    scale = EVALUATE_MAX_SIDE / max(height, width)
    if scale >= 1:
        return photo, painted, False
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    photo = np.asarray(Image.fromarray(photo).resize(size, Image.Resampling.LANCZOS))
    if painted is not None:
        painted = io_checks.fit_mask(painted, photo.shape[:2])
    return photo, painted, True


SCORE_COLUMNS = ("Method", "PSNR hole (dB)", "PSNR whole (dB)", "SSIM around hole", "SSIM whole", "L1 hole",
                 "Detail", "Seconds")


def score_row(method: str, original: np.ndarray, fill: Fill, hole: np.ndarray) -> dict:
    """One row of the Evaluate table (SCORE_COLUMNS), from gan_core.metrics."""
    numbers = metrics.compare(original, fill.image, hole)
    values = (method, round(numbers["psnr_masked"], 2), round(numbers["psnr"], 2),
              round(ssim_around(original, fill.image, hole), 4), round(numbers["ssim"], 4),
              round(numbers["l1_masked"], 4), round(numbers["detail"], 2), round(fill.seconds, 3))
    return dict(zip(SCORE_COLUMNS, values))


def ssim_around(original: np.ndarray, result: np.ndarray, hole: np.ndarray, pad: int = 8) -> float:
    """SSIM over the hole's bounding box (plus a few pixels): the whole-image SSIM mostly sees untouched pixels."""
    rows, cols = np.nonzero(hole)
    top, left = max(rows.min() - pad, 0), max(cols.min() - pad, 0)
    bottom, right = rows.max() + 1 + pad, cols.max() + 1 + pad
    return metrics.ssim(original[top:bottom, left:right], result[top:bottom, left:right])


# ----------------------------------------------------------------------------------------------------
# 6. The tabs


def example_editor_value(name: str) -> dict:
    """An ImageEditor value for examples/NAME.jpg with its prepared mask already painted on as a layer."""
    layer_path = OUTPUT_DIR / "examples" / f"{name}_layer.png"
    mask_path = EXAMPLES_DIR / f"{name}_mask.png"
    if not layer_path.exists() or layer_path.stat().st_mtime < mask_path.stat().st_mtime:
        layer_path.parent.mkdir(parents=True, exist_ok=True)
        painted = io_checks.mask_from_image(Image.open(mask_path))
        layer = np.zeros(painted.shape + (4,), np.uint8)
        layer[painted] = (255, 0, 200, round(255 * BRUSH_COLOUR[1]))
        Image.fromarray(layer, "RGBA").save(layer_path)
    return {"background": str(EXAMPLES_DIR / f"{name}.jpg"), "layers": [str(layer_path)], "composite": None}


def photo_editor(label: str, elem_id: str) -> gr.ImageEditor:
    """The photo-and-brush editor both tabs use: lossless PNG transfer, full resolution, one layer.

    canvas_size is small on purpose: Gradio 6.31's editor centres a layer loaded from an example on the bounds
    of everything on the canvas, and when the layer loads before the initial canvas is gone (a race, seen once
    in a few tries) those bounds are the 800x800 default, shifting the prepared mask off its object. With an
    initial canvas smaller than the photos, the bounds are the photo's either way.
    """
    return guard_uploads(gr.ImageEditor(
        label=label, elem_id=elem_id, type="numpy", image_mode="RGBA", format="png", sources=("upload", "clipboard"),
        brush=gr.Brush(colors=[BRUSH_COLOUR], color_mode="fixed", default_size="auto"),
        eraser=gr.Eraser(default_size="auto"), layers=False, transforms=(), height=560, canvas_size=(256, 256)))


def model_picker(api_name: str) -> tuple[gr.Dropdown, gr.Markdown]:
    """A dropdown of the inpainting models in weights/ and a Markdown with the chosen model's card facts.

    Filled when the page is built and again on every page load (see model_dropdown_update).
    """
    choices, default = model_choices()
    dropdown = gr.Dropdown(label="GAN model", choices=choices, value=default, interactive=True)
    facts = gr.Markdown(model_facts(default))
    dropdown.change(model_facts, dropdown, facts, api_name=api_name, queue=False)
    return dropdown, facts


def inpaint_tab(demo: gr.Blocks) -> None:
    """Paint over what to remove, fill it with the GAN (or a classical method), compare, see the critic."""
    with gr.Tab("Inpaint", id="inpaint"):
        gr.Markdown("Upload or paste a photo (or click an example below), choose the **Brush** and paint over "
                    "what should disappear, then press **Fill**. Unpainted pixels come back exactly as they "
                    "were, at full resolution.")
        with gr.Row():
            with gr.Column(scale=3):
                editor = photo_editor("Photo: paint over what to remove", "inpaint-editor")
                with gr.Accordion("Or upload a mask (white = fill)", open=False):
                    uploaded_mask = guard_uploads(gr.Image(
                        label="Mask image, same size as the photo; white = fill", type="pil", image_mode=None,
                        sources=("upload", "clipboard"), height=200))
            with gr.Column(scale=2):
                method = gr.Radio(list(METHODS), value=GAN, label="Method",
                                  info="GAN = the trained network; Telea and Navier-Stokes = classical OpenCV fills")
                model, facts = model_picker("model_card")
                grow = gr.Slider(0, 32, value=DEFAULT_GROW, step=1, label="Grow mask (pixels)",
                                 info="Covers the soft edges of the strokes, so no halo is left around the fill")
                show_critic = gr.Checkbox(False, label="What the critic sees",
                                          info="Overlay the discriminator's verdict on the GAN's result")
                fill_button = gr.Button("Fill", variant="primary")
                compare_button = gr.Button("Compare all methods")
        gr.Examples([[example_editor_value(name)] for name in EXAMPLES], inputs=[editor],
                    example_labels=[name.capitalize() for name in EXAMPLES], label="Examples: photo and mask ready, "
                    "press Fill")
        status = gr.Markdown()
        download = gr.DownloadButton("Download the result (PNG, full resolution)", interactive=False,
                                     elem_id="download-result")
        with gr.Row(equal_height=False):
            before_after = gr.ImageSlider(label="Before / after (drag the handle)", type="filepath", format="png",
                                          max_height=640)
            with gr.Column(visible=False) as critic_column:
                critic = gr.Image(label="What the critic sees: red = looks fake, green = looks real",
                                  type="filepath", format="png", interactive=False)
                gr.Markdown(CRITIC_EXPLANATION)
        compare_gallery = gr.Gallery(label="Compare all methods: the same mask, the time each took", columns=3,
                                     height="auto", format="png", object_fit="contain", visible=False)
        compare_notes = gr.Markdown()

        fill_inputs = [editor, uploaded_mask, grow, method, model, show_critic]
        fill_outputs = [before_after, download, critic, critic_column, status]
        fill_button.click(fill, fill_inputs, fill_outputs, api_name="fill").success(
            enable, None, download, api_visibility="private", queue=False)
        show_critic.input(critic_toggled, fill_inputs[-1:] + fill_inputs[:-1], fill_outputs,
                          api_name="critic_toggled", api_visibility="undocumented").success(
            enable, None, download, api_visibility="private", queue=False)
        compare_button.click(show, None, compare_gallery, api_visibility="private", queue=False).then(
            compare, [editor, uploaded_mask, grow, model], [compare_gallery, compare_notes], api_name="compare")
        demo.load(model_dropdown_update, None, [model, facts], api_name="models", queue=False)


def evaluate_tab(demo: gr.Blocks) -> None:
    """Measure the methods on a photo whose truth we know: hide part of it, fill, compare with the original."""
    with gr.Tab("Evaluate", id="evaluate"):
        gr.Markdown("Give an **intact** photo. The app hides part of it (a random mask, or the one you draw), "
                    "fills the hole with every method, and measures each fill against the original.")
        with gr.Row():
            with gr.Column(scale=3):
                editor = photo_editor("Intact photo (draw on it only if you choose your own mask)",
                                      "evaluate-editor")
            with gr.Column(scale=2):
                mask_source = gr.Radio(list(RANDOM_MASKS) + [MY_DRAWING], value="Random medium mask (10-30%)",
                                       label="Mask")
                seed = gr.Number(0, precision=0, label="Seed", info="The same seed draws the same random mask")
                model, facts = model_picker("evaluate_model_card")
                evaluate_button = gr.Button("Evaluate", variant="primary")
        gr.Examples([[str(EXAMPLES_DIR / f"{name}.jpg")] for name in EXAMPLES], inputs=[editor],
                    example_labels=[name.capitalize() for name in EXAMPLES], label="Example photos")
        summary = gr.Markdown()
        table = gr.Dataframe(headers=list(SCORE_COLUMNS), label="Scores against the original", interactive=False,
                             elem_id="evaluate-table")
        gallery = gr.Gallery(label="The hole and each method's fill", columns=4, height="auto", format="png",
                             object_fit="contain", visible=False)
        evaluate_button.click(show, None, gallery, api_visibility="private", queue=False).then(
            evaluate, [editor, mask_source, seed, model], [gallery, table, summary], api_name="evaluate")
        demo.load(model_dropdown_update, None, [model, facts], api_name="evaluate_models", queue=False)


def api_endpoints() -> None:
    """Endpoints for scripts, with no place in the page: /inpaint takes a photo and a mask file, /restore a photo."""
    with gr.Column(visible=False):
        image = guard_uploads(gr.Image(type="pil", image_mode=None, label="image"))
        mask = guard_uploads(gr.Image(type="pil", image_mode=None, label="mask (white = fill)"))
        grow = gr.Number(DEFAULT_GROW, precision=0, label="grow (pixels)")
        method = gr.Radio(list(METHODS), value=GAN, label="method")
        model = gr.Textbox("", label="model (a name in weights/; empty = the default)")
        filled = gr.Image(type="filepath", format="png", label="filled")
        trigger = gr.Button("inpaint")
    trigger.click(inpaint_api, [image, mask, grow, method, model], filled, api_name="inpaint")

    with gr.Column(visible=False):
        photo = guard_uploads(gr.Image(type="pil", image_mode=None, label="image"))
        task = gr.Radio(list(RESTORE_TASKS), value="denoise", label="task (denoise; sr2, sr4: enlarge 2x, 4x)")
        restore_method = gr.Radio(list(RESTORE_METHODS), value="gan",
                                  label="method (gan; classical: nlmeans for denoise, bicubic or lanczos for sr2, sr4)")
        noise_sigma = gr.Number(0, label="noise_sigma (seeded Gaussian noise added first, 0-50 on 0-255)")
        restored = gr.Image(type="filepath", format="png", label="restored")
        restore_trigger = gr.Button("restore")
    restore_trigger.click(restore_api, [photo, task, restore_method, noise_sigma], restored, api_name="restore")


# ----------------------------------------------------------------------------------------------------
# 6b. The Learn tab: how a GAN trains (2D playground, the classic DCGAN, inpainting by latent search)

LEARN_OUTPUT_DIR = Path(tempfile.gettempdir()) / "gan-studio-learn"   # one fresh file per picture, pruned
LEARN_OUTPUT_MAX_AGE_S = 600           # Gradio has copied a returned file into its own cache long before this
TOY_VIEW_SIZE = 400                    # pixels of the playground picture
TOY_TICK_S = 0.2                       # the live view refreshes this often while training
TOY_DEFAULT_SPEED = 60                 # steps per second while training (each refresh plays rate x time since the last)
TOY_MAX_STEPS_PER_TICK = 100           # bound on one refresh's work, so a late refresh cannot stall the worker
TOY_CURVES_EVERY_S = 1.0               # while training, the curves are sent once a second (redrawing three
                                       # plots at every refresh slows the browser more than the picture does)
TOY_LOSSES = [("minimax", "minimax"), ("non-saturating", "nonsaturating"), ("least squares", "lsgan"),
              ("hinge", "hinge"), ("WGAN-GP", "wgan")]
TOY_LR_CHOICES = [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.1, 1.0]
TOY_CUSTOM = "(my own settings)"
DCGAN_WEIGHTS = "dcgan-fashion"        # weights/NAME.safetensors + NAME.json, loaded with gan_core.inference
DCGAN_LOG = HERE / "weights" / "dcgan-fashion.log.jsonl"       # the training run's log, shipped with the weights
DCGAN_SAMPLES = HERE / "weights" / "dcgan-fashion-samples"     # step_*.png grids from the same run
DCGAN_GRID = 8                         # samples per side of the grid; also frames in the interpolation row
LATENT_SCALE = 8                       # Fashion-MNIST's 32 px shown at 256 px
LATENT_RANDOM_SQUARE, LATENT_DRAWN = "Random square", "The hole I paint"
HOLE_COLOUR = (230, 40, 90)

TOY_LEGEND = (
    "**Reading the picture.** Green dots: real data. Purple dots: the generator's points G(z). Background: the "
    "discriminator's opinion of every spot, green = \"real\", purple = \"fake\", white = unsure. Black arrows: "
    "which way G's loss pushes each generated point. Lilac grid: G's *manifold*, a regular grid of noise z bent "
    "into the plane by G. Grey circles (ring and grid): the modes of the data.")
TOY_EXPLAINER = (
    "### The game\n"
    "A GAN is two networks playing against each other. The **discriminator D** looks at a point and says how "
    "likely it is to be real. The **generator G** turns random noise z into points and wants D to call them "
    "real. Goodfellow et al. (2014) wrote the game as\n\n"
    "**min_G max_D  E[log D(x)] + E[log(1 − D(G(z)))]**\n\n"
    "D raises this number by scoring real data x high and generated points G(z) low; G lowers it by making "
    "D(G(z)) high. They take turns: a few steps of D, then one step of G.\n\n"
    "**D(x) and D(G(z)) near 0.5** (for the log losses) mean D cannot tell real from generated: either G has "
    "learnt the data, or D has fallen behind. D(x) near 1 with D(G(z)) near 0 means D wins easily, and with "
    "the minimax loss G then gets almost no push (the arrows vanish).\n\n"
    "**Mode collapse**: G finds one spot D currently accepts and sends all its points there, covering one "
    "mode of the data instead of all of them. D learns that spot is fake, G jumps to another one, and the "
    "chase goes round. Watch *modes covered* in the mode collapse preset.\n\n"
    "**Why spectral normalisation and the hinge loss help.** Spectral normalisation limits how steeply D's "
    "score can change from one input to a nearby one (its Lipschitz constant), so D cannot become an "
    "infinitely sharp wall, and G always gets a smooth, useful slope to follow. The hinge loss stops "
    "rewarding D once a point is beyond the margin (score above +1 for real, below −1 for fake), so D stops "
    "growing ever more confident and the gradients it hands G stay sane. WGAN-GP reaches the same goal with "
    "a gradient penalty.")
DCGAN_EXPLAINER = (
    "The same game, with convolutional networks (DCGAN, Radford et al. 2016) on 32×32 Fashion-MNIST: G turns "
    "100 random numbers into a garment. Each noise vector is a point in G's *latent space*; walking in a "
    "straight line between two of them morphs one garment into another, which shows G has learnt a smooth "
    "map, not a list of memorised pictures. In the training story, D(x) and D(G(z)) start far apart (D wins "
    "easily) and move toward each other as G improves; they rarely settle at 0.5, because both players keep "
    "learning.")
LATENT_EXPLAINER = (
    "G was never trained to fill holes. To fill one anyway, we search for the noise z whose picture G(z) "
    "agrees with the pixels we know (Yeh et al. 2017), with D keeping G(z) realistic, and take the hole "
    "from it. **Why the studio's conditional inpainter is better and faster:** it is trained to fill holes "
    "and does it in one forward pass, seeing the known pixels directly, while latent search needs hundreds "
    "of passes of G and D per picture and can only return pictures G can make.")


# ----------------------------------------------------------------------------------------------------
# Shared helpers


def learn_file(image: np.ndarray, stem: str, lossless_webp: bool = False) -> str:
    """Write an RGB array to a new, uniquely named file and return its path (Gradio copies it atomically)."""
    LEARN_OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    learn_prune()
    suffix = ".webp" if lossless_webp else ".png"
    handle, path = tempfile.mkstemp(prefix=f"{stem}-", suffix=suffix, dir=LEARN_OUTPUT_DIR)
    with open(handle, "wb") as out:
        if lossless_webp:   # the live view: half the bytes of a PNG, ~20 ms
            Image.fromarray(image).save(out, format="WEBP", lossless=True, method=0)
        else:
            Image.fromarray(image).save(out, format="PNG", compress_level=1)
    return path


_learn_last_prune = [0.0]


def learn_prune(now: float | None = None) -> None:
    """Delete our picture files older than LEARN_OUTPUT_MAX_AGE_S; looks at most once a minute."""
    now = now or time.time()
    if now - _learn_last_prune[0] < 60:
        return
    _learn_last_prune[0] = now
    prune_files(LEARN_OUTPUT_DIR, "*.*", LEARN_OUTPUT_MAX_AGE_S, now)


def enlarge(image: np.ndarray, scale: int) -> np.ndarray:
    """Nearest-neighbour enlargement, so a 32 px garment is visible pixel by pixel."""
    return np.repeat(np.repeat(image, scale, axis=0), scale, axis=1)


def gray_to_rgb(tensor: torch.Tensor) -> np.ndarray:
    """(1, H, W) in [-1, 1] -> HxWx3 uint8."""
    return data_lib.to_uint8(tensor.expand(3, -1, -1))


def tile(images: torch.Tensor, columns: int, pad: int = 2) -> np.ndarray:
    """(N, 1, H, W) in [-1, 1] -> one RGB uint8 picture, `columns` per row, on a dark grey background."""
    n, _, height, width = images.shape
    rows = -(-n // columns)
    sheet = np.full((rows * (height + pad) + pad, columns * (width + pad) + pad, 3), 60, np.uint8)
    for i, image in enumerate(images):
        top, left = pad + (i // columns) * (height + pad), pad + (i % columns) * (width + pad)
        sheet[top:top + height, left:left + width] = gray_to_rgb(image)
    return sheet


def empty_curves() -> pd.DataFrame:
    """No points yet, with the column types of the real curves (a float "series" would get a colour gradient)."""
    return pd.DataFrame({"step": pd.Series(dtype="int64"), "value": pd.Series(dtype="float64"),
                         "series": pd.Series(dtype="object")})


# ----------------------------------------------------------------------------------------------------
# 1. The 2D playground. One ToyGAN per browser session, in gr.State; a lock keeps its steps one at a time.


class ToySession:
    """A user's playground: the game, a lock (ToyGAN is not thread-safe), the slow-motion step in progress,
    and the recent refreshes, for the speed shown under the picture."""

    def __init__(self, config: toy.ToyConfig | None = None):
        self.gan = toy.ToyGAN(config or toy.ToyConfig())
        self.lock = threading.Lock()
        self.slow = None                       # the generator of gan.slow_step() while stepping slowly
        self.last_tick = None                  # time of the last training refresh
        self.ticks = deque(maxlen=20)          # (time, steps) of recent refreshes
        self.last_curves = 0.0                 # when the live view last sent the curves


def toy_session(session: ToySession | None) -> ToySession:
    return session if isinstance(session, ToySession) else ToySession()


def toy_speed(session: ToySession) -> tuple[float, float]:
    """(steps per second, refreshes per second) over the recent refreshes; zeros when not training."""
    ticks = list(session.ticks)
    if len(ticks) < 2 or time.time() - ticks[-1][0] > 2 * TOY_TICK_S + 1:
        return 0.0, 0.0
    span = ticks[-1][0] - ticks[0][0]
    return sum(steps for _, steps in ticks[1:]) / span, (len(ticks) - 1) / span


def toy_stats(session: ToySession, snapshot: dict) -> str:
    """The numbers under the picture, in words."""
    gan, metrics = session.gan, snapshot["metrics"]
    probability = gan.config.loss in ("minimax", "nonsaturating")
    d_name = "D(x)" if probability else "D's score on real x"
    parts = [f"**Step {snapshot['step']}**",
             f"mean {d_name} = {snapshot['mean_d_real']:.3f}, D(G(z)) = {snapshot['mean_d_fake']:.3f}",
             f"JS = {metrics['js']:.3f} bits, KL = {metrics['kl']:.2f} bits"]
    if metrics["modes_covered"] is not None:
        parts.append(f"**modes covered: {metrics['modes_covered']} / {metrics['num_modes']}** "
                     f"(mean distance to the nearest mode {metrics['mode_distance']:.3f})")
    steps_per_s, refreshes_per_s = toy_speed(session)
    if steps_per_s:
        parts.append(f"training at {steps_per_s:.0f} steps/s, {refreshes_per_s:.1f} refreshes/s")
    return " · ".join(parts)


def toy_view(session: ToySession, show_surface: bool, show_arrows: bool, show_manifold: bool, view: dict | None = None):
    """The playground's outputs after any change: session, picture, three curves, numbers.

    view: a SlowStage's view to draw instead of the whole game (the curves and numbers stay the game's).
    """
    snapshot = session.gan.snapshot()
    image = toy.render(view or snapshot, size=TOY_VIEW_SIZE, show_surface=show_surface, show_arrows=show_arrows,
                       show_manifold=show_manifold)
    history, metric_history = snapshot["history"], snapshot["metric_history"]
    losses = pd.DataFrame(toy.history_table(history, ("d_loss", "g_loss")))
    losses["series"] = losses["series"].map({"d_loss": "D's loss", "g_loss": "G's loss"})
    scores = pd.DataFrame(toy.history_table(history, ("d_real", "d_fake")))
    scores["series"] = scores["series"].map({"d_real": "D(x)", "d_fake": "D(G(z))"})
    distances = pd.DataFrame(toy.history_table(metric_history, ("js", "kl")))
    distances["series"] = distances["series"].map({"js": "JS (bits)", "kl": "KL (bits)"})
    return (session, learn_file(image, "toy", lossless_webp=True), losses, scores, distances,
            toy_stats(session, snapshot))


def toy_start(show_surface: bool = True, show_arrows: bool = True, show_manifold: bool = True):
    """A fresh playground for a new page: the default game (non-saturating loss on the ring), not started."""
    return toy_view(ToySession(), show_surface, show_arrows, show_manifold)


def toy_redraw(session, show_surface: bool, show_arrows: bool, show_manifold: bool):
    """Draw the current game again (after a layer was switched on or off)."""
    session = toy_session(session)
    with session.lock:
        return toy_view(session, show_surface, show_arrows, show_manifold)


def toy_step(session, show_surface: bool, show_arrows: bool, show_manifold: bool, steps: int = 1):
    """Play `steps` rounds (k updates of D, then one of G) and show the result. The Step button plays one."""
    session = toy_session(session)
    with session.lock:
        session.slow = None
        session.gan.step(int(steps))
        return toy_view(session, show_surface, show_arrows, show_manifold)


def toy_tick(session, speed: float, show_surface: bool, show_arrows: bool, show_manifold: bool):
    """One refresh of the live view while training: play speed x (time since the last refresh) steps.

    Scaling by the time since the last refresh keeps training at `speed` steps/s even when refreshes come
    late. A refresh that finds the game busy (a button's step still running) changes nothing.
    """
    session = toy_session(session)
    if not session.lock.acquire(blocking=False):
        return (gr.skip(),) * 6
    try:
        now = time.time()
        elapsed = TOY_TICK_S if session.last_tick is None or now - session.last_tick > 1.0 else now - session.last_tick
        steps = int(min(TOY_MAX_STEPS_PER_TICK, max(1, round(float(speed) * elapsed))))
        session.slow = None
        session.gan.step(steps)
        session.last_tick = now
        session.ticks.append((now, steps))
        outputs = toy_view(session, show_surface, show_arrows, show_manifold)
        if now - session.last_curves < TOY_CURVES_EVERY_S:
            return (*outputs[:2], gr.skip(), gr.skip(), gr.skip(), outputs[5])
        session.last_curves = now
        return outputs
    finally:
        session.lock.release()


def toy_train():
    """Start the live view's timer."""
    return gr.Timer(active=True)


def toy_pause(session):
    """Stop the timer; the next Train continues the same game."""
    session = toy_session(session)
    session.last_tick = None
    session.ticks.clear()
    return session, gr.Timer(active=False)


def toy_reset(session, show_surface: bool, show_arrows: bool, show_manifold: bool):
    """Fresh networks and history with the same settings and seed."""
    session = toy_session(session)
    with session.lock:
        session.slow = None
        session.gan.reset()
        return toy_view(session, show_surface, show_arrows, show_manifold)


def toy_drawn_points(drawing) -> np.ndarray:
    """The points of a Sketchpad value (dict with layers / composite), via gan_core.toy.points_from_drawing."""
    if not isinstance(drawing, dict):
        return np.zeros((0, 2), np.float32)
    layers = [layer for layer in drawing.get("layers") or [] if layer is not None]
    if layers and np.asarray(layers[0]).ndim == 3 and np.asarray(layers[0]).shape[2] == 4:
        alpha = np.asarray(layers[0])[..., 3]
        return toy.points_from_drawing(alpha) if alpha.any() else np.zeros((0, 2), np.float32)
    if drawing.get("composite") is not None:
        return toy.points_from_drawing(drawing["composite"])
    return np.zeros((0, 2), np.float32)


def toy_configure(session, target: str, loss: str, lr_g: float, lr_d: float, optimizer: str, d_steps: float,
                  noise_dim: float, drawing, show_surface: bool, show_arrows: bool, show_manifold: bool):
    """Apply the settings. The loss, learning rates, optimiser and D steps change the running game (try a
    new loss mid-training); a new target or noise size restarts it."""
    session = toy_session(session)
    changes = {"target": target, "loss": loss, "lr_g": float(lr_g), "lr_d": float(lr_d), "optimizer": optimizer,
               "d_steps": int(d_steps), "noise_dim": int(noise_dim)}
    if target == "drawn":
        points = toy_drawn_points(drawing)
        if len(points) == 0:
            gr.Warning("Draw some strokes on the sketchpad first: they become the data G must imitate.")
            changes.pop("target")
        else:
            changes["drawn_points"] = points.tolist()
    with session.lock:
        session.slow = None
        try:
            restarted = session.gan.configure(**changes)
        except ValueError as error:
            raise gr.Error(str(error)) from error
        if restarted:
            gr.Info("New target or noise size: the game starts again with fresh networks.")
        return toy_view(session, show_surface, show_arrows, show_manifold)


def toy_preset_text(name: str | None) -> str:
    if name not in toy.PRESETS:
        return "Pick a preset to load settings that show one lesson, with what to look for."
    preset = toy.PRESETS[name]
    return f"{preset.text}\n\n*The lesson shows after about {preset.steps} steps.*"


def toy_preset(session, name: str, show_surface: bool, show_arrows: bool, show_manifold: bool):
    """Load a preset: its settings (shown in the controls), fresh networks, and what to look for."""
    session = toy_session(session)
    if name not in toy.PRESETS:
        return (session, *(gr.skip(),) * 5, toy_preset_text(name), *(gr.skip(),) * 7)
    config = toy.PRESETS[name].config
    with session.lock:
        session.slow = None
        session.gan = toy.ToyGAN(config)
        view = toy_view(session, show_surface, show_arrows, show_manifold)
    controls = (config.target, config.loss, config.lr_g, config.lr_d, config.optimizer, config.d_steps,
                config.noise_dim)
    return (*view, toy_preset_text(name), *controls)


def toy_formula(loss: str) -> str:
    d_formula, g_formula = toy.LOSS_FORMULAS[loss]
    return f"D minimises **{d_formula}**  \nG minimises **{g_formula}**"


def toy_slow_stage(session: ToySession, stage, show_surface: bool, show_arrows: bool, show_manifold: bool):
    view = toy_view(session, show_surface, show_arrows, show_manifold, view=stage.view)
    last = stage.name == toy.SLOW_STAGES[-1]
    if last:
        session.slow = None
    text = f"**{stage.title}** — {stage.text}"
    return (*view, text, gr.Button("Next stage ▶", interactive=not last))


def toy_slow_start(session, show_surface: bool, show_arrows: bool, show_manifold: bool):
    """Begin one training step in slow motion (pausing the live training) and show its first stage."""
    session = toy_session(session)
    with session.lock:
        session.slow = session.gan.slow_step()
        stage = next(session.slow)
        return (*toy_slow_stage(session, stage, show_surface, show_arrows, show_manifold), gr.Timer(active=False))


def toy_slow_next(session, show_surface: bool, show_arrows: bool, show_manifold: bool):
    """The next stage of the slow step (the game advances at the last one, "update")."""
    session = toy_session(session)
    with session.lock:
        if session.slow is None:
            return (session, *(gr.skip(),) * 5, "Press **Step slowly** to walk through one training step.",
                    gr.Button(interactive=False))
        return toy_slow_stage(session, next(session.slow), show_surface, show_arrows, show_manifold)


# ----------------------------------------------------------------------------------------------------
# 2. The DCGAN on Fashion-MNIST


def dcgan_models():
    """(generator, discriminator, card) of the shipped DCGAN; FileNotFoundError with a readable message."""
    try:
        return inference.load(DCGAN_WEIGHTS, "dcgan", device=torch.device("cpu"))
    except FileNotFoundError as error:
        raise FileNotFoundError(f"The DCGAN's weights are not here yet ({error}). Train and export them with "
                                "`python -m gan_core.train --task dcgan ... --export dcgan-fashion`.") from error


def dcgan_generate(generator, noise: torch.Tensor) -> torch.Tensor:
    """G(z) on one thread (fastest for small batches on a busy CPU)."""
    with toy.one_thread():
        return dcgan.generate(generator, noise)


def dcgan_samples(seed: float):
    """An 8 x 8 grid of G(z) from fixed noise (the seed), and a line about the model."""
    try:
        generator, _, card = dcgan_models()
    except FileNotFoundError as error:
        return None, f"⚠️ {error}"
    images = dcgan_generate(generator, dcgan.seeded_noise(seed, DCGAN_GRID * DCGAN_GRID, generator.config.noise_dim))
    grid = enlarge(tile(images, DCGAN_GRID), 2)
    return (learn_file(grid, "dcgan-samples"),
            f"64 garments from noise seed {int(seed)}: model `{card.get('name', DCGAN_WEIGHTS)}`, trained "
            f"{card.get('steps', '?')} steps on {card.get('data', {}).get('images', '?')} images.")


def dcgan_interpolate(seed_a: float, seed_b: float, t: float):
    """Walk from z_a to z_b: a row of 8 frames, and the single frame at t (0 = z_a, 1 = z_b).

    Each point of the straight line is put back on the sphere |z| = sqrt(noise_dim), where G's training
    noise lives; halfway between two random z the plain average is too short and looks washed out.
    """
    try:
        generator, _, _ = dcgan_models()
    except FileNotFoundError as error:
        return None, None, f"⚠️ {error}"
    nz = generator.config.noise_dim
    fractions = torch.cat([torch.linspace(0, 1, DCGAN_GRID), torch.tensor([float(t)])])   # 8 frames + the one at t
    noise = dcgan.interpolate(dcgan.seeded_noise(seed_a, 1, nz), dcgan.seeded_noise(seed_b, 1, nz), fractions)
    frames = dcgan_generate(generator, noise)
    row = enlarge(tile(frames[:DCGAN_GRID], DCGAN_GRID), 3)
    single = enlarge(gray_to_rgb(frames[-1]), LATENT_SCALE)
    return (learn_file(row, "dcgan-row"), learn_file(single, "dcgan-frame"),
            f"From seed {int(seed_a)} (left) to seed {int(seed_b)} (right); the large frame is at t = {float(t):.2f}.")


def dcgan_story_grids() -> list[Path]:
    return sorted(DCGAN_SAMPLES.glob("step_*.png")) if DCGAN_SAMPLES.is_dir() else []


def dcgan_story():
    """The shipped training log as curves (losses; D(x) and D(G(z))), and the scrubber over sample grids."""
    losses, scores, note = empty_curves(), empty_curves(), ""
    if DCGAN_LOG.exists():
        records = [json.loads(line) for line in DCGAN_LOG.read_text().splitlines() if line.strip()]
        records = [r for r in records if "loss_d" in r and "event" not in r]
        history = {"step": [r["step"] for r in records]}
        for key in ("loss_d", "loss_g", "d_real", "d_fake"):
            history[key] = [r.get(key) for r in records]
        losses = pd.DataFrame(toy.history_table(history, ("loss_d", "loss_g")))
        losses["series"] = losses["series"].map({"loss_d": "D's loss", "loss_g": "G's loss"})
        scores = pd.DataFrame(toy.history_table(history, ("d_real", "d_fake")))
        scores["series"] = scores["series"].map({"d_real": "D(x)", "d_fake": "D(G(z))"})
    else:
        note = "⚠️ The training log (weights/dcgan-fashion.log.jsonl) is not shipped with this copy. "
    grids = dcgan_story_grids()
    if not grids:
        note += "⚠️ No sample grids (weights/dcgan-fashion-samples/step_*.png) are shipped with this copy."
    slider = gr.Slider(minimum=0, maximum=max(len(grids) - 1, 1), value=len(grids) - 1 if grids else 0, step=1,
                       interactive=len(grids) > 1)
    image, caption = dcgan_story_frame(len(grids) - 1)
    return losses, scores, slider, image, caption + ("\n\n" + note if note else "")


def dcgan_story_frame(index: float):
    """The sample grid saved at one point of training (index into the shipped grids, in step order)."""
    grids = dcgan_story_grids()
    if not grids:
        return None, "No sample grids shipped."
    path = grids[int(np.clip(index, 0, len(grids) - 1))]
    step = int(path.stem.split("_")[-1])
    with Image.open(path) as grid:   # copied to our folder: Gradio serves files only from allowed places
        picture = np.asarray(grid.convert("RGB"))
    return learn_file(picture, "dcgan-story"), f"The same 64 noise vectors after **{step}** training steps ({int(index) + 1} of {len(grids)})."


# ----------------------------------------------------------------------------------------------------
# 3. Latent-search inpainting on Fashion-MNIST test items


_latent_cache: dict = {}


def latent_data() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(test images (N, 1, 32, 32), labels, mean training image (1, 32, 32)), read once."""
    if not _latent_cache:
        test_images, labels = data_lib.fashion_mnist("test")
        train_images, _ = data_lib.fashion_mnist("train")
        _latent_cache.update(images=test_images, labels=labels, mean=train_images.mean(0))
    return _latent_cache["images"], _latent_cache["labels"], _latent_cache["mean"]


def latent_show(image: torch.Tensor, mask: torch.Tensor | None = None) -> np.ndarray:
    """(1, 32, 32) -> 256 px RGB; the hole (mask 1) painted in HOLE_COLOUR."""
    rgb = gray_to_rgb(image)
    if mask is not None:
        rgb[mask[0].numpy() > 0.5] = HOLE_COLOUR
    return enlarge(rgb, LATENT_SCALE)


def latent_pick(index: float):
    """Show a test item in the hole editor (paint on it to choose your own hole) and name its class."""
    images, labels, _ = latent_data()
    index = int(np.clip(index, 0, len(images) - 1))
    background = latent_show(images[index])
    return ({"background": background, "layers": [], "composite": background},
            f"Test item {index}: **{data_lib.FASHION_CLASSES[int(labels[index])]}**")


def latent_random(seed: float):
    """A random test item and a new hole seed."""
    rng = np.random.default_rng(None)
    index, hole_seed = int(rng.integers(len(latent_data()[0]))), int(rng.integers(10_000))
    return (index, hole_seed, *latent_pick(index))


def latent_mask(hole: str, hole_seed: float, editor) -> torch.Tensor:
    """(1, 32, 32) hole: a seeded square of 10-16 px inside the garment area, or the painted strokes."""
    if hole != LATENT_DRAWN:
        return square_holes(1, 32, np.random.default_rng(int(hole_seed)))[0]
    layers = [np.asarray(layer) for layer in (editor or {}).get("layers") or [] if layer is not None]
    painted = np.zeros((32, 32), bool)
    for layer in layers:
        if layer.ndim == 3 and layer.shape[2] == 4:
            alpha = Image.fromarray((layer[..., 3] > 0).astype(np.uint8) * 255)
            painted |= np.asarray(alpha.resize((32, 32), Image.BOX)) > 0
    if not painted.any():
        raise gr.Error("Paint the hole on the garment first (choose the brush), or pick a random square.")
    return torch.from_numpy(painted.astype(np.float32))[None]


def latent_search(index: float, hole: str, hole_seed: float, editor, steps: float = 200):
    """Fill a hole by latent search, streaming the best fill so far every 10 steps; then compare it with the
    mean-image fill and the original, by the L1 error over the hole (0-1 scale)."""
    try:
        generator, discriminator, _ = dcgan_models()
    except FileNotFoundError as error:
        raise gr.Error(str(error)) from error
    images, labels, mean_image = latent_data()
    index = int(np.clip(index, 0, len(images) - 1))
    original, mask = images[index], latent_mask(hole, hole_seed, editor)
    masked, mean_fill = learn_file(latent_show(original, mask), "latent-hole"), mean_image_fill(original, mask, mean_image)
    mean_l1 = hole_l1(mean_fill[None], original[None], mask[None]).item()
    config = LatentSearchConfig(steps=int(steps), callback_every=10)

    updates = queue.Queue()

    def search_in_background():
        try:
            with toy.one_thread():
                result = latent_inpaint(generator, discriminator, original, mask, config,
                                        callback=lambda step, best, loss: updates.put(("frame", step, best, loss)))
            updates.put(("done", result))
        except Exception as error:   # reported to the user below
            updates.put(("error", error))

    started = time.perf_counter()
    threading.Thread(target=search_in_background, daemon=True).start()
    original_path, mean_path = learn_file(latent_show(original), "latent-original"), learn_file(latent_show(mean_fill), "latent-mean")
    while True:
        kind, *payload = updates.get()
        if kind == "error":
            error = payload[0]
            raise gr.Error(str(error) if isinstance(error, ValueError) else
                           f"The search failed ({type(error).__name__}); please try again.") from error
        if kind == "frame":
            step, best, loss = payload
            yield (original_path, masked, mean_path, learn_file(latent_show(best), "latent-best"),
                   f"Searching… step {step} / {config.steps}, context loss {loss:.4f} (L1 against the known pixels)")
            continue
        result = payload[0]
        seconds = time.perf_counter() - started
        search_l1 = hole_l1(result.filled[None], original[None], mask[None]).item()
        yield (original_path, masked, mean_path, learn_file(latent_show(result.filled), "latent-filled"),
               f"Done in {seconds:.1f} s ({config.steps} steps × {config.restarts} restarts). L1 error over the "
               f"hole (0-1 scale, lower is better): **mean image {mean_l1:.3f}**, **latent search {search_l1:.3f}**. "
               f"Test item {index}: {data_lib.FASHION_CLASSES[int(labels[index])]}.")
        return


# ----------------------------------------------------------------------------------------------------
# The tab


def learn_tab(demo: gr.Blocks) -> None:
    """Learn how a GAN trains: a 2D playground, a DCGAN on Fashion-MNIST, and inpainting by latent search."""
    with gr.Tab("Learn", id="learn"):
        # --- 1. the playground ---------------------------------------------------------------------
        gr.Markdown("## 1. A GAN you can watch\nTwo tiny networks play the GAN game on points in the plane. Press "
                    "**Train** and watch the purple points learn the green data.")
        session = gr.State(None)
        timer = gr.Timer(TOY_TICK_S, active=False)
        with gr.Row():
            with gr.Column(scale=3):
                with gr.Row():
                    preset = gr.Dropdown([TOY_CUSTOM, *toy.PRESETS], value=TOY_CUSTOM, label="Preset", scale=2)
                    preset_text = gr.Markdown(toy_preset_text(None))
                with gr.Row():
                    target = gr.Dropdown(list(toy.TARGETS), value="ring", label="Target data",
                                         info="'drawn': the strokes on the sketchpad")
                    loss = gr.Dropdown(TOY_LOSSES, value="nonsaturating", label="Loss")
                    optimizer = gr.Dropdown(list(toy.OPTIMIZERS), value="adam", label="Optimiser")
                formula = gr.Markdown(toy_formula("nonsaturating"))
                with gr.Row():
                    lr_g = gr.Dropdown(TOY_LR_CHOICES, value=0.001, label="G learning rate", allow_custom_value=True)
                    lr_d = gr.Dropdown(TOY_LR_CHOICES, value=0.001, label="D learning rate", allow_custom_value=True)
                    d_steps = gr.Slider(1, 10, value=2, step=1, label="D steps per G step")
                    noise_dim = gr.Slider(1, 8, value=2, step=1, label="Noise dimension",
                                          info="Changing it restarts the game")
                with gr.Row():
                    train = gr.Button("Train ▶", variant="primary")
                    pause = gr.Button("Pause")
                    step = gr.Button("Step")
                    reset = gr.Button("Reset")
                    slow = gr.Button("Step slowly")
                    next_stage = gr.Button("Next stage ▶", interactive=False)
                slow_text = gr.Markdown("Press **Step slowly** to walk through one training step, stage by stage.")
                speed = gr.Slider(5, 200, value=TOY_DEFAULT_SPEED, step=5, label="Training speed (steps per second)")
                with gr.Accordion("Draw your own data (target 'drawn')", open=False):
                    sketch = gr.Sketchpad(type="numpy", image_mode="RGBA", format="png", canvas_size=(240, 240),
                                          fixed_canvas=True, label="Draw strokes: each becomes real data",
                                          brush=gr.Brush(colors=["#000000"], color_mode="fixed", default_size=6),
                                          layers=False, transforms=(), height=300)
            with gr.Column(scale=2):
                view = gr.Image(label="The game", type="filepath", interactive=False, height=TOY_VIEW_SIZE,
                                show_label=True, elem_id="toy-view")
                with gr.Row():
                    show_surface = gr.Checkbox(True, label="D's heatmap")
                    show_arrows = gr.Checkbox(True, label="G's arrows")
                    show_manifold = gr.Checkbox(True, label="G's manifold")
                stats = gr.Markdown()
                gr.Markdown(TOY_LEGEND)
        with gr.Row():
            loss_plot = gr.LinePlot(empty_curves(), x="step", y="value", color="series", title="Losses", height=220,
                                    y_title="loss")
            score_plot = gr.LinePlot(empty_curves(), x="step", y="value", color="series",
                                     title="Mean D(x) and D(G(z))", height=220, y_title="D's output")
            distance_plot = gr.LinePlot(empty_curves(), x="step", y="value", color="series",
                                        title="How far apart: JS and KL", height=220, y_title="bits")
        gr.Markdown(TOY_EXPLAINER)

        layers = [show_surface, show_arrows, show_manifold]
        outputs = [session, view, loss_plot, score_plot, distance_plot, stats]
        settings = [target, loss, lr_g, lr_d, optimizer, d_steps, noise_dim, sketch]
        demo.load(toy_start, layers, outputs, api_name="toy_start")
        for control in layers:
            control.input(toy_redraw, [session, *layers], outputs, api_name=f"toy_redraw_{control.label.split()[-1]}",
                          api_visibility="undocumented" if control is not show_surface else "public")
        for control, name in zip(settings[:-1], ("target", "loss", "lr_g", "lr_d", "optimizer", "d_steps", "noise_dim")):
            control.input(toy_configure, [session, *settings, *layers], outputs,
                          api_name="toy_configure" if control is target else f"toy_configure_{name}",
                          api_visibility="public" if control is target else "undocumented")
        sketch.change(toy_configure, [session, *settings, *layers], outputs, api_name="toy_configure_drawing",
                      api_visibility="undocumented")
        loss.change(toy_formula, loss, formula, api_name="toy_formula", queue=False)
        preset.input(toy_preset, [session, preset, *layers], [*outputs, preset_text, *settings[:-1]],
                     api_name="toy_preset")
        train.click(toy_train, None, timer, api_name="toy_train", queue=False)
        pause.click(toy_pause, session, [session, timer], api_name="toy_pause", queue=False)
        # Off the queue: each tick is small and bounded (TOY_MAX_STEPS_PER_TICK, one per session at a time by its
        # lock), and the queue's round trip alone cost ~200 ms, which halved the refresh rate. always_last: a
        # tick that fires while one is running runs right after it, instead of waiting for the next period.
        timer.tick(toy_tick, [session, speed, *layers], outputs, api_name="toy_tick", api_visibility="undocumented",
                   show_progress="hidden", trigger_mode="always_last", queue=False)
        step.click(toy_step, [session, *layers], outputs, api_name="toy_step", show_progress="hidden")
        reset.click(toy_reset, [session, *layers], outputs, api_name="toy_reset")
        slow.click(toy_slow_start, [session, *layers], [*outputs, slow_text, next_stage, timer],
                   api_name="toy_slow_step")
        next_stage.click(toy_slow_next, [session, *layers], [*outputs, slow_text, next_stage],
                         api_name="toy_slow_next", show_progress="hidden")

        # --- 2. the DCGAN ---------------------------------------------------------------------------
        gr.Markdown("## 2. A DCGAN on Fashion-MNIST")
        gr.Markdown(DCGAN_EXPLAINER)
        with gr.Row():
            with gr.Column():
                sample_seed = gr.Number(0, precision=0, label="Noise seed")
                sample_button = gr.Button("Generate 64 garments", variant="primary")
                sample_grid = gr.Image(label="G(z) for 64 fixed noise vectors", type="filepath", interactive=False)
                sample_note = gr.Markdown()
            with gr.Column():
                with gr.Row():
                    seed_a = gr.Number(1, precision=0, label="Seed of z_a")
                    seed_b = gr.Number(2, precision=0, label="Seed of z_b")
                walk = gr.Slider(0, 1, value=0.5, step=0.05, label="From z_a (0) to z_b (1)")
                walk_row = gr.Image(label="8 steps along the way", type="filepath", interactive=False, height=120)
                walk_frame = gr.Image(label="The garment at the slider", type="filepath", interactive=False,
                                      height=256, width=256)
                walk_note = gr.Markdown()
        gr.Markdown("### The training story\nThe run that made these weights, from its log.")
        with gr.Row():
            story_losses = gr.LinePlot(empty_curves(), x="step", y="value", color="series", title="Losses",
                                       height=240, y_title="loss")
            story_scores = gr.LinePlot(empty_curves(), x="step", y="value", color="series",
                                       title="Mean D(x) and D(G(z))", height=240, y_title="probability")
        with gr.Row():
            with gr.Column():
                story_index = gr.Slider(0, 1, value=0, step=1, label="Scrub through training (sample grids)")
                story_caption = gr.Markdown()
            story_grid = gr.Image(label="Samples during training", type="filepath", interactive=False, height=300)
        sample_button.click(dcgan_samples, sample_seed, [sample_grid, sample_note], api_name="dcgan_samples")
        walk_inputs = [seed_a, seed_b, walk]
        for control in walk_inputs:
            control.change(dcgan_interpolate, walk_inputs, [walk_row, walk_frame, walk_note],
                           api_name="dcgan_interpolate" if control is walk else f"dcgan_interpolate_{control.label[-3:]}",
                           api_visibility="public" if control is walk else "undocumented",
                           trigger_mode="always_last", show_progress="hidden")
        story_index.change(dcgan_story_frame, story_index, [story_grid, story_caption], api_name="dcgan_story_frame",
                           show_progress="hidden")
        demo.load(dcgan_story, None, [story_losses, story_scores, story_index, story_grid, story_caption],
                  api_name="dcgan_story")
        demo.load(dcgan_samples, sample_seed, [sample_grid, sample_note], api_name="dcgan_samples_on_load",
                  api_visibility="undocumented")
        demo.load(dcgan_interpolate, walk_inputs, [walk_row, walk_frame, walk_note],
                  api_name="dcgan_interpolate_on_load", api_visibility="undocumented")

        # --- 3. latent search -----------------------------------------------------------------------
        gr.Markdown("## 3. Filling a hole by searching G's latent space")
        gr.Markdown(LATENT_EXPLAINER)
        with gr.Row():
            with gr.Column(scale=1):
                item = gr.Slider(0, 9999, value=0, step=1, label="Fashion-MNIST test item")
                item_name = gr.Markdown()
                hole = gr.Radio([LATENT_RANDOM_SQUARE, LATENT_DRAWN], value=LATENT_RANDOM_SQUARE, label="Hole")
                hole_seed = gr.Number(0, precision=0, label="Seed of the random square")
                search_steps = gr.Slider(20, 400, value=200, step=10, label="Search steps")
                with gr.Row():
                    random_button = gr.Button("Random item")
                    search_button = gr.Button("Search ▶", variant="primary")
            with gr.Column(scale=1):
                hole_editor = gr.ImageMask(label="Paint a hole here (choose 'The hole I paint')", type="numpy",
                                           image_mode="RGBA", format="png", canvas_size=(256, 256), fixed_canvas=True,
                                           brush=gr.Brush(colors=[("#e6285a", 0.8)], color_mode="fixed",
                                                          default_size=24),
                                           layers=False, transforms=(), sources=(), height=330)
        search_status = gr.Markdown()
        with gr.Row():
            latent_original = gr.Image(label="Original", type="filepath", interactive=False, height=256)
            latent_masked = gr.Image(label="With the hole", type="filepath", interactive=False, height=256)
            latent_mean = gr.Image(label="Mean-image fill", type="filepath", interactive=False, height=256)
            latent_best = gr.Image(label="Latent search (best so far)", type="filepath", interactive=False,
                                   height=256)
        item.release(latent_pick, item, [hole_editor, item_name], api_name="latent_pick")
        random_button.click(latent_random, hole_seed, [item, hole_seed, hole_editor, item_name],
                            api_name="latent_random")
        search_button.click(latent_search, [item, hole, hole_seed, hole_editor, search_steps],
                            [latent_original, latent_masked, latent_mean, latent_best, search_status],
                            api_name="latent_search", show_progress="minimal")
        demo.load(latent_pick, item, [hole_editor, item_name], api_name="latent_pick_on_load",
                  api_visibility="undocumented")


# ----------------------------------------------------------------------------------------------------
# 6c. The Restore tab: denoise a photo or enlarge it 2x / 4x, with a GAN or a classical method to compare

RESTORE_TASKS = {"denoise": "Denoise", "sr2": "Enlarge 2x", "sr4": "Enlarge 4x"}   # gan_core task -> label
RESTORE_SCALES = {"denoise": 1, "sr2": 2, "sr4": 4}
RESTORE_METHODS = {"gan": "GAN", "nlmeans": "Non-local means (classical)", "bicubic": "Bicubic (classical)",
                   "lanczos": "Lanczos (classical)"}
RESTORE_METHODS_FOR = {"denoise": ("gan", "nlmeans"), "sr2": ("gan", "bicubic", "lanczos"),
                       "sr4": ("gan", "bicubic", "lanczos")}
RESTORE_WEIGHTS_ENV = "GAN_STUDIO_RESTORE_WEIGHTS"  # folder of TASK.safetensors; default weights/ (tests: tiny ones)
MAX_NOISE_SIGMA = 50                    # on 0-255; the denoiser learned on sigma 5-50
NOISE_SEED = 0                          # the synthetic noise is the same on every run, so results can be compared
CLOSE_UP_SIDE = 256                     # output pixels on each side of the close-up, shown pixel-doubled
RESTORE_EXAMPLES = (("dandelions", "denoise", 25), ("ladybird", "sr2", 0), ("room", "sr4", 0))


@dataclass
class Restored:
    task: str
    method: str
    source: np.ndarray                  # HxWx3 uint8: what the method worked on (with the synthetic noise, if any)
    image: np.ndarray                   # HxWx3 uint8: the result, 2x / 4x larger for enlargements
    seconds: float
    detail: str                         # one line on what was done, for the status text


def restore_weights(task: str) -> Path:
    """weights/TASK.safetensors, or the same name in the folder GAN_STUDIO_RESTORE_WEIGHTS names (may not exist)."""
    return Path(os.environ.get(RESTORE_WEIGHTS_ENV) or weights_lib.WEIGHTS_DIR) / f"{task}.safetensors"


def classical_names(task: str) -> str:
    """'Non-local means (classical)' or 'Bicubic (classical) or Lanczos (classical)': what works without a model."""
    return " or ".join(RESTORE_METHODS[method] for method in RESTORE_METHODS_FOR[task][1:])


def check_restore_model(task: str) -> Path:
    """The task's weights file, or a gr.Error that names the missing file and the method that works without it."""
    path = restore_weights(task)
    if not path.exists():
        raise gr.Error(f"The {task} model ({RESTORE_TASKS[task]}) is not installed: {path.parent.name}/{path.name} "
                       f"is missing. Choose {classical_names(task)} instead: the classical methods need no model.")
    return path


def restore_models_note() -> str:
    """One Markdown line: which GAN models are installed (with their training steps) and which are not yet."""
    installed, missing = [], []
    for task, label in RESTORE_TASKS.items():
        path = restore_weights(task)
        if not path.exists():
            missing.append(label)
            continue
        try:
            steps = weights_lib.read_card(path).get("steps")
            installed.append(label + (f" ({steps:,} training steps)" if steps else ""))
        except (FileNotFoundError, ValueError):
            installed.append(f"{label} (its model card is missing or unreadable)")
    if not installed:
        return "**GAN models:** none installed yet; the classical methods work for every task."
    return (f"**GAN models installed:** {', '.join(installed)}."
            + (f" Not yet: {', '.join(missing)}; use a classical method there." if missing else ""))


def restore_method_choices(task: str) -> list[tuple[str, str]]:
    """(label, value) of the methods that can do a task, GAN first."""
    return [(RESTORE_METHODS[method], method) for method in RESTORE_METHODS_FOR.get(task, ("gan",))]


def restore_methods(task: str, method: str | None) -> dict:
    """The Method radio after the task changed: the task's methods, keeping GAN or the nearest classical one."""
    methods = RESTORE_METHODS_FOR.get(task, ("gan",))
    keep = method if method in methods else methods[1]   # GAN is always offered; else the first classical one
    return gr.update(choices=restore_method_choices(task), value=keep)


def check_restore_request(photo: np.ndarray, task: str, method: str, noise_sigma) -> float:
    """Refuse unknown tasks and methods, noise outside 0-50 and results over the pixel limit; the sigma as float."""
    if task not in RESTORE_TASKS:
        raise gr.Error(f"Unknown task {task!r}; choose one of: {', '.join(RESTORE_TASKS)}.")
    if method not in RESTORE_METHODS_FOR[task]:
        raise gr.Error(f"{method!r} is not a method for {RESTORE_TASKS[task]} ({task}); choose one of: "
                       f"{', '.join(RESTORE_METHODS_FOR[task])}.")
    sigma = float(noise_sigma or 0)
    if not 0 <= sigma <= MAX_NOISE_SIGMA:  # also refuses NaN
        raise gr.Error(f"The synthetic noise must be between 0 and {MAX_NOISE_SIGMA} (sigma on the 0-255 scale), "
                       f"not {noise_sigma}.")
    scale = RESTORE_SCALES[task]
    height, width = photo.shape[:2]
    if height * width * scale**2 > MAX_PIXELS:
        fit = (MAX_PIXELS / (height * width)) ** 0.5 / scale
        advice = "Choose Enlarge 2x, or use" if scale == 4 and height * width * 4 <= MAX_PIXELS else "Use"
        raise gr.Error(f"Enlarging this {width}x{height} px photo {scale}x would make a {width * scale}x"
                       f"{height * scale} px image ({io_checks.megapixels(width * height * scale**2)}), over the "
                       f"studio's limit of {io_checks.megapixels(MAX_PIXELS)}. {advice} a photo of at most "
                       f"{int(width * fit)}x{int(height * fit)} px.")
    return sigma


def conversion_notes(image) -> list[str]:
    """What converting an upload to 8-bit RGB loses, for the user: transparency and 16-bit depth."""
    mode = getattr(image, "mode", "")
    notes = []
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in getattr(image, "info", {})):
        notes.append("The photo has transparent areas; they were filled with white (the result has no transparency).")
    if mode.startswith("I") or mode == "F":
        notes.append("The photo has 16 bits per channel; it was processed at 8 bits, and the PNG is 8-bit.")
    return notes


@gpu
def run_restore_gan(photo: np.ndarray, task: str, weights: str, progress=None) -> np.ndarray:
    """The restoration GAN over the photo in tiles, in its own function so that ZeroGPU can give it a GPU."""
    return inference.restore_detailed(photo, task, weights=weights, progress=progress)


def run_restore(photo: np.ndarray, task: str, method: str, noise_sigma=0, progress=None) -> Restored:
    """Add the seeded synthetic noise (if asked), then denoise or enlarge with one method.

    progress: called with the fraction of GAN tiles done.
    """
    sigma = check_restore_request(photo, task, method, noise_sigma)
    weights = check_restore_model(task) if method == "gan" else None
    source = photo if not sigma else data_lib.add_gaussian_noise(photo, sigma, np.random.default_rng(NOISE_SEED))
    started = time.perf_counter()
    if method == "gan":
        image = run_restore_gan(source, task, str(weights), progress)
        detail = f"the GAN (model `{task}`)"
    elif method == "nlmeans":
        strength = sigma or metrics.noise_sigma(source)
        image = classical.nl_means(source, strength)
        detail = (f"OpenCV's non-local means (classical), set for noise sigma {strength:.0f}"
                  + ("" if sigma else " (estimated from the photo)"))
    else:
        image = classical.upscale(source, RESTORE_SCALES[task], method)
        detail = f"Pillow's {method.capitalize()} filter (classical, no learning)"
    return Restored(task, method, source, image, time.perf_counter() - started, detail)


def close_up(image: np.ndarray, side: int = CLOSE_UP_SIDE) -> np.ndarray:
    """The centre of an image, `side` px square (less if it is smaller), every pixel doubled to be seen."""
    height, width = image.shape[:2]
    top, left = max(0, (height - side) // 2), max(0, (width - side) // 2)
    return enlarge(image[top:top + side, left:left + side], 2)


@friendly_errors
def restore_photo(image, task: str, method: str, noise_sigma: float, progress=gr.Progress()):
    """Restore tab, "Run": (before/after pair, close-up pair, PNG to download, status Markdown)."""
    progress(0.02, desc="Reading the photo")
    photo = read_photo(image)
    notes = conversion_notes(image)
    warn(notes)
    label = RESTORE_TASKS.get(task, task)
    result = run_restore(photo, task, method, noise_sigma,
                         progress=lambda fraction: progress(0.05 + 0.85 * fraction, desc=f"{label}: tile by tile"))
    progress(0.92, desc="Saving the full-resolution PNG")
    scale = RESTORE_SCALES[task]
    before = result.source if scale == 1 else enlarge(result.source, scale)   # the same size as the result
    after = save_png(result.image, f"{task}-{method}")
    pair = (save_png(before, "restore-before", compress_level=1), after)
    close = (save_png(close_up(before), "close-before", 1), save_png(close_up(result.image), "close-after", 1))
    height, width = photo.shape[:2]
    out_height, out_width = result.image.shape[:2]
    lines = [f"**{label}** in {result.seconds:.2f} s with {result.detail}: {width}x{height} px → {out_width}x"
             f"{out_height} px ({io_checks.megapixels(out_width * out_height)}). The PNG is full size and lossless."]
    noisy = result.source is not photo
    left = "the noisy photo the method received" if noisy else "the photo as sent"
    if noisy:
        lines.append(f"Synthetic noise of sigma {float(noise_sigma):g} was added first (seed {NOISE_SEED}: the same "
                     "noise every run)." + (f" Left side: {left}." if scale == 1 else ""))
    if noisy and scale == 1:
        lines.append(f"Against your photo before the noise: noisy {metrics.psnr(photo, result.source):.2f} dB, "
                     f"result **{metrics.psnr(photo, result.image):.2f} dB** PSNR (higher = closer).")
    if scale > 1:
        lines.append(f"Left side: {left}, each pixel repeated {scale}x{scale} (nearest neighbour), so both sides are "
                     "the same size.")
    return pair, close, after, "\n\n".join(lines + [f"⚠️ {n}" for n in notes])


@friendly_errors
def restore_api(image, task: str = "denoise", method: str = "gan", noise_sigma: float = 0) -> str:
    """API endpoint /restore: a photo -> path of the denoised or enlarged full-size PNG.

    task: denoise, sr2 or sr4 (2x / 4x larger). method: gan, or the classical nlmeans (denoise), bicubic or
    lanczos (sr2, sr4). noise_sigma: seeded Gaussian noise (0-50 on 0-255) added first, to try a denoiser on a
    clean photo.
    """
    photo = read_photo(image)
    warn(conversion_notes(image))
    result = run_restore(photo, task, method, noise_sigma)
    return save_png(result.image, f"{task}-{method}")


def restore_tab(demo: gr.Blocks) -> None:
    """Denoise a photo or enlarge it 2x / 4x with a GAN; the classical method alongside, to compare."""
    with gr.Tab("Restore", id="restore"):
        gr.Markdown("Upload or paste a photo (or click an example below), choose what to do and press **Run**. "
                    "Choose a classical method instead of the GAN to compare the two on the same photo.")
        with gr.Row():
            with gr.Column(scale=3):
                photo = guard_uploads(gr.Image(label="Photo", type="pil", image_mode=None, elem_id="restore-photo",
                                               sources=("upload", "clipboard"), height=420))
            with gr.Column(scale=2):
                task = gr.Radio([(label, name) for name, label in RESTORE_TASKS.items()], value="denoise",
                                label="Task")
                method = gr.Radio(restore_method_choices("denoise"), value="gan", label="Method",
                                  info="GAN = the trained network; the classical methods need no model")
                noise = gr.Slider(0, MAX_NOISE_SIGMA, value=0, step=1, label="Add synthetic noise first (sigma, 0-255 "
                                  "scale; 0 = off)", info="Try the denoiser on a clean photo: the same noise every run")
                models_note = gr.Markdown(restore_models_note())
                run = gr.Button("Run", variant="primary")
        gr.Examples([[str(EXAMPLES_DIR / f"{name}.jpg"), name_of_task, sigma]
                     for name, name_of_task, sigma in RESTORE_EXAMPLES],
                    inputs=[photo, task, noise], label="Examples: press Run after choosing one",
                    example_labels=[f"{name.capitalize()}: {RESTORE_TASKS[name_of_task].lower()}"
                                    + (f", noise {sigma}" if sigma else "")
                                    for name, name_of_task, sigma in RESTORE_EXAMPLES])
        status = gr.Markdown()
        download = gr.DownloadButton("Download the result (PNG, full resolution)", interactive=False,
                                     elem_id="restore-download")
        with gr.Row(equal_height=False):
            before_after = gr.ImageSlider(label="Before / after (drag the handle)", type="filepath", format="png",
                                          max_height=640, scale=3)
            close = gr.ImageSlider(label="Close-up: the centre, up to 256x256 px, enlarged", type="filepath",
                                   format="png", max_height=640, scale=2)

        task.change(restore_methods, [task, method], method, api_visibility="private", queue=False)
        run.click(restore_photo, [photo, task, method, noise], [before_after, close, download, status],
                  api_name="restore_photo").success(enable, None, download, api_visibility="private", queue=False)
        demo.load(restore_models_note, None, models_note, api_name="restore_models", queue=False)


# ----------------------------------------------------------------------------------------------------
# 7. The app


def build_demo() -> gr.Blocks:
    """The whole studio: one tab per task (Inpaint, Evaluate, Learn, Restore)."""
    with gr.Blocks(title="GAN Restoration Studio", delete_cache=(3600, 3600)) as demo:
        gr.Markdown("# GAN Restoration Studio\nRepair a photo with a generative adversarial network, compare it "
                    "with classical methods, and see what its critic thinks.")
        with gr.Tabs():
            inpaint_tab(demo)
            evaluate_tab(demo)
            learn_tab(demo)
            restore_tab(demo)
        api_endpoints()
    demo.queue(default_concurrency_limit=2, max_size=64)
    return demo


def main() -> None:
    """Serve on GRADIO_SERVER_NAME:GRADIO_SERVER_PORT (default 127.0.0.1:7860)."""
    logging.basicConfig(level=logging.INFO)
    build_demo().launch(server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
                        server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
                        max_file_size=MAX_FILE_SIZE, allowed_paths=[str(EXAMPLES_DIR)])


if __name__ == "__main__":
    main()
