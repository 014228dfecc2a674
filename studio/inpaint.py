"""The Inpaint tab: paint over what to remove, fill it with the GAN (or a classical method), compare, see the critic.

A fill goes: Fill button -> fill_learning() -> fill() -> run_method() -> gan_core.inpainting.fill.fill(), which
fills the hole with the chosen method (the GAN on a crop around the hole) and pastes back only the hole's pixels,
in the photo's own mode. With "Learn this photo first" ticked, fill_learning() follows
gan_core.inpainting.fill.fill_steps() instead: the GAN learns the photo, and the page shows it learning
(studio/adaptation.py).
"""
from dataclasses import dataclass

import gradio as gr
import numpy as np
from PIL import Image

from gan_core.core import tasks
from gan_core.inpainting import fill as filling
from gan_core.inpainting import masks
from gan_core.photos.data import as_rgb_array
from studio import adaptation
from studio.common import EXAMPLES, friendly_errors, gpu, guard_uploads, read_mask, save_image, show, warn, with_notes
from studio.i18n import t
from studio.models import available_models, check_model, model_picker
from studio.photos import Original, describe_mode, open_example, photo_and_strokes, photo_input, save_photo

INPAINT = tasks.get("inpaint")
METHODS = tuple(method.label for method in INPAINT.methods)   # what the Method radio and the API take
MIN_GAN_SIDE = tasks.GAN.min_side       # the GAN's convolutions need this much image on each side
DEFAULT_GROW = 4                        # pixels: covers the soft, anti-aliased edge of a brush stroke
MAX_GROW = 64                           # the API takes any number; more than this is a typo
CRITIC_EXPLANATION = (
    "**What the critic sees.** The GAN was trained against a critic (a PatchGAN discriminator) that scores every "
    "patch of a photo for how real it looks; here its verdict on your result is painted over it, inside the "
    "region the GAN worked on: **red = looks fake**, green = looks real.")


# ----------------------------------------------------------------------------------------------------
# Running a method


@dataclass
class Fill:
    method: str                         # the method's label, as the user chose it
    image: np.ndarray                   # HxWx3 uint8, the full-size result as a viewer shows it (over white)
    seconds: float
    critic: np.ndarray | None = None    # HxW in [0, 1] "looks real", NaN outside the processed crop
    detail: str = ""                    # one line on what was done, for the status text
    photo: object = None                # the result in the photo's own mode and depth (PIL image or array)


def inpaint_method(name_or_label: str) -> tasks.Method:
    """The inpainting method called `name_or_label` ("GAN", "Telea", "ns"...), or a gr.Error that lists them."""
    try:
        return INPAINT.method(name_or_label)
    except ValueError as error:
        raise gr.Error(f"Unknown method {name_or_label!r}; choose one of {', '.join(METHODS)}.") from error


@gpu
def run_gan(photo, hole: np.ndarray, model: str, with_critic: bool, adapt: int = 0,
            seed: int = 0) -> filling.InpaintResult:
    """The GAN fill, in its own function so that ZeroGPU can give it a GPU for the call."""
    return filling.fill(photo, hole, tasks.GAN.name, weights=model, with_critic=with_critic, adapt=adapt, seed=seed)


@gpu
def run_gan_steps(photo, hole: np.ndarray, model: str, with_critic: bool, adapt: int, seed: int = 0):
    """The GAN learning the photo for `adapt` steps, then filling: fill_steps' updates, the fill every few."""
    yield from filling.fill_steps(photo, hole, tasks.GAN.name, weights=model, with_critic=with_critic,
                                  adapt=adapt, seed=seed, every=adaptation.REDRAW_EVERY)


def gan_model(model: str | None, shape: tuple[int, int]) -> str:
    """The GAN model to fill a photo of this (height, width) with, or a gr.Error that says why it cannot."""
    height, width = shape
    if min(height, width) < MIN_GAN_SIDE:
        raise gr.Error(f"This photo is {width}x{height} px; the GAN needs at least "
                       f"{MIN_GAN_SIDE} px on each side. Telea, Navier-Stokes and FSR work at any size.")
    return check_model(model)


