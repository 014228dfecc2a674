"""The Extend tab: grow a photo's canvas on chosen sides and let the GAN paint the new border (outpainting).

The work is gan_core.extend (gan_core.inpainting.outpaint); this module reads the upload, checks the sizes and
writes the result file. With "Learn this photo first" ticked, extend_learning() follows outpaint.extend_steps():
the GAN learns the photo, and the page shows it learning (studio/adaptation.py).
"""
import time

import gradio as gr
import numpy as np

import gan_core
from gan_core.inpainting import outpaint
from studio import adaptation
from studio.common import (EXAMPLES_DIR, enable, friendly_errors, gpu, guard_uploads, read_photo, save_image,
                           with_notes)
from studio.models import check_model, model_picker

MAX_SIDE_PIXELS = 1024   # the slider's end; gan_core.extend itself allows up to the photo's own size per side


@gpu
def run_extend(photo: np.ndarray, sides: dict, model: str) -> np.ndarray:
    return np.asarray(gan_core.extend(photo, weights=model, **sides))


@gpu
def run_extend_steps(photo: np.ndarray, sides: dict, model: str, adapt: int, seed: int = 0):
    """The GAN learning the photo for `adapt` steps, then extending it: extend_steps' updates, the border every few."""
    yield from outpaint.extend_steps(photo, weights=model, adapt=adapt, seed=seed, every=adaptation.REDRAW_EVERY,
                                     **sides)


def read_request(image, left, top, right, bottom, model) -> tuple[np.ndarray, dict, str]:
    """(photo HxWx3 uint8, pixels to add on each side, model), or a gr.Error that says what is missing."""
    photo = read_photo(image)
    sides = {name: int(value or 0) for name, value in
             (("left", left), ("top", top), ("right", right), ("bottom", bottom))}
    if not any(sides.values()):
        raise gr.Error("Choose how many pixels to add on at least one side.")
    return photo, sides, check_model(model)


def extended_outputs(photo: np.ndarray, sides: dict, result: np.ndarray, model: str, seconds: float = 0.0,
                     learned: int = 0) -> tuple[tuple[str, str], str, str]:
    """((before, after) files for the slider, result file to download, status Markdown) for an extended photo.

    The photo is shown on the enlarged canvas (the new border in grey) as "before", so the slider compares
    like with like."""
    before = np.full_like(result, 128)
    height, width = photo.shape[:2]
    before[sides["top"]:sides["top"] + height, sides["left"]:sides["left"] + width] = photo
    result_path = save_image(result, "extended")
    status = (f"Extended {width}x{height} px to {result.shape[1]}x{result.shape[0]} px with `{model}` in "
              f"{seconds:.1f} s" + (f", after learning this photo for {learned} steps" if learned else "")
              + ". The photo's own pixels are unchanged; the border is invented.")
    return (save_image(before, "extend-before", compress_level=1), result_path), result_path, with_notes(status, [])


def extend_photo(image, left, top, right, bottom, model=None) -> tuple[tuple[str, str], str, str]:
    """"Extend": ((before, after) files for the slider, result file to download, status Markdown)."""
    photo, sides, model = read_request(image, left, top, right, bottom, model)
    started = time.perf_counter()
    result = run_extend(photo, sides, model)
    return extended_outputs(photo, sides, result, model, seconds=time.perf_counter() - started)


def extend_learning(image, left, top, right, bottom, model=None, learn: bool = False,
                    steps: float = adaptation.DEFAULT_STEPS, progress=gr.Progress(), request: gr.Request = None):
    """"Extend" as the button runs it: extend_photo()'s outputs, then the line of losses and the chart. With
    "Learn this photo first", the GAN learns the photo for `steps` updates first; each update yields the line
    and the chart, and every few updates the photo extended so far (so Stop keeps the last one). The status is
    sent at the end only: the progress bar is shown on it (adaptation.watch)."""
    unchanged = gr.update()
    steps = adaptation.steps_to_learn(learn, steps)
    if not steps:
        yield *extend_photo(image, left, top, right, bottom, model), unchanged, unchanged
        return
    photo, sides, model = read_request(image, left, top, right, bottom, model)
    updates = run_extend_steps(photo, sides, model, steps)
    for learned, result, chart, line in adaptation.follow(updates, progress, request):
        if result is None:
            yield unchanged, unchanged, unchanged, line, chart
            continue
        last = learned.step == learned.steps
        before_after, download, status = extended_outputs(photo, sides, np.asarray(result.photo), model,
                                                          result.seconds, result.adapted)
        yield (before_after, download if last else adaptation.ready(download), status if last else unchanged, line,
               chart)


def build() -> None:
    gr.Markdown("Grow the canvas past the photo's edges and let the GAN continue the scene: sky, walls, "
                "grass and water continue well; people and objects cut by the frame do not.")
    with gr.Row():
        with gr.Column(scale=1):
            photo = guard_uploads(gr.Image(label="Photo", type="pil", image_mode=None, format="png",
                                           elem_id="extend-photo"))
            with gr.Row():
                left = gr.Slider(0, MAX_SIDE_PIXELS, value=128, step=16, label="left (px)")
                right = gr.Slider(0, MAX_SIDE_PIXELS, value=128, step=16, label="right (px)")
            with gr.Row():
                top = gr.Slider(0, MAX_SIDE_PIXELS, value=0, step=16, label="top (px)")
                bottom = gr.Slider(0, MAX_SIDE_PIXELS, value=0, step=16, label="bottom (px)")
            model = model_picker("extend_model_card", "extend_models")
            learning = adaptation.learn_option("extend")
            run = gr.Button("Extend", variant="primary", elem_id="extend-run")
            gr.Examples([[str(EXAMPLES_DIR / "room.jpg")], [str(EXAMPLES_DIR / "dandelions.jpg")]], [photo],
                        label="Examples")
        with gr.Column(scale=2):
            before_after = gr.ImageSlider(label="Before / after (drag the handle)", type="filepath", format="png")
            status = adaptation.status_text("extend-status")
            download = gr.DownloadButton("Download the result (PNG)", interactive=False, elem_id="extend-download")
            live = adaptation.live_view("extend")
    extending = adaptation.watch(run.click, status, friendly_errors(extend_learning),
                                 [photo, left, top, right, bottom, model, learning.learn, learning.steps],
                                 [before_after, download, status, live.line, live.chart], api_name="extend")
    extending.then(enable, None, download, api_visibility="private")
    adaptation.wire(learning, live, [extending], status)
