"""Endpoints for scripts, with no place on the page: /inpaint takes a photo and a mask file, /restore a photo.

    from gradio_client import Client, handle_file
    Client("http://127.0.0.1:7860/").predict(handle_file("photo.jpg"), handle_file("mask.png"), api_name="/inpaint")

Each returns the path of a full-size PNG; they run the same code as the Inpaint and Restore tabs.
"""
import gradio as gr

from gan_core import tasks
from studio.common import friendly_errors, guard_uploads, read_mask, read_photo, save_image, warn
from studio.inpaint import DEFAULT_GROW, METHODS, prepare_hole, run_method
from studio.restore import conversion_notes, restore_method_choices, run_restore


@friendly_errors
def inpaint_api(image, mask, grow: float = DEFAULT_GROW, method: str = tasks.GAN.label, model: str = "") -> str:
    """/inpaint: a photo and a mask image (white = fill) -> path of the filled full-size PNG.

    An empty mask returns the photo unchanged; a mask of another size is stretched to the photo's size.
    method: GAN, Telea or Navier-Stokes. model: a name in weights/ (empty = the default).
    """
    photo = read_photo(image)
    if mask is None:
        raise gr.Error("Please send a mask image too (white = fill).")
    filled, notes = read_mask(mask, photo.shape[:2])
    if not filled.any():
        warn(notes + ["The mask is empty (no white pixels); the photo is returned unchanged."])
        return save_image(photo, "unchanged")
    hole, more = prepare_hole(filled, grow)
    warn(notes + more)
    result = run_method(method, photo, hole, model or None)
    return save_image(result.image, f"filled-{method.lower()}")


@friendly_errors
def restore_api(image, task: str = "denoise", method: str = tasks.GAN.name, noise_sigma: float = 0) -> str:
    """/restore: a photo -> path of the denoised or enlarged full-size PNG.

    task: denoise, sr2 or sr4 (2x / 4x larger). method: gan, or a classical one: nlmeans or blur (denoise),
    bicubic or lanczos (sr2, sr4). noise_sigma: seeded Gaussian noise (0-50 on 0-255) added first, to try a
    denoiser on a clean photo.
    """
    photo = read_photo(image)
    warn(conversion_notes(image))
    result = run_restore(photo, task, method, noise_sigma)
    return save_image(result.image, f"{task}-{result.method}")


def restore_method_names() -> list[str]:
    """Every method name a restoration task takes, in registry order, each once."""
    names = [name for task in tasks.RESTORE_TASKS for _, name in restore_method_choices(task)]
    return list(dict.fromkeys(names))


def build() -> None:
    """The hidden components behind /inpaint and /restore, inside the current gr.Blocks."""
    with gr.Column(visible=False):
        image = guard_uploads(gr.Image(type="pil", image_mode=None, label="image"))
        mask = guard_uploads(gr.Image(type="pil", image_mode=None, label="mask (white = fill)"))
        grow = gr.Number(DEFAULT_GROW, precision=0, label="grow (pixels)")
        method = gr.Radio(list(METHODS), value=tasks.GAN.label, label="method")
        model = gr.Textbox("", label="model (a name in weights/; empty = the default)")
        filled = gr.Image(type="filepath", format="png", label="filled")
        trigger = gr.Button("inpaint")
    trigger.click(inpaint_api, [image, mask, grow, method, model], filled, api_name="inpaint")

    with gr.Column(visible=False):
        photo = guard_uploads(gr.Image(type="pil", image_mode=None, label="image"))
        task = gr.Radio(list(tasks.RESTORE_TASKS), value="denoise", label="task (denoise; sr2, sr4: enlarge 2x, 4x)")
        restore_method = gr.Radio(restore_method_names(), value=tasks.GAN.name,
                                  label="method (gan; classical: nlmeans or blur for denoise, bicubic or lanczos "
                                        "for sr2, sr4)")
        noise_sigma = gr.Number(0, label="noise_sigma (seeded Gaussian noise added first, 0-50 on 0-255)")
        restored = gr.Image(type="filepath", format="png", label="restored")
        restore_trigger = gr.Button("restore")
    restore_trigger.click(restore_api, [photo, task, restore_method, noise_sigma], restored, api_name="restore")