def gan_fill(result: filling.InpaintResult, model: str) -> Fill:
    """A GAN fill from gan_core, with a line on the crop it worked on (and how long it learned the photo)."""
    top, left, bottom, right = result.box
    detail = (f"GAN `{model}` worked on a {right - left}x{bottom - top} px crop around the mask"
              + (f", scaled to {result.working_size[1]}x{result.working_size[0]}"
                 if result.working_size != (bottom - top, right - left) else "")
              + (f", after learning this photo for {result.adapted} steps" if result.adapted else ""))
    return Fill(tasks.GAN.label, result.image, result.seconds, result.critic, detail, result.photo)


def run_method(method: str, photo, hole: np.ndarray, model: str | None = None, with_critic: bool = False,
               adapt: int = 0, seed: int = 0) -> Fill:
    """Fill `hole` (HxW bool, already grown) in `photo` with one method; unmasked values stay as they were.

    photo: HxWx3 uint8, or a PIL image in its own mode (the result's `photo` keeps that mode).
    adapt: steps the GAN learns the photo for first (0: none; classical methods do not learn).
    """
    chosen = inpaint_method(method)
    if chosen != tasks.GAN:
        result = filling.fill(photo, hole, chosen.name)
        return Fill(chosen.label, result.image, result.seconds, None, f"{chosen.label} (classical, no learning)",
                    result.photo)
    model = gan_model(model, hole.shape)
    return gan_fill(run_gan(photo, hole, model, with_critic, adapt, seed), model)


def methods_for(shape: tuple[int, int]) -> tuple[list[str], list[str]]:
    """The methods (labels) that can run on a photo of this (height, width), and a line for each left out."""
    usable, skipped = [], []
    for method in INPAINT.methods:
        if method == tasks.GAN and not available_models():
            skipped.append("- **GAN**: skipped, no GAN model is installed yet")
        elif min(shape[:2]) < method.min_side:
            skipped.append(f"- **{method.label}**: skipped, the photo is under {method.min_side} px on a side")
        else:
            usable.append(method.label)
    return usable, skipped


def grow_mask(mask: np.ndarray, grow: float) -> np.ndarray:
    """Grow a mask by `grow` pixels (gan_core.inpainting.masks.clean_user_mask); 0 leaves it exactly as given."""
    return masks.clean_user_mask(mask, int(round(np.clip(grow or 0, 0, MAX_GROW)))) > 0


def hole_notes(hole: np.ndarray) -> list[str]:
    """Warnings about holes too large for a good fill."""
    coverage = float(hole.mean())
    if coverage >= 0.999:
        return ["The mask covers the whole photo, so there is nothing left to fill from: expect a guess, "
                "not a repair."]
    if coverage > 0.5:
        return [f"The mask covers {coverage:.0%} of the photo. The models learned on holes up to half an "
                "image, so expect a blurry fill; smaller masks work much better."]
    return []


def prepare_hole(mask: np.ndarray, grow: float) -> tuple[np.ndarray, list[str]]:
    """Grow the mask by `grow` pixels and warn about very large holes."""
    hole = grow_mask(mask, grow)
    return hole, hole_notes(hole)


def photo_shape(photo) -> tuple[int, int]:
    """(height, width) of a PIL image or an array."""
    return (photo.size[1], photo.size[0]) if isinstance(photo, Image.Image) else np.asarray(photo).shape[:2]


def read_photo_and_hole(editor: dict | None, uploaded_mask, grow: float, original: Original | None = None):
    """(photo, hole HxW bool, notes): the kept photo (or the editor's), and what to fill in it.

    The brush strokes are grown by `grow` pixels of the editor's view (scaled to the photo, to cover the
    strokes' soft edges); an uploaded mask file is used exactly as given, at the photo's size.
    """
    photo, strokes, scale, notes = photo_and_strokes(editor, original)
    shape = photo_shape(photo)
    hole = np.zeros(shape, bool) if strokes is None else grow_mask(strokes, grow * scale)
    if uploaded_mask is not None:
        uploaded, more = read_mask(uploaded_mask, shape)
        hole, notes = hole | uploaded, notes + more
    return photo, hole, notes + (hole_notes(hole) if hole.any() else [])


