"""The Inpaint tab: paint over what to remove, fill it with the GAN (or a classical method), compare, see the critic.

A fill goes: Fill button -> fill() -> run_method() -> run_gan() -> gan_core.inference.inpaint_detailed(),
which crops around the hole, runs the generator and pastes back only the hole's pixels.
"""
import time
from dataclasses import dataclass

import gradio as gr
import numpy as np
from PIL import Image

from gan_core import classical, inference, io_checks, masks, tasks
from studio.common import (EXAMPLES, EXAMPLES_DIR, OUTPUT_DIR, enable, friendly_errors, gpu, guard_uploads,
                           read_editor, read_mask, save_image, show, warn, with_notes)
from studio.models import available_models, check_model, model_picker

INPAINT = tasks.get("inpaint")
METHODS = tuple(method.label for method in INPAINT.methods)   # what the Method radio and the API take
MIN_GAN_SIDE = tasks.GAN.min_side       # the GAN's convolutions need this much image on each side
DEFAULT_GROW = 4                        # pixels: covers the soft, anti-aliased edge of a brush stroke
MAX_GROW = 64                           # the API takes any number; more than this is a typo
BRUSH_COLOUR = ("#ff00c8", 0.6)         # see-through magenta: the photo stays visible under the strokes
CRITIC_EXPLANATION = (
    "**What the critic sees.** The GAN was trained against a critic (a PatchGAN discriminator) that scores every "
    "patch of a photo for how real it looks; here its verdict on your result is painted over it, inside the "
    "region the GAN worked on: **red = looks fake**, green = looks real.")


# ----------------------------------------------------------------------------------------------------
# Running a method


@dataclass
class Fill:
    method: str                         # the method's label, as the user chose it
    image: np.ndarray                   # HxWx3 uint8, the full-size result
    seconds: float
    critic: np.ndarray | None = None    # HxW in [0, 1] "looks real", NaN outside the processed crop
    detail: str = ""                    # one line on what was done, for the status text


def inpaint_method(name_or_label: str) -> tasks.Method:
    """The inpainting method called `name_or_label` ("GAN", "Telea", "ns"...), or a gr.Error that lists them."""
    try:
        return INPAINT.method(name_or_label)
    except ValueError as error:
        raise gr.Error(f"Unknown method {name_or_label!r}; choose one of {', '.join(METHODS)}.") from error


@gpu
def run_gan(photo: np.ndarray, hole: np.ndarray, model: str, with_critic: bool) -> inference.InpaintResult:
    """The GAN fill, in its own function so that ZeroGPU can give it a GPU for the call."""
    return inference.inpaint_detailed(photo, hole, weights=model, with_critic=with_critic)


def run_method(method: str, photo: np.ndarray, hole: np.ndarray, model: str | None = None,
               with_critic: bool = False) -> Fill:
    """Fill `hole` (HxW bool, already grown) in `photo` with one method; unmasked pixels stay as they were."""
    chosen = inpaint_method(method)
    if chosen == tasks.GAN:
        if min(photo.shape[:2]) < MIN_GAN_SIDE:
            raise gr.Error(f"This photo is {photo.shape[1]}x{photo.shape[0]} px; the GAN needs at least "
                           f"{MIN_GAN_SIDE} px on each side. Telea, Navier-Stokes and FSR work at any size.")
        model = check_model(model)
        result = run_gan(photo, hole, model, with_critic)
        top, left, bottom, right = result.box
        detail = (f"GAN `{model}` worked on a {right - left}x{bottom - top} px crop around the mask"
                  + (f", scaled to {result.working_size[1]}x{result.working_size[0]}"
                     if result.working_size != (bottom - top, right - left) else ""))
        return Fill(chosen.label, result.image, result.seconds, result.critic, detail)
    started = time.perf_counter()
    image = classical.INPAINT_METHODS[chosen.name](photo, hole)
    return Fill(chosen.label, image, time.perf_counter() - started, None,
                f"OpenCV {chosen.label} (classical, no learning)")


def methods_for(photo: np.ndarray) -> tuple[list[str], list[str]]:
    """The methods (labels) that can run on this photo, and a Markdown line for each one left out and why."""
    usable, skipped = [], []
    for method in INPAINT.methods:
        if method == tasks.GAN and not available_models():
            skipped.append("- **GAN**: skipped, no GAN model is installed yet")
        elif min(photo.shape[:2]) < method.min_side:
            skipped.append(f"- **{method.label}**: skipped, the photo is under {method.min_side} px on a side")
        else:
            usable.append(method.label)
    return usable, skipped


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


