"""The Extend tab: grow a photo's canvas on chosen sides and let the GAN paint the new border (outpainting).

The work is gan_core.extend; this module reads the upload, checks the sizes and writes the result file.
"""
import time

import gradio as gr
import numpy as np

import gan_core
from studio.common import (EXAMPLES_DIR, enable, friendly_errors, gpu, guard_uploads, read_photo, save_image,
                           with_notes)
from studio.models import check_model, model_picker

MAX_SIDE_PIXELS = 1024   # the slider's end; gan_core.extend itself allows up to the photo's own size per side


@gpu
def run_extend(photo: np.ndarray, sides: dict, model: str) -> np.ndarray:
    return np.asarray(gan_core.extend(photo, weights=model, **sides))


def extend_photo(image, left, top, right, bottom, model=None) -> tuple[tuple[str, str], str, str]:
    """"Extend": ((before, after) files for the slider, result file to download, status Markdown).

    The photo is shown on the enlarged canvas (the new border in grey) as "before", so the slider compares
    like with like.
    """
    photo = read_photo(image)
    sides = {name: int(value or 0) for name, value in
             (("left", left), ("top", top), ("right", right), ("bottom", bottom))}
    if not any(sides.values()):
        raise gr.Error("Choose how many pixels to add on at least one side.")
    model = check_model(model)
    started = time.perf_counter()
    result = run_extend(photo, sides, model)
    seconds = time.perf_counter() - started
    before = np.full_like(result, 128)
    height, width = photo.shape[:2]
    before[sides["top"]:sides["top"] + height, sides["left"]:sides["left"] + width] = photo
    result_path = save_image(result, "extended")
    status = (f"Extended {width}x{height} px to {result.shape[1]}x{result.shape[0]} px with `{model}` in "
              f"{seconds:.1f} s. The photo's own pixels are unchanged; the border is invented.")
    return (save_image(before, "extend-before", compress_level=1), result_path), result_path, with_notes(status, [])


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
            run = gr.Button("Extend", variant="primary", elem_id="extend-run")
            gr.Examples([[str(EXAMPLES_DIR / "room.jpg")], [str(EXAMPLES_DIR / "dandelions.jpg")]], [photo],
                        label="Examples")
        with gr.Column(scale=2):
            before_after = gr.ImageSlider(label="Before / after (drag the handle)", type="filepath", format="png")
            status = gr.Markdown()
            download = gr.DownloadButton("Download the result (PNG)", interactive=False, elem_id="extend-download")
    run.click(friendly_errors(extend_photo), [photo, left, top, right, bottom, model],
              [before_after, download, status], api_name="extend").then(enable, None, download, api_visibility="private")
