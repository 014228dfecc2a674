"""The Paintings tab: find the cracks in a painting, edit the crack mask with the brush, and fill it.

find_crack_layer() is the "Find cracks" helper: gan_core.paintings.find_cracks turned into a drawing layer of
the editor, so the user sees the guess over the painting and can add or erase strokes before filling.
"""
import time

import gradio as gr
import numpy as np

from gan_core import inference
from gan_core.paintings import find_cracks
from studio.common import enable, friendly_errors, read_editor, read_photo, save_image, warn, with_notes
from studio.models import available_models, check_model, model_facts

PAINTING_MODEL = "inpaint-painting"   # preferred here when it is installed
CRACK_COLOUR = (255, 0, 200, 200)     # the brush colour of the editor, so found and painted cracks look alike


def crack_layer(mask: np.ndarray) -> np.ndarray:
    """An HxW mask as the editor's RGBA drawing layer: coloured where the mask is set, transparent elsewhere."""
    layer = np.zeros(mask.shape + (4,), np.uint8)
    layer[mask > 0] = CRACK_COLOUR
    return layer


def find_crack_layer(editor: dict | None, width: float = 3, threshold: float = 12) -> tuple[dict, str]:
    """"Find cracks": the editor with the found cracks as its drawing layer (replacing what was drawn), and a note."""
    if not editor or editor.get("background") is None:
        raise gr.Error("Please upload a painting first.")
    painting = read_photo(editor["background"])
    mask = find_cracks(painting, width=int(width), threshold=float(threshold))
    rgba = np.concatenate([painting, np.full(painting.shape[:2] + (1,), 255, np.uint8)], axis=2)
    note = (f"Found cracks on {mask.mean():.1%} of the painting. Erase what is not a crack (dark lines the "
            "painter drew), paint over what was missed, then press Restore.")
    return {"background": rgba, "layers": [crack_layer(mask)], "composite": rgba}, note


def painting_model() -> str | None:
    names = available_models()
    return PAINTING_MODEL if PAINTING_MODEL in names else (names[0] if names else None)


def restore_painting(editor: dict | None, model: str | None = None) -> tuple[tuple[str, str], str, str]:
    """"Restore": fill the painted (or found) cracks with the GAN; (before, after) files, download, status."""
    painting, mask, notes = read_editor(editor)
    warn(notes)
    if mask is None or not mask.any():
        raise gr.Error("No cracks are marked: press Find cracks, or paint over the damage with the brush.")
    model = check_model(model or painting_model())
    started = time.perf_counter()
    result = np.asarray(inference.inpaint(painting, mask.astype(np.uint8), weights=model, grow=1))
    status = (f"Filled {mask.mean():.1%} of the painting with `{model}` in {time.perf_counter() - started:.1f} s."
              + ("" if model == PAINTING_MODEL else f" The painting model (`{PAINTING_MODEL}`) is not installed "
                 "yet, so a photo model filled it."))
    result_path = save_image(result, "painting")
    return (save_image(painting, "painting-before", compress_level=1), result_path), result_path, \
        with_notes(status, notes)


def build() -> None:
    gr.Markdown("Old paint cracks (craquelure) and flakes. **Find cracks** marks thin dark lines as a first "
                "guess (a black-hat filter); correct it with the brush and eraser, then **Restore** fills them.")
    with gr.Row():
        with gr.Column(scale=2):
            editor = gr.ImageEditor(label="Painting (the brush marks what to fill)", type="numpy", format="png",
                                    brush=gr.Brush(colors=["#ff00c8"], default_size=6), elem_id="painting-editor")
            with gr.Row():
                width = gr.Slider(1, 8, value=3, step=1, label="widest crack (px)")
                threshold = gr.Slider(4, 60, value=12, step=1, label="how much darker than around (levels)")
            with gr.Row():
                find = gr.Button("Find cracks", elem_id="find-cracks")
                run = gr.Button("Restore", variant="primary", elem_id="painting-run")
            model = gr.Dropdown(label="GAN model", choices=available_models(), value=painting_model())
            facts = gr.Markdown(model_facts(painting_model()))
        with gr.Column(scale=2):
            before_after = gr.ImageSlider(label="Before / after (drag the handle)", type="filepath", format="png")
            status = gr.Markdown()
            download = gr.DownloadButton("Download the result (PNG)", interactive=False)
    model.change(model_facts, model, facts, queue=False)
    find.click(friendly_errors(find_crack_layer), [editor, width, threshold], [editor, status], api_name="find_cracks")
    run.click(friendly_errors(restore_painting), [editor, model], [before_after, download, status],
              api_name="restore_painting").then(enable, None, download)
