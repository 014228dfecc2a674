"""The Paintings tab: find the cracks in a painting, add what it missed with the brush, and fill them.

find_crack_mask() is the "Find cracks" helper (gan_core.photos.paintings.find_cracks, shown over the painting).
With "Learn this photo first" ticked, restore_learning() lets the GAN learn the painting before it fills the cracks,
and the page shows it learning (studio/adaptation.py).
"""
import time

import gradio as gr
import numpy as np

import gan_core
from gan_core.photos.paintings import find_cracks
from studio import adaptation
from studio.common import EXAMPLES_DIR, enable, friendly_errors, read_editor, read_photo, save_image, warn, with_notes
from studio.inpaint import grow_mask, run_gan_steps
from studio.models import available_models, check_model, default_model, model_facts

PAINTING_MODEL = "inpaint-painting"   # preferred here when it is installed
CRACK_COLOUR = (255, 0, 200, 200)     # the brush colour of the editor, so found and painted cracks look alike
BRUSH_GROW = 1                        # pixels: covers the soft edge of a brush stroke; found cracks are filled as
                                      # found (growing them too cost about 2 dB: gan_core.eval.cracks --restore)


def crack_overlay(painting: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The painting with the found cracks in the brush's colour, to check the guess at a glance."""
    shown = painting.copy()
    shown[mask > 0] = CRACK_COLOUR[:3]
    return shown


def find_crack_mask(editor: dict | None, width: float = 2, darker: float = 45) -> tuple[np.ndarray, str, str]:
    """"Find cracks": (mask HxW uint8 for Restore, overlay file, note).

    The found cracks are kept beside the editor rather than put into its drawing layer: Gradio 6.31's editor
    places a layer sent from the server off the painting (it centres one and not the other), so the brush
    adds to the found cracks, and the two sliders take false finds away. `darker` is in percent.
    """
    if not editor or editor.get("background") is None:
        raise gr.Error("Please upload a painting first.")
    painting = read_photo(editor["background"])
    darker = float(np.clip(darker, 5, 95))
    mask = find_cracks(painting, width=int(width), darker=darker / 100).astype(np.uint8)
    note = (f"Found cracks on {mask.mean():.1%} of the painting (magenta). Too much? Raise \"how much darker\" "
            "or lower \"widest crack\". Missed some? Paint over them with the brush, then press Restore.")
    return mask, save_image(crack_overlay(painting, mask), "cracks", compress_level=1), note


def painting_model() -> str | None:
    names = available_models()
    return PAINTING_MODEL if PAINTING_MODEL in names else (default_model() if names else None)


def read_cracks(editor: dict | None, found: np.ndarray | None, model: str | None):
    """(painting HxWx3 uint8, cracks HxW bool: found and painted, model, notes), or a gr.Error."""
    painting, mask, notes = read_editor(editor)
    warn(notes)
    if mask is not None:
        mask = grow_mask(mask, BRUSH_GROW)
    if found is not None and np.shape(found) == painting.shape[:2]:
        mask = (found > 0) if mask is None else (mask | (found > 0))
    if mask is None or not mask.any():
        raise gr.Error("No cracks are marked: press Find cracks, or paint over the damage with the brush.")
    return painting, mask, check_model(model or painting_model()), notes


def restored_outputs(painting: np.ndarray, mask: np.ndarray, result: np.ndarray, model: str, notes: list[str],
                     seconds: float = 0.0, learned: int = 0):
    """((before, after) files, download, status) for a painting with its cracks filled."""
    status = (f"Filled {mask.mean():.1%} of the painting with `{model}` in {seconds:.1f} s"
              + (f", after learning this painting for {learned} steps" if learned else "") + "."
              + ("" if model == PAINTING_MODEL else f" The painting model (`{PAINTING_MODEL}`) is not "
                 "installed yet, so a photo model filled it."))
    result_path = save_image(result, "painting")
    return (save_image(painting, "painting-before", compress_level=1), result_path), result_path, \
        with_notes(status, notes)


def restore_painting(editor: dict | None, found: np.ndarray | None = None, model: str | None = None,
                     progress=gr.Progress()) -> tuple[tuple[str, str], str, str]:
    """"Restore": fill the found and the painted cracks with the GAN; (before, after) files, download, status.
    The painting model averages eight passes: a 1024 px painting cracked all over takes seconds, hence the bar."""
    progress(0.05, desc="Reading the painting and the cracks")
    painting, mask, model, notes = read_cracks(editor, found, model)
    started = time.perf_counter()
    progress(0.2, desc=f"Filling the cracks with {model}")
    result = np.asarray(gan_core.inpaint(painting, mask.astype(np.uint8), weights=model))
    progress(0.9, desc="Writing the result")
    return restored_outputs(painting, mask, result, model, notes, seconds=time.perf_counter() - started)


def restore_learning(editor: dict | None, found: np.ndarray | None = None, model: str | None = None,
                     learn: bool = False, steps: float = adaptation.DEFAULT_STEPS, progress=gr.Progress(),
                     request: gr.Request = None):
    """"Restore" as the button runs it: restore_painting()'s outputs, then the line of losses and the chart.
    With "Learn this photo first", the GAN learns the painting for `steps` updates first; each update yields the
    line and the chart, and every few updates the painting filled so far (so Stop keeps the last one). The
    status is sent at the end only: the progress bar is shown on it (adaptation.watch)."""
    unchanged = gr.update()
    steps = adaptation.steps_to_learn(learn, steps)
    if not steps:
        yield *restore_painting(editor, found, model, progress), unchanged, unchanged
        return
    painting, mask, model, notes = read_cracks(editor, found, model)
    for learned, result, chart, line in adaptation.follow(run_gan_steps(painting, mask, model, False, steps),
                                                          progress, request):
        if result is None:
            yield unchanged, unchanged, unchanged, line, chart
            continue
        last = learned.step == learned.steps
        before_after, download, status = restored_outputs(painting, mask, result.image, model, notes,
                                                          result.seconds, result.adapted)
        yield (before_after, download if last else adaptation.ready(download), status if last else unchanged, line,
               chart)


def build() -> None:
    gr.Markdown("Old paint cracks (craquelure) and flakes. **Find cracks** marks thin lines darker than the "
                "paint on both sides as a first guess; tune it with the sliders, add what it missed with the brush, "
                "then **Restore** fills both.")
    with gr.Row():
        with gr.Column(scale=2):
            editor = gr.ImageEditor(label="Painting (the brush marks what to fill)", type="numpy", format="png",
                                    brush=gr.Brush(colors=["#ff00c8"], default_size=6), elem_id="painting-editor")
            gr.Examples([[str(EXAMPLES_DIR / "auvers_cracked.jpg")]], inputs=editor,
                        label="Example: van Gogh's Village Street in Auvers (a held-out painting) with cracks drawn on")
            with gr.Row():
                width = gr.Slider(1, 8, value=2, step=1, label="widest crack (px)")
                darker = gr.Slider(10, 90, value=45, step=5, label="how much darker than around (%)")
            with gr.Row():
                find = gr.Button("Find cracks", elem_id="find-cracks")
                run = gr.Button("Restore", variant="primary", elem_id="painting-run")
            model = gr.Dropdown(label="GAN model", choices=available_models(), value=painting_model())
            facts = gr.Markdown(model_facts(painting_model()))
            learning = adaptation.learn_option("painting")
        with gr.Column(scale=2):
            cracks = gr.Image(label="Found cracks", type="filepath", format="png", interactive=False)
            before_after = gr.ImageSlider(label="Before / after (drag the handle)", type="filepath", format="png")
            status = adaptation.status_text("painting-status")
            download = gr.DownloadButton("Download the result (PNG)", interactive=False)
            live = adaptation.live_view("painting")
    found = gr.State(None)
    model.change(model_facts, model, facts, queue=False)
    editor.upload(lambda: (None, None), None, [found, cracks], queue=False, api_visibility="private")
    find.click(friendly_errors(find_crack_mask), [editor, width, darker], [found, cracks, status],
               api_name="find_cracks")
    restoring = adaptation.watch(run.click, status, friendly_errors(restore_learning),
                                 [editor, found, model, learning.learn, learning.steps],
                                 [before_after, download, status, live.line, live.chart], api_name="restore_painting")
    restoring.then(enable, None, download, api_visibility="private")
    adaptation.wire(learning, live, [restoring], status)