def critic_overlay(image: np.ndarray, critic: np.ndarray) -> np.ndarray:
    """Paint the critic's map over the result: red where it says fake, faint green where it says real.

    critic: HxW probability of "real" in [0, 1], NaN where the GAN did not work (left unpainted).
    """
    inside = np.isfinite(critic)
    real = np.where(inside, critic, 1.0)[..., None]                  # (H, W, 1)
    colour = (1 - real) * np.array([255, 30, 30]) + real * np.array([40, 200, 80])
    alpha = np.where(inside, 0.15 + 0.5 * (1 - real[..., 0]), 0.0)[..., None]
    return (image * (1 - alpha) + colour * alpha).round().clip(0, 255).astype(np.uint8)


def same_picture(result: Fill, shown: tuple[int, int]) -> bool:
    """Whether the download file can be the preview too: 8-bit RGB at the editor's size (written once)."""
    photo = result.photo
    if isinstance(photo, Image.Image):
        return photo.mode == "RGB" and photo.size == tuple(shown)
    photo = np.asarray(photo)
    return photo.dtype == np.uint8 and photo.ndim == 3 and photo.shape[2] == 3 and photo.shape[1::-1] == tuple(shown)


def preview(image: np.ndarray, size: tuple[int, int], stem: str) -> str:
    """A result shrunk to the editor's view (width, height), for the before/after slider."""
    if (image.shape[1], image.shape[0]) != tuple(size):
        image = np.asarray(Image.fromarray(image).resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0))
    return save_image(image, stem, compress_level=1)


# ----------------------------------------------------------------------------------------------------
# Handlers: one per button, each also an API endpoint


@dataclass
class FillInputs:
    photo: object                       # the kept original (PIL, own mode) or the editor's background
    hole: np.ndarray                    # HxW bool at the photo's size
    notes: list[str]
    shown: tuple[int, int]              # (width, height) of the editor's view: the previews' size
    before: str                         # the "before" half of the preview


def read_fill_inputs(editor: dict | None, uploaded_mask, grow: float, original: Original | None) -> FillInputs:
    """The photo and hole to fill, and the preview's size and "before" picture."""
    photo, hole, notes = read_photo_and_hole(editor, uploaded_mask, grow, original)
    kept = original is not None and photo is original.image
    shown = original.display_size if kept else (hole.shape[1], hole.shape[0])
    before = original.display_path if kept else preview(as_rgb_array(photo), shown, "before")
    return FillInputs(photo, hole, notes, shown, before)


def nothing_to_fill(inputs: FillInputs) -> tuple:
    """Fill's outputs for an empty mask: the photo as it is, and a note on what to do."""
    notes = inputs.notes + ["The mask is empty: paint over what to remove (choose the Brush), or upload a mask. "
                            "Nothing was filled."]
    warn(notes)
    return (inputs.before, inputs.before), None, None, gr.update(visible=False), with_notes("", notes)


@friendly_errors
def fill(editor: dict | None, uploaded_mask, grow: float, method: str, model: str | None, show_critic: bool,
         original: Original | None = None, progress=gr.Progress()):
    """"Fill": (before/after preview, full-size file to download, critic overlay or None, its panel, status).

    The preview is at the editor's size; the download is the whole photo in its own mode and depth, with
    its ICC profile and EXIF.
    """
    progress(0.05, desc="Reading the photo and mask")
    inputs = read_fill_inputs(editor, uploaded_mask, grow, original)
    if not inputs.hole.any():
        return nothing_to_fill(inputs)
    warn(inputs.notes)
    progress(0.2, desc=f"Filling with {method}")
    is_gan = inpaint_method(method) == tasks.GAN
    result = run_method(method, inputs.photo, inputs.hole, model, with_critic=show_critic and is_gan)
    progress(0.8, desc="Writing the full-size file")
    return fill_outputs(result, inputs, show_critic)


