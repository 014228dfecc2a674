"""Endpoints for scripts, with no place on the page: /inpaint takes a photo and a mask file, /restore a photo.

    from gradio_client import Client, handle_file
    client = Client("http://127.0.0.1:7860/")
    path, notes = client.predict(handle_file("photo.png"), handle_file("mask.png"), api_name="/inpaint")
    path, notes = client.predict(handle_file("photo.jpg"), "sr2", api_name="/restore")
    path, notes = client.predict(handle_file("scan.png"), "sr2", setting="real", api_name="/restore")

Each returns two outputs: the path of the full-size result, and the notes and warnings for the caller as
text (one per line; empty when there is nothing to say), since gr.Warning toasts never reach predict().
They run the same code as the Inpaint and Restore tabs.
"""
import gradio as gr

from gan_core.core import tasks
from gan_core.restoration.restore import SETTINGS
from studio.adaptation import check_seed, check_steps
from studio.common import friendly_errors, guard_uploads, read_mask, warn
from studio.inpaint import METHODS, grow_mask, hole_notes, inpaint_method, photo_shape, run_method
from studio.photos import open_original, save_photo
from studio.restore import read_original, run_restore


@friendly_errors
def inpaint_api(image, mask, grow: float = 0, method: str = tasks.GAN.label, model: str = "", adapt: float = 0,
                seed: float = 0) -> tuple[str, str]:
    """Fill the white part of a mask in a photo; returns (path of the filled photo, notes).

    image: the photo, in any mode; the result comes back in the same mode and bit depth (L, LA, RGB, RGBA,
    16-bit I;16; a palette photo as RGB or RGBA), as PNG (TIFF for 32-bit, float and CMYK photos), with its
    ICC profile and EXIF. Every value outside the mask is returned exactly as it came.
    mask: an image, white (or opaque, for a transparent PNG) = fill; used exactly as given. A mask of
    another size is stretched to the photo's size (with a note); an empty mask fills nothing (with a note,
    and the photo is returned as it came).
    grow: pixels to grow the mask by before filling (default 0: exactly as given; the Inpaint tab's brush
    strokes are grown by 4 to cover their soft edges).
    method: GAN, Telea, Navier-Stokes, FSR or PatchMatch. model: a name in weights/ (empty = the default).
    adapt: 0 (default) fills at once; a number of steps (1-200) lets the GAN learn this photo first, on
    its own known pixels (about a second a step on a CPU). seed: seeds that learning (the same photo, mask,
    adapt and seed give the same fill).
    notes: warnings for the caller, one per line (mask stretched, hole very large ...), or "".
    """
    if image is None:
        raise gr.Error("Please upload a photo (the image input is empty).")
    steps, seed = check_steps(adapt), check_seed(seed)
    photo = open_original(image)
    if mask is None:
        raise gr.Error("Please send a mask image too (white = fill).")
    shape = photo_shape(photo)
    filled, notes = read_mask(mask, shape)
    if not filled.any():
        notes.append("The mask is empty (no white pixels); the photo is returned unchanged.")
        warn(notes)
        return save_photo(photo, "unchanged"), "\n".join(notes)
    hole = grow_mask(filled, grow)
    notes += hole_notes(hole)
    if steps and inpaint_method(method) != tasks.GAN:
        notes.append(f"adapt is for the GAN: {method} is a classical method and filled at once.")
    warn(notes)
    result = run_method(method, photo, hole, model or None, adapt=steps, seed=seed)
    return save_photo(result.photo, f"filled-{result.method.lower()}"), "\n".join(notes)


