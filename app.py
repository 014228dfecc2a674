"""GAN Restoration Studio: repair a photo with a GAN, compare it with classical methods, and see how it judges.

Run `python app.py` and open http://127.0.0.1:7860 (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT change where it
listens; on Hugging Face Spaces the same file is the app). This file only wires Gradio components to
`gan_core`: every model, metric and mask lives there. Read it top to bottom:

1. settings;  2. reading what the user sent (photo, painted or uploaded mask);  3. running a method;
4. writing results (PNG files, the critic's heatmap, model facts);  5. the handlers behind each button;
6. the tabs (Inpaint, Evaluate; Learn and Restore slot in beside them);  7. build_demo() and launch.

Results go back to the browser as PNG files we write ourselves, one new file per result: Gradio 6.31 writes
returned PIL images and arrays to a content-addressed cache path without an atomic rename, and identical
concurrent requests then read each other's half-written files (see shared/notes/gradio-6.md).
"""
import functools
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
import numpy as np
import pandas as pd
from PIL import Image

from gan_core import classical, inference, io_checks, masks, metrics
from gan_core import weights as weights_lib

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


def prune_outputs(now: float | None = None) -> None:
    """Delete our result files older than an hour; Gradio has copied them to its own cache by then."""
    now = now or time.time()
    for path in OUTPUT_DIR.glob("*.png"):
        try:
            if now - path.stat().st_mtime > OUTPUT_MAX_AGE_S:
                path.unlink()
        except OSError:  # another request pruned it first
            pass


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
    for key, value in flatten(card.get("evaluation", {})):
        lines.append(f"- {key}: {value:.3f}" if isinstance(value, float) else f"- {key}: {value}")
    if card.get("sha256"):
        lines.append(f"- sha256 `{card['sha256'][:12]}…`")
    return "\n".join(lines)


def flatten(tree: dict, prefix: str = "") -> list[tuple[str, object]]:
    """{"a": {"b": 1}} -> [("a / b", 1)]: nested evaluation numbers as one list."""
    items = []
    for key, value in tree.items():
        name = f"{prefix}{key}".replace("_", " ")
        items += flatten(value, f"{name} / ") if isinstance(value, dict) else [(name, value)]
    return items


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
    """Endpoints for scripts, with no place in the page: /inpaint takes a photo and a mask file."""
    with gr.Column(visible=False):
        image = guard_uploads(gr.Image(type="pil", image_mode=None, label="image"))
        mask = guard_uploads(gr.Image(type="pil", image_mode=None, label="mask (white = fill)"))
        grow = gr.Number(DEFAULT_GROW, precision=0, label="grow (pixels)")
        method = gr.Radio(list(METHODS), value=GAN, label="method")
        model = gr.Textbox("", label="model (a name in weights/; empty = the default)")
        filled = gr.Image(type="filepath", format="png", label="filled")
        trigger = gr.Button("inpaint")
    trigger.click(inpaint_api, [image, mask, grow, method, model], filled, api_name="inpaint")


# ----------------------------------------------------------------------------------------------------
# 7. The app


def build_demo() -> gr.Blocks:
    """The whole studio: one tab per task. Learn and Restore are added beside Inpaint and Evaluate."""
    with gr.Blocks(title="GAN Restoration Studio", delete_cache=(3600, 3600)) as demo:
        gr.Markdown("# GAN Restoration Studio\nRepair a photo with a generative adversarial network, compare it "
                    "with classical methods, and see what its critic thinks.")
        with gr.Tabs():
            inpaint_tab(demo)
            evaluate_tab(demo)
            # learn_tab(demo)    -> the Learn tab (how a GAN trains) goes here
            # restore_tab(demo)  -> the Restore tab (denoising, super-resolution) goes here
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