def read_photo_and_mask(editor: dict | None, uploaded_mask) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(photo, what to fill HxW bool, notes): the painted strokes and the uploaded mask together."""
    photo, painted, notes = read_editor(editor)
    mask = np.zeros(photo.shape[:2], bool) if painted is None else painted
    if uploaded_mask is not None:
        uploaded, more = read_mask(uploaded_mask, photo.shape[:2])
        mask, notes = mask | uploaded, notes + more
    return photo, mask, notes


def critic_overlay(image: np.ndarray, critic: np.ndarray) -> np.ndarray:
    """Paint the critic's map over the result: red where it says fake, faint green where it says real.

    critic: HxW probability of "real" in [0, 1], NaN where the GAN did not work (left unpainted).
    """
    inside = np.isfinite(critic)
    real = np.where(inside, critic, 1.0)[..., None]                  # (H, W, 1)
    colour = (1 - real) * np.array([255, 30, 30]) + real * np.array([40, 200, 80])
    alpha = np.where(inside, 0.15 + 0.5 * (1 - real[..., 0]), 0.0)[..., None]
    return (image * (1 - alpha) + colour * alpha).round().clip(0, 255).astype(np.uint8)


# ----------------------------------------------------------------------------------------------------
# Handlers: one per button, each also an API endpoint


@friendly_errors
def fill(editor: dict | None, uploaded_mask, grow: float, method: str, model: str | None, show_critic: bool,
         progress=gr.Progress()):
    """"Fill": (before/after pair, PNG to download, critic overlay or None, its panel's visibility, status)."""
    progress(0.05, desc="Reading the photo and mask")
    photo, mask, notes = read_photo_and_mask(editor, uploaded_mask)
    before = save_image(photo, "before", compress_level=1)
    if not mask.any():
        notes.append("The mask is empty: paint over what to remove (choose the Brush), or upload a mask. "
                     "The photo is returned unchanged.")
        warn(notes)
        return (before, before), before, None, gr.update(visible=False), with_notes("", notes)
    hole, more = prepare_hole(mask, grow)
    notes += more
    warn(notes)
    progress(0.2, desc=f"Filling with {method}")
    is_gan = inpaint_method(method) == tasks.GAN
    result = run_method(method, photo, hole, model, with_critic=show_critic and is_gan)
    progress(0.9, desc="Saving the full-resolution PNG")
    after = save_image(result.image, f"filled-{method.lower()}")
    critic = None
    if show_critic and result.critic is not None:
        critic = save_image(critic_overlay(result.image, result.critic), "critic")
    elif show_critic:
        notes.append("The critic's map is drawn for GAN fills only: choose GAN as the method.")
    status = (f"Filled {hole.mean():.1%} of the {photo.shape[1]}x{photo.shape[0]} px photo in "
              f"{result.seconds:.2f} s. {result.detail}. Unmasked pixels are unchanged; the PNG is full size "
              "and lossless.")
    return (before, after), after, critic, gr.update(visible=critic is not None), with_notes(status, notes)


def critic_toggled(show_critic: bool, editor, uploaded_mask, grow, method, model):
    """Ticking "What the critic sees" fills again with the critic's map; unticking just hides the map."""
    has_photo = bool(editor) and editor.get("background") is not None
    if not show_critic or not has_photo:
        return gr.update(), gr.update(), gr.update(), gr.update(visible=show_critic), gr.update()
    return fill(editor, uploaded_mask, grow, method, model, True)


@friendly_errors
def compare(editor: dict | None, uploaded_mask, grow: float, model: str | None, progress=gr.Progress()):
    """"Compare all methods": the same mask filled by each method, with the time each took."""
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
        gallery.append((save_image(result.image, f"compare-{method.lower()}"), f"{method}: {result.seconds:.2f} s"))
        lines.append(f"- **{method}**: {result.seconds:.2f} s. {result.detail}")
    return gallery, "\n".join(lines)


# ----------------------------------------------------------------------------------------------------
# The tab


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
    """The photo-and-brush editor (Inpaint and Evaluate): lossless PNG transfer, full resolution, one layer.

    canvas_size is small on purpose: Gradio 6.31's editor centres a layer loaded from an example on the bounds
    of everything on the canvas, and when the layer loads before the initial canvas is gone (a race, seen once
    in a few tries) those bounds are the 800x800 default, shifting the prepared mask off its object. With an
    initial canvas smaller than the photos, the bounds are the photo's either way.
    """
    return guard_uploads(gr.ImageEditor(
        label=label, elem_id=elem_id, type="numpy", image_mode="RGBA", format="png", sources=("upload", "clipboard"),
        brush=gr.Brush(colors=[BRUSH_COLOUR], color_mode="fixed", default_size="auto"),
        eraser=gr.Eraser(default_size="auto"), layers=False, transforms=(), height=560, canvas_size=(256, 256)))


def build() -> None:
    """The Inpaint tab's components and events, inside the current gr.Tab."""
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
            method = gr.Radio(list(METHODS), value=tasks.GAN.label, label="Method",
                              info="GAN = the trained network; Telea and Navier-Stokes = classical OpenCV fills")
            model = model_picker("model_card", "models")
            grow = gr.Slider(0, 32, value=DEFAULT_GROW, step=1, label="Grow mask (pixels)",
                             info="Covers the soft edges of the strokes, so no halo is left around the fill")
            show_critic = gr.Checkbox(False, label="What the critic sees",
                                      info="Overlay the discriminator's verdict on the GAN's result")
            fill_button = gr.Button("Fill", variant="primary")
            compare_button = gr.Button("Compare all methods")
    gr.Examples([[example_editor_value(name)] for name in EXAMPLES], inputs=[editor],
                example_labels=[name.capitalize() for name in EXAMPLES],
                label="Examples: photo and mask ready, press Fill")
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
