"""The Evaluate tab: hide part of an intact photo, fill it with every method, and measure each fill against the
original (numbers from gan_core.core.metrics). The methods are the Inpaint tab's, and the GAN once more after it
has learned the photo (gan_core.inpainting.adapt), to show what that learning is worth on this photo."""
import gradio as gr
import numpy as np
import pandas as pd
from PIL import Image

from gan_core.core import io_checks, tasks
from gan_core.inpainting import masks
from gan_core.inpainting.adapt import DEFAULT_STEPS
from gan_core.core import metrics
from studio.common import EXAMPLES, friendly_errors, save_image, show, warn, with_notes
from studio.i18n import t
from studio.inpaint import MIN_GAN_SIDE, Fill, methods_for, run_gan, run_method
from studio.models import check_model, model_picker
from studio.photos import open_example, photo_input, read_shown_photo

EVALUATE_MAX_SIDE = 1024                # Evaluate works on a copy this size, so the numbers come quickly
RANDOM_MASKS = {"Random small mask (2-10%)": "small", "Random medium mask (10-30%)": "medium",
                "Random large mask (30-50%)": "large"}                # label -> gan_core.inpainting.masks size class
MY_DRAWING = "The mask I draw"
ADAPTED_GAN = "GAN adapted"             # the GAN after learning the photo first (gan_core.inpainting.adapt)
ADAPT_STEPS = DEFAULT_STEPS             # its steps of learning: the library's budget, as the Inpaint tab's default
SCORE_COLUMNS = ("Method", "PSNR hole (dB)", "PSNR whole (dB)", "SSIM around hole", "SSIM whole", "L1 hole",
                 "Detail", "Seconds")


@friendly_errors
def evaluate(editor: dict | None, mask_source: str, seed: float, model: str | None, progress=gr.Progress()):
    """"Evaluate": (gallery of the hole and each fill, table of numbers, summary Markdown)."""
    photo, painted, notes = read_shown_photo(editor)
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
    gallery = [(save_image(show_hole(photo, hole), "evaluate-hole"), f"The hole: {hole.mean():.1%} of the photo")]
    rows = []
    methods = evaluation_methods(photo.shape)
    for index, method in enumerate(methods):
        progress(index / len(methods), desc=f"Filling with {method}")
        result = run_evaluation_method(method, photo, hole, model, int(seed or 0))
        rows.append(score_row(photo, result, hole))
        gallery.append((save_image(result.image, f"evaluate-{method.lower().replace(' ', '-')}"),
                        f"{method}: {rows[-1]['PSNR hole (dB)']:.2f} dB in the hole, {result.seconds:.2f} s"))
    table = pd.DataFrame(rows)
    best = table.loc[table["PSNR hole (dB)"].idxmax(), "Method"]
    summary = (f"Closest to the original inside the hole: **{best}**. PSNR and SSIM: higher = closer to the "
               "original. Detail: the fill's sharpness over the photo's (1.0 = as sharp; smooth classical fills "
               "score about 0.4). PSNR rewards safe, blurry guesses, so look at the pictures too.")
    return gallery, table, with_notes(summary, notes)


def evaluation_methods(shape: tuple[int, int]) -> list[str]:
    """The Inpaint tab's methods that can run on this photo, with the adapted GAN right after the GAN."""
    methods, _ = methods_for(shape)
    if tasks.GAN.label in methods:
        methods.insert(methods.index(tasks.GAN.label) + 1, ADAPTED_GAN)
    return methods


def run_evaluation_method(method: str, photo: np.ndarray, hole: np.ndarray, model: str | None, seed: int) -> Fill:
    """A method of the Inpaint tab (studio.inpaint.run_method), or the adapted GAN."""
    if method != ADAPTED_GAN:
        return run_method(method, photo, hole, model)
    result = run_gan(photo, hole, check_model(model), False, ADAPT_STEPS, seed)   # seconds include the learning
    return Fill(ADAPTED_GAN, result.image, result.seconds, detail=f"GAN adapted for {result.adapted} steps",
                photo=result.photo)


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


def show_hole(photo: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """The photo with the hole painted magenta, to show what each method had to fill."""
    shown = photo.copy()
    shown[hole] = (255, 0, 200)
    return shown


def score_row(original: np.ndarray, fill: Fill, hole: np.ndarray) -> dict:
    """One row of the Evaluate table (SCORE_COLUMNS), from gan_core.core.metrics."""
    numbers = metrics.compare(original, fill.image, hole)
    values = (fill.method, round(numbers["psnr_masked"], 2), round(numbers["psnr"], 2),
              round(metrics.ssim_around(original, fill.image, hole), 4), round(numbers["ssim"], 4),
              round(numbers["l1_masked"], 4), round(numbers["detail"], 2), round(fill.seconds, 3))
    return dict(zip(SCORE_COLUMNS, values))


def build() -> None:
    """The Evaluate tab's components and events, inside the current gr.Tab."""
    gr.Markdown("Give an **intact** photo. The app hides part of it (a random mask, or the one you draw), "
                "fills the hole with every method, and measures each fill against the original.")
    with gr.Row():
        with gr.Column(scale=3):
            photo = photo_input(t("editor_evaluate"), "evaluate-editor")
        with gr.Column(scale=2):
            mask_source = gr.Radio(list(RANDOM_MASKS) + [MY_DRAWING], value="Random medium mask (10-30%)",
                                   label="Mask")
            seed = gr.Number(0, precision=0, label="Seed", info="The same seed draws the same random mask")
            model = model_picker("evaluate_model_card", "evaluate_models")
            evaluate_button = gr.Button("Evaluate", variant="primary")
    example_name = gr.Textbox(visible=False)
    gr.Examples([[name] for name in EXAMPLES], inputs=[example_name], outputs=[photo.editor, photo.original],
                fn=lambda name: open_example(name, with_mask=False), run_on_click=True, cache_examples=False,
                example_labels=[name.capitalize() for name in EXAMPLES], label="Example photos",
                api_visibility="private")
    summary = gr.Markdown()
    table = gr.Dataframe(headers=list(SCORE_COLUMNS), label="Scores against the original", interactive=False,
                         elem_id="evaluate-table")
    gallery = gr.Gallery(label="The hole and each method's fill", columns=4, height="auto", format="png",
                         object_fit="contain", visible=False)
    evaluate_button.click(show, None, gallery, api_visibility="private", queue=False).then(
        evaluate, [photo.editor, mask_source, seed, model], [gallery, table, summary], api_name="evaluate")