def fill_outputs(result: Fill, inputs: FillInputs, show_critic: bool) -> tuple:
    """Fill's outputs for a result: the preview, the full-size download, the critic's map, and the status."""
    hole, shown, notes = inputs.hole, inputs.shown, list(inputs.notes)
    method = result.method
    download = save_photo(result.photo, f"filled-{method.lower()}")
    after = download if same_picture(result, shown) else preview(result.image, shown, f"after-{method.lower()}")
    critic = None
    if show_critic and result.critic is not None:
        critic = preview(critic_overlay(result.image, result.critic), shown, "critic")
    elif show_critic:
        notes.append("The critic's map is drawn for GAN fills only: choose GAN as the method.")
    height, width = hole.shape
    status = (f"Filled {hole.mean():.1%} of the {width}x{height} px photo in {result.seconds:.2f} s. "
              f"{result.detail}. Unmasked pixels are unchanged; the download is full size and lossless, "
              f"in the photo's own mode ({describe_mode(result.photo)}).")
    return ((inputs.before, after), download, critic, gr.update(visible=critic is not None),
            with_notes(status, notes))


@friendly_errors
def fill_learning(editor: dict | None, uploaded_mask, grow: float, method: str, model: str | None,
                  show_critic: bool, learn: bool = False, steps: float = adaptation.DEFAULT_STEPS,
                  original: Original | None = None, progress=gr.Progress(), request: gr.Request = None):
    """"Fill" as the button runs it: fill()'s outputs, then the line of losses and the chart. With "Learn this
    photo first" (learn), the GAN learns the photo for `steps` updates first; each update yields the line and
    the chart, and every few updates the fill drawn so far (preview, download, critic), so Stop keeps the last
    one. The status is sent at the end only: the progress bar is shown on it (adaptation.watch)."""
    unchanged = gr.update()
    steps = adaptation.steps_to_learn(learn, steps)
    if not steps or inpaint_method(method) != tasks.GAN:
        *outputs, status = fill(editor, uploaded_mask, grow, method, model, show_critic, original, progress)
        notes = [f"Learning the photo first is for the GAN; {method} filled at once."] if steps else []
        warn(notes)
        yield *outputs, with_notes(status, notes), unchanged, unchanged
        return
    progress(0.0, desc="Reading the photo and mask")
    inputs = read_fill_inputs(editor, uploaded_mask, grow, original)
    if not inputs.hole.any():
        yield *nothing_to_fill(inputs), unchanged, unchanged
        return
    warn(inputs.notes)
    model = gan_model(model, inputs.hole.shape)
    updates = run_gan_steps(inputs.photo, inputs.hole, model, show_critic, steps)
    for learned, result, chart, line in adaptation.follow(updates, progress, request):
        if result is None:
            yield unchanged, unchanged, unchanged, unchanged, unchanged, line, chart
            continue
        last = learned.step == learned.steps
        before_after, download, critic, panel, status = fill_outputs(gan_fill(result, model), inputs, show_critic)
        yield (before_after, download if last else adaptation.ready(download), critic, panel,
               status if last else unchanged, line, chart)


def critic_toggled(show_critic: bool, editor, uploaded_mask, grow, method, model, learn: bool = False,
                   steps: float = adaptation.DEFAULT_STEPS, original=None, progress=gr.Progress(),
                   request: gr.Request = None):
    """Ticking "What the critic sees" fills again with the critic's map (learning the photo again if that is
    ticked: the same seed gives the same fill); unticking just hides the map."""
    has_photo = bool(editor) and editor.get("background") is not None
    if not show_critic or not has_photo:
        yield gr.update(), gr.update(), gr.update(), gr.update(visible=show_critic), gr.update(), gr.update(), \
            gr.update()
        return
    yield from fill_learning(editor, uploaded_mask, grow, method, model, True, learn, steps, original, progress,
                             request)


@friendly_errors
def compare(editor: dict | None, uploaded_mask, grow: float, model: str | None, original: Original | None = None,
            progress=gr.Progress()):
    """"Compare all methods": the same mask filled by each method, with the time each took."""
    photo, hole, notes = read_photo_and_hole(editor, uploaded_mask, grow, original)
    if not hole.any():
        raise gr.Error("The mask is empty: paint over what to remove (choose the Brush), or upload a mask.")
    warn(notes)
    methods, lines = methods_for(hole.shape)
    shown = original.display_size if original is not None and photo is original.image else \
        (hole.shape[1], hole.shape[0])
    gallery = []
    for index, method in enumerate(methods):
        progress(index / len(methods), desc=f"Filling with {method}")
        result = run_method(method, photo, hole, model)
        gallery.append((preview(result.image, shown, f"compare-{method.lower()}"),
                        f"{method}: {result.seconds:.2f} s"))
        lines.append(f"- **{method}**: {result.seconds:.2f} s. {result.detail}")
    return gallery, "\n".join(lines)