@friendly_errors
def restore_api(image, task: str = "denoise", method: str = tasks.GAN.name, noise_sigma: float = 0,
                setting: str = "clean") -> tuple[str, str]:
    """Denoise or enlarge a photo; returns (path of the full-size result, notes).

    image: the photo, in any mode; the result comes back in the same mode and bit depth (L, LA, RGB, RGBA,
    16-bit I;16; a palette photo as RGB or RGBA), as PNG (TIFF for 32-bit, float and CMYK photos), with its
    ICC profile and EXIF. Transparency is kept, and enlarged with the photo by sr2 and sr4. The methods work
    on 8 bits per channel: 16-bit results move in steps of 257.
    task: denoise, sr2 or sr4 (2x / 4x larger). method: gan, or one of its peers: nlmeans, blur or bm3d
    (denoise); bicubic, lanczos, realesrgan or realesrgan-small (sr2, sr4); a peer whose package is not
    installed on the server is refused with a message. noise_sigma: seeded Gaussian noise (0-50 on 0-255)
    added first, to try a denoiser on a clean photo (a denoising peer is set for this sigma, or for the one
    estimated from the photo).
    setting: the GAN's model: clean (default; clean photos, the benchmark settings) or real (photos from
    phones, scanners and the web; refused with a message where its model is not installed).
    notes: warnings for the caller, one per line, or "".
    """
    photo, notes = read_original(image)
    if setting != "clean" and method != tasks.GAN.name:
        notes.append(f"setting is for the GAN: {method} ran as it always does.")
    warn(notes)
    result = run_restore(photo, task, method, noise_sigma, setting)
    return save_photo(result.photo, f"{task}-{result.method}"), "\n".join(notes)


def restore_method_names() -> list[str]:
    """Every method name a restoration task takes in the registry, in its order, each once (the peers whose
    package is missing too: asking for one gets a message that says so)."""
    names = [method.name for task in tasks.RESTORE_TASKS for method in tasks.get(task).methods]
    return list(dict.fromkeys(names))


def restore_method_help() -> str:
    """The /restore method input's label: the peers of each task, from the registry."""
    peers = "; ".join(f"{', '.join(method.name for method in tasks.get(task).classical)} for {task}"
                      for task in tasks.RESTORE_TASKS)
    return f"method (gan, or a peer: {peers})"


def build() -> None:
    """The hidden components behind /inpaint and /restore, inside the current gr.Blocks."""
    with gr.Column(visible=False):
        image = guard_uploads(gr.Image(type="pil", image_mode=None, label="image"))
        mask = guard_uploads(gr.Image(type="pil", image_mode=None, label="mask (white = fill)"))
        grow = gr.Number(0, precision=0, label="grow (pixels; 0 = the mask exactly as given)")
        method = gr.Radio(list(METHODS), value=tasks.GAN.label, label="method")
        model = gr.Textbox("", label="model (a name in weights/; empty = the default)")
        adapt = gr.Number(0, precision=0,
                          label="adapt (0 = fill at once; 1-200 = steps the GAN learns the photo first)")
        seed = gr.Number(0, precision=0, label="seed (of that learning)")
        filled = gr.File(label="filled (the photo's own mode and depth)")
        inpaint_notes = gr.Textbox(label="notes")
        trigger = gr.Button("inpaint")
    trigger.click(inpaint_api, [image, mask, grow, method, model, adapt, seed], [filled, inpaint_notes],
                  api_name="inpaint")

    with gr.Column(visible=False):
        photo = guard_uploads(gr.Image(type="pil", image_mode=None, label="image"))
        task = gr.Radio(list(tasks.RESTORE_TASKS), value="denoise", label="task (denoise; sr2, sr4: enlarge 2x, 4x)")
        restore_method = gr.Radio(restore_method_names(), value=tasks.GAN.name, label=restore_method_help())
        noise_sigma = gr.Number(0, label="noise_sigma (seeded Gaussian noise added first, 0-50 on 0-255)")
        setting = gr.Radio(list(SETTINGS), value="clean", label="setting (the GAN's model: clean for clean photos, "
                                                                "real for phone, scan and web photos)")
        restored = gr.File(label="restored (the photo's own mode and depth)")
        restore_notes = gr.Textbox(label="notes")
        restore_trigger = gr.Button("restore")
    restore_trigger.click(restore_api, [photo, task, restore_method, noise_sigma, setting], [restored, restore_notes],
                          api_name="restore")