# ----------------------------------------------------------------------------------------------------
# The tab


def build() -> None:
    """The Inpaint tab's components and events, inside the current gr.Tab."""
    gr.Markdown(t("inpaint_intro"))
    with gr.Row():
        with gr.Column(scale=3):
            photo = photo_input(t("editor_inpaint"), "inpaint-editor")
            with gr.Accordion(t("mask_upload"), open=False):
                uploaded_mask = guard_uploads(gr.Image(
                    label="Mask image, same size as the photo; white = fill", type="pil", image_mode=None,
                    sources=("upload", "clipboard"), height=200))
        with gr.Column(scale=2):
            method = gr.Radio(list(METHODS), value=tasks.GAN.label, label=t("method"), info=t("method_info"))
            model = model_picker("model_card", "models")
            grow = gr.Slider(0, 32, value=DEFAULT_GROW, step=1, label=t("grow"), info=t("grow_info"))
            show_critic = gr.Checkbox(False, label=t("critic"), info=t("critic_info"))
            learning = adaptation.learn_option("inpaint")
            fill_button = gr.Button(t("fill"), variant="primary")
            compare_button = gr.Button(t("compare"))
    example_name = gr.Textbox(visible=False)
    gr.Examples([[name] for name in EXAMPLES], inputs=[example_name], outputs=[photo.editor, photo.original],
                fn=open_example, run_on_click=True, cache_examples=False,
                example_labels=[name.capitalize() for name in EXAMPLES],
                label=t("examples_inpaint"), api_visibility="private")
    status = adaptation.status_text("inpaint-status")
    download = gr.DownloadButton(t("download"), interactive=False, elem_id="download-result")
    with gr.Row(equal_height=False):
        before_after = gr.ImageSlider(label=t("before_after"), type="filepath", format="png",
                                      max_height=640)
        live = adaptation.live_view("inpaint")
        with gr.Column(visible=False) as critic_column:
            critic = gr.Image(label="What the critic sees: red = looks fake, green = looks real",
                              type="filepath", format="png", interactive=False)
            gr.Markdown(CRITIC_EXPLANATION)
    compare_gallery = gr.Gallery(label="Compare all methods: the same mask, the time each took", columns=3,
                                 height="auto", format="png", object_fit="contain", visible=False)
    compare_notes = gr.Markdown()

    learn = [learning.learn, learning.steps]
    fill_inputs = [photo.editor, uploaded_mask, grow, method, model, show_critic, *learn, photo.original]
    outputs = [before_after, download, critic, critic_column, status, live.line, live.chart]
    filling_event = adaptation.watch(fill_button.click, status, fill_learning, fill_inputs, outputs,
                                     api_name="fill")
    filling_event.success(download_ready, download, download, api_visibility="private", queue=False)
    critic_inputs = [show_critic, photo.editor, uploaded_mask, grow, method, model, *learn, photo.original]
    critic_event = adaptation.watch(show_critic.input, status, critic_toggled, critic_inputs, outputs,
                                    clear=status_kept_unless, clear_inputs=show_critic, api_name="critic_toggled",
                                    api_visibility="undocumented")
    critic_event.success(download_ready, download, download, api_visibility="private", queue=False)
    adaptation.wire(learning, live, [filling_event, critic_event], status)
    compare_button.click(show, None, compare_gallery, api_visibility="private", queue=False).then(
        compare, [photo.editor, uploaded_mask, grow, model, photo.original], [compare_gallery, compare_notes],
        api_name="compare")


def status_kept_unless(show_critic: bool):
    """Unticking the critic only hides its map: the status stays (ticking it fills again: the status empties)."""
    return "" if show_critic else gr.update()


def download_ready(value) -> dict:
    """The download button comes alive when there is a file to download."""
    return gr.update(interactive=value is not None)
