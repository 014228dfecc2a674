"""The Restore tab: denoise a photo or enlarge it 2x / 4x with a GAN, or with one of the task's peers to compare.

The GAN comes in two settings (gan_core.restoration.restore.SETTINGS): "clean" for benchmark-like photos and
"real" for photos from phones, scanners and the web; a setting is offered for a task once its model file is in
the weights folder (looked up at every page load and task change, so a file dropped in shows without a restart).
The peers are the task's other methods in gan_core.core.tasks that can run here (gan_core.photos.classical
.available: a peer whose package is missing is left out).

Nothing of the photo is lost. Gradio hands the handler the uploaded file as sent (opened by Pillow, in its own
mode, with its ICC profile and EXIF); every method runs through gan_core.restoration.restore, which gives the
result back in that mode and depth (transparency kept, and enlarged with the photo); the download is that result
(studio.photos.save_photo). The before / after views on the page are 8-bit RGB, a transparent photo over white.
"""
import os
import time
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
import numpy as np
from PIL import Image

from gan_core.core import image_modes
from gan_core.core import io_checks
from gan_core.core import metrics
from gan_core.core import tasks
from gan_core.core import weights as weights_lib
from gan_core.photos import classical
from gan_core.photos import data as data_lib
from gan_core.photos import peers
from gan_core.restoration import restore as restoring
from studio.common import (EXAMPLES_DIR, MAX_PIXELS, enable, enlarge, friendly_errors, gpu, guard_uploads,
                           on_page_load, save_image, warn, with_notes)
from studio.photos import describe_mode, open_original, save_photo

RESTORE_WEIGHTS_ENV = "GAN_STUDIO_RESTORE_WEIGHTS"  # folder of TASK.safetensors; default weights/ (tests: tiny ones)
MAX_NOISE_SIGMA = 50                    # on 0-255; the clean denoiser learned on sigma 0-55
NOISE_SEED = 0                          # the synthetic noise is the same on every run, so results can be compared
CLOSE_UP_SIDE = 256                     # output pixels on each side of the close-up, shown pixel-doubled
RESTORE_EXAMPLES = (("dandelions", "denoise", 25), ("ladybird", "sr2", 0), ("room", "sr4", 0))
SETTING_LABELS = {"clean": "Clean", "real": "Real photo"}   # the Setting radio's words for restoring.SETTINGS
NO_PHOTO = "Please upload a photo first (or click one of the examples)."
PUBLISHED_GANS = ("realesrgan", "realesrgan-small")   # peers that are trained networks themselves
PEER_NOTES = {"realesrgan-small": "the compact model, trained on anime video frames rather than photos"}


@dataclass
class Restored:
    task: str
    method: str                         # the method's name: "gan", "nlmeans", "bicubic"...
    source: np.ndarray                  # HxWx3 uint8: what the method worked on (with the synthetic noise, if any),
                                        # as a viewer shows it
    image: np.ndarray                   # HxWx3 uint8: the result as a viewer shows it, 2x / 4x larger for enlargements
    photo: object                       # the result in the photo's own mode and depth (PIL image or array)
    seconds: float
    detail: str                         # one line on what was done, for the status text


# ----------------------------------------------------------------------------------------------------
# Models, settings and methods


def weights_folder() -> Path:
    """Where the restoration models are: weights/, or the folder GAN_STUDIO_RESTORE_WEIGHTS names."""
    return Path(os.environ.get(RESTORE_WEIGHTS_ENV) or weights_lib.WEIGHTS_DIR)


def model_file(task: str, setting: str = "clean") -> Path:
    """The GAN's file for a task in a setting: weights/sr4.safetensors, weights/sr4-real.safetensors ..."""
    return weights_folder() / f"{restoring.weights_for(task, setting)}.safetensors"


def shown_path(path: Path) -> str:
    """weights/sr4.safetensors: a model file as the user is told about it (its folder, not the server's path)."""
    return f"{path.parent.name}/{path.name}"


def either(labels: list[str]) -> str:
    """'A', 'A or B', 'A, B or C'."""
    return " or ".join(labels) if len(labels) < 3 else f"{', '.join(labels[:-1])} or {labels[-1]}"


def available_methods(task: str) -> list[tasks.Method]:
    """The GAN, then the task's peers that can run on this server, best known first."""
    return [method for method in tasks.get(task).methods if method == tasks.GAN or classical.available(method.name)]


def method_label(method: tasks.Method) -> str:
    """"GAN", or a peer's label marked as what it is: "Bicubic (classical)", "Real-ESRGAN x4plus (published GAN)"."""
    if method == tasks.GAN:
        return method.label
    return f"{method.label} ({'published GAN' if method.name in PUBLISHED_GANS else 'classical'})"


def check_restore_model(task: str, setting: str = "clean") -> Path:
    """The GAN's file for a task in a setting, or a gr.Error that names the missing file and what to choose instead."""
    path = model_file(task, setting)
    if path.exists():
        return path
    spec = tasks.get(task)
    if setting != "clean":
        raise gr.Error(f"The {SETTING_LABELS[setting]} model for {spec.label} is not installed yet: "
                       f"{shown_path(path)} is missing. Choose the {SETTING_LABELS['clean']} setting instead.")
    instead = either([method_label(method) for method in available_methods(task) if method != tasks.GAN])
    raise gr.Error(f"The {task} model ({spec.label}) is not installed: {shown_path(path)} is missing. "
                   f"Choose {instead} instead: they need none of the studio's models.")


def training_steps(path: Path) -> str:
    """' (12,000 training steps)' from a model's card, or a word on why not."""
    try:
        steps = weights_lib.read_card(path).get("steps")
        return f" ({steps:,} training steps)" if steps else ""
    except (FileNotFoundError, ValueError):
        return " (its model card is missing or unreadable)"


def restore_models_note() -> str:
    """One Markdown line: which GAN models are installed (with their training steps), in which settings."""
    installed = [tasks.get(task).label + training_steps(model_file(task))
                 for task in tasks.RESTORE_TASKS if model_file(task).exists()]
    missing = [tasks.get(task).label for task in tasks.RESTORE_TASKS if not model_file(task).exists()]
    real = [tasks.get(task).label + training_steps(model_file(task, "real"))
            for task in tasks.RESTORE_TASKS if model_file(task, "real").exists()]
    real_line = f" **{SETTING_LABELS['real']} models:** {', '.join(real) if real else 'none installed yet'}."
    if not installed:
        return "**GAN models:** none installed yet; the classical methods work for every task." + real_line
    return (f"**GAN models installed:** {', '.join(installed)}."
            + (f" Not yet: {', '.join(missing)}; use a classical method there." if missing else "") + real_line)


def restore_method_choices(task: str) -> list[tuple[str, str]]:
    """(label, name) of the methods that can do a task here, GAN first."""
    return [(method_label(method), method.name) for method in available_methods(task)]


def restore_methods(task: str, method: str | None) -> dict:
    """The Method radio after the task changed: the task's methods, keeping GAN or the nearest peer."""
    names = [name for _, name in restore_method_choices(task)]
    keep = method if method in names else names[1]   # GAN is always offered; else the first peer
    return gr.update(choices=restore_method_choices(task), value=keep)


def setting_choices(task: str) -> list[tuple[str, str]]:
    """(label, name) of the settings offered for a task: Clean, and the others whose model is installed."""
    offered = [setting for setting in restoring.SETTINGS if setting == "clean" or model_file(task, setting).exists()]
    return [(SETTING_LABELS[setting], setting) for setting in offered]


def setting_note(task: str, setting: str) -> str:
    """The line under the Setting radio: what the chosen setting is for, and which setting is not installed."""
    setting = setting if setting in restoring.SETTINGS else "clean"
    note = f"**{SETTING_LABELS[setting]}** — {restoring.SETTINGS[setting]}."
    if task in tasks.RESTORE_TASKS and not model_file(task, "real").exists():
        note += (f" *{SETTING_LABELS['real']} is not installed for {tasks.get(task).label} yet "
                 f"({shown_path(model_file(task, 'real'))}).*")
    return note


def restore_choices(task: str, method: str | None, setting: str | None) -> tuple[dict, dict, str]:
    """The Method and Setting radios and the setting's line, for a task (at page load and when it changes)."""
    offered = [name for _, name in setting_choices(task)]
    keep = setting if setting in offered else "clean"
    return (restore_methods(task, method), gr.update(choices=setting_choices(task), value=keep),
            setting_note(task, keep))


# ----------------------------------------------------------------------------------------------------
# Reading the photo


def deep_colour_notes(image) -> list[str]:
    """A 16-bit colour PNG is decoded by Pillow at 8 bits (it has no 16-bit RGB mode): say so."""
    tiles = getattr(image, "tile", None) or []
    if getattr(image, "mode", "") in ("RGB", "RGBA") and any(";16" in str(tile[-1]) for tile in tiles):
        return ["The photo has 16 bits per colour channel; the image library (Pillow) reads colour PNGs at 8 bits, "
                "so the result is 8-bit. (16-bit greyscale photos keep their 16 bits.)"]
    return []


def read_original(image) -> tuple[object, list[str]]:
    """The upload as sent -> (the photo in its own mode, upright and checked; notes for the user).

    image: the PIL image Gradio opened from the uploaded file (type="pil", image_mode=None), a path, or an array.
    """
    if image is None:
        raise gr.Error(NO_PHOTO)
    if isinstance(image, np.ndarray):
        height, width = image.shape[:2] if image.ndim >= 2 else (0, 0)
        io_checks.check_pixels(width, height, MAX_PIXELS)
        return image, []
    notes = deep_colour_notes(image)   # before decoding: Pillow forgets how the file stored its pixels
    return open_original(image), notes


def photo_size(photo) -> tuple[int, int]:
    """(width, height) of a PIL image or an array."""
    return photo.size if isinstance(photo, Image.Image) else (np.asarray(photo).shape[1], np.asarray(photo).shape[0])


def with_noise(photo, sigma: float):
    """The photo with seeded Gaussian noise of `sigma` (on 0-255) on its colour, in its own mode and depth.

    An 8-bit photo gets exactly data.add_gaussian_noise; deeper ones the same noise at their full scale.
    Transparency is left alone.
    """
    planes = image_modes.split(photo)
    rng = np.random.default_rng(NOISE_SEED)
    colour, alpha = planes.values[..., :planes.colour_channels], planes.values[..., planes.colour_channels:]
    if colour.dtype == np.uint8:
        noisy = data_lib.add_gaussian_noise(colour, sigma, rng)
    else:
        scaled = colour.astype(np.float32) + rng.normal(0.0, sigma * planes.peak / 255, colour.shape).astype(np.float32)
        scaled = np.clip(scaled, 0, planes.peak)
        noisy = (scaled >= planes.peak / 2 if colour.dtype == bool else scaled.astype(colour.dtype)
                 if colour.dtype.kind == "f" else (scaled + 0.5).astype(colour.dtype))
    return image_modes.join(planes, np.concatenate([noisy, alpha], axis=2))


# ----------------------------------------------------------------------------------------------------
# Running a method


def check_restore_request(photo, task: str, method: str, noise_sigma,
                          setting: str = "clean") -> tuple[tasks.Method, float]:
    """Refuse unknown tasks, settings and methods, peers not installed, noise outside 0-50 and results over the
    pixel limit. Returns the method and the noise sigma as a float."""
    if task not in tasks.RESTORE_TASKS:
        raise gr.Error(f"Unknown task {task!r}; choose one of: {', '.join(tasks.RESTORE_TASKS)}.")
    if setting not in restoring.SETTINGS:
        raise gr.Error(f"Unknown setting {setting!r}; choose one of: {', '.join(restoring.SETTINGS)}.")
    spec = tasks.get(task)
    chosen = spec.method(method)             # a ValueError that lists the task's methods
    if chosen not in available_methods(task):
        here = ", ".join(method.name for method in available_methods(task))
        raise gr.Error(f"{chosen.label} is not installed on this server (its Python package is missing); "
                       f"choose one of: {here}.")
    width, height = photo_size(photo)
    if chosen != tasks.GAN and min(width, height) < chosen.min_side:
        raise gr.Error(f"{chosen.label} needs a photo of at least {chosen.min_side} px on each side; this one is "
                       f"{width}x{height} px.")
    sigma = float(noise_sigma or 0)
    if not 0 <= sigma <= MAX_NOISE_SIGMA:  # also refuses NaN
        raise gr.Error(f"The synthetic noise must be between 0 and {MAX_NOISE_SIGMA} (sigma on the 0-255 scale), "
                       f"not {noise_sigma}.")
    scale = spec.scale
    if height * width * scale**2 > MAX_PIXELS:
        fit = (MAX_PIXELS / (height * width)) ** 0.5 / scale
        advice = "Choose Enlarge 2x, or use" if scale == 4 and height * width * 4 <= MAX_PIXELS else "Use"
        raise gr.Error(f"Enlarging this {width}x{height} px photo {scale}x would make a {width * scale}x"
                       f"{height * scale} px image ({io_checks.megapixels(width * height * scale**2)}), over the "
                       f"studio's limit of {io_checks.megapixels(MAX_PIXELS)}. {advice} a photo of at most "
                       f"{int(width * fit)}x{int(height * fit)} px.")
    return chosen, sigma


@gpu
def run_restore_gan(photo, task: str, weights: str, setting: str = "clean", progress=None):
    """The restoration GAN over the photo in tiles, in its own function so that ZeroGPU can give it a GPU."""
    return restoring.restore(photo, task, weights, setting=setting, progress=progress)


def run_restore_peer(photo, task: str, method: str, sigma: float | None, progress=None):
    """A peer of the GAN (the denoisers are told the noise sigma), in the photo's own mode. progress: the
    fraction of Real-ESRGAN's tiles done, where gan_core passes it on."""
    return restoring.restore(photo, task, method=method, sigma=sigma, progress=progress)


def peer_detail(method: tasks.Method, sigma: float | None, estimated: bool) -> str:
    """'Bicubic (classical)', 'BM3D (classical), set for noise sigma 25 (estimated from the photo)'."""
    detail = method_label(method) + (f", {PEER_NOTES[method.name]}" if method.name in PEER_NOTES else "")
    if sigma is None:
        return detail
    return f"{detail}, set for noise sigma {sigma:.0f}" + (" (estimated from the photo)" if estimated else "")


def run_restore(photo, task: str, method: str, noise_sigma=0, setting: str = "clean", progress=None) -> Restored:
    """Add the seeded synthetic noise (if asked), then denoise or enlarge with one method.

    photo: a PIL image in any mode, or an array; the result's `photo` is in the same mode and depth.
    progress: called with (fraction done, what is running), 0 when a method starts (a peer such as BM3D then
    takes seconds with nothing more to report) and as the GAN's tiles are done.
    """
    chosen, sigma = check_restore_request(photo, task, method, noise_sigma, setting)
    weights = check_restore_model(task, setting) if chosen == tasks.GAN else None
    report = progress or (lambda fraction, what: None)
    source = with_noise(photo, sigma) if sigma else photo
    view = data_lib.as_rgb_array(source)
    started = time.perf_counter()
    if chosen == tasks.GAN:
        report(0.0, "the GAN, tile by tile")
        restored = run_restore_gan(source, task, str(weights), setting,
                                   lambda fraction: report(fraction, "the GAN, tile by tile"))
        detail = f"the GAN (model `{weights.stem}`, {SETTING_LABELS[setting]} setting)"
    else:   # a denoiser is told the synthetic noise's sigma, or the one estimated from the photo
        strength = (sigma or metrics.noise_sigma(view)) if task == "denoise" else None
        what = chosen.label + (", seconds on a CPU" if chosen.name in peers.PEERS else "")
        report(0.0, what)
        restored = run_restore_peer(source, task, chosen.name, strength, lambda fraction: report(fraction, what))
        detail = peer_detail(chosen, strength, estimated=not sigma)
    seconds = time.perf_counter() - started
    report(1.0, "done")
    return Restored(task, chosen.name, view, data_lib.as_rgb_array(restored), restored, seconds, detail)


def close_up(image: np.ndarray, side: int = CLOSE_UP_SIDE) -> np.ndarray:
    """The centre of an image, `side` px square (less if it is smaller), every pixel doubled to be seen."""
    height, width = image.shape[:2]
    top, left = max(0, (height - side) // 2), max(0, (width - side) // 2)
    return enlarge(image[top:top + side, left:left + side], 2)


# ----------------------------------------------------------------------------------------------------
# What the page shows


def is_plain_rgb(photo) -> bool:
    """Whether a result is 8-bit RGB already, so that its download file can be the preview too."""
    if isinstance(photo, Image.Image):
        return photo.mode == "RGB"
    array = np.asarray(photo)
    return array.dtype == np.uint8 and array.ndim == 3 and array.shape[2] == 3


def mode_notes(photo, scale: int) -> list[str]:
    """What the status says about a result's transparency and depth."""
    if isinstance(photo, Image.Image):
        transparent, deep = photo.mode in ("RGBA", "LA", "PA"), photo.mode[0] in "IF"
    else:
        array = np.asarray(photo)
        transparent, deep = array.ndim == 3 and array.shape[2] in (2, 4), array.dtype not in (np.uint8, bool)
    lines = []
    if transparent:
        lines.append("The transparency is kept" + (f" (enlarged {scale}x with the photo)" if scale > 1 else "")
                     + "; the views on this page show the photo over white.")
    if deep:
        lines.append("Every method works on 8 bits per channel: the result has the photo's full depth, but its "
                     "values move in steps of 1/255 of full scale (257 at 16 bits).")
    return lines


def restore_status(result: Restored, photo_view: np.ndarray, noise_sigma: float) -> str:
    """The status paragraph: what ran, how long, the sizes, the PSNR against the photo before synthetic noise."""
    label, scale = tasks.get(result.task).label, tasks.get(result.task).scale
    height, width = result.source.shape[:2]
    out_height, out_width = result.image.shape[:2]
    lines = [f"**{label}** in {result.seconds:.2f} s with {result.detail}: {width}x{height} px → {out_width}x"
             f"{out_height} px ({io_checks.megapixels(out_width * out_height)}). The download is full size and "
             f"lossless, in the photo's own mode ({describe_mode(result.photo)}).", *mode_notes(result.photo, scale)]
    noisy = bool(noise_sigma)
    left = "the noisy photo the method received" if noisy else "the photo as sent"
    if noisy:
        lines.append(f"Synthetic noise of sigma {float(noise_sigma):g} was added first (seed {NOISE_SEED}: the same "
                     "noise every run)." + (f" Left side: {left}." if scale == 1 else ""))
    if noisy and scale == 1:
        lines.append(f"Against your photo before the noise: noisy {metrics.psnr(photo_view, result.source):.2f} dB, "
                     f"result **{metrics.psnr(photo_view, result.image):.2f} dB** PSNR (higher = closer).")
    if scale > 1:
        lines.append(f"Left side: {left}, each pixel repeated {scale}x{scale} (nearest neighbour), so both sides are "
                     "the same size.")
    return "\n\n".join(lines)


@friendly_errors
def restore_photo(image, task: str, method: str, noise_sigma: float, setting: str = "clean",
                  progress=gr.Progress()):
    """"Run": (before/after pair, close-up pair, the result to download, status Markdown).

    The download is the whole result in the photo's own mode and depth, with its ICC profile and EXIF; the
    before / after views are 8-bit RGB.
    """
    progress(0.02, desc="Reading the photo")
    photo, notes = read_original(image)
    warn(notes)
    label = tasks.get(task).label if task in tasks.RESTORE_TASKS else task
    result = run_restore(photo, task, method, noise_sigma, setting,
                         progress=lambda fraction, what: progress(0.05 + 0.85 * fraction, desc=f"{label}: {what}"))
    progress(0.92, desc="Saving the full-resolution file")
    scale = tasks.get(task).scale
    before = result.source if scale == 1 else enlarge(result.source, scale)   # the same size as the result
    download = save_photo(result.photo, f"{task}-{result.method}")
    after = download if is_plain_rgb(result.photo) else save_image(result.image, f"{task}-{result.method}-view", 1)
    pair = (save_image(before, "restore-before", compress_level=1), after)
    close = (save_image(close_up(before), "close-before", 1), save_image(close_up(result.image), "close-after", 1))
    photo_view = data_lib.as_rgb_array(photo) if noise_sigma else result.source
    return pair, close, download, with_notes(restore_status(result, photo_view, noise_sigma), notes)


def restore_example(image, task: str, noise_sigma: float):
    """An example clicked: the GAN's result, Clean setting (cached lazily: run once, then kept).

    The download is a plain value: Gradio 6.31 cannot rebuild a DownloadButton from an update kept in the
    example cache (AttributeError: no attribute 'info'), so the button is enabled by the event that follows.
    """
    return restore_photo(image, task, tasks.GAN.name, noise_sigma, "clean")


# ----------------------------------------------------------------------------------------------------
# The tab


def build() -> None:
    """The Restore tab's components and events, inside the current gr.Tab."""
    gr.Markdown("Upload or paste a photo (or click an example below), choose what to do and press **Run**. "
                "Choose another method instead of the GAN to compare the two on the same photo. Transparent, "
                "greyscale and 16-bit photos come back as they are, with their transparency and depth.")
    with gr.Row():
        with gr.Column(scale=3):
            photo = guard_uploads(gr.Image(label="Photo", type="pil", image_mode=None, elem_id="restore-photo",
                                           sources=("upload", "clipboard"), height=420))
        with gr.Column(scale=2):
            task = gr.Radio([(tasks.get(name).label, name) for name in tasks.RESTORE_TASKS], value="denoise",
                            label="Task")
            method = gr.Radio(restore_method_choices("denoise"), value="gan", label="Method",
                              info="GAN = the studio's trained network; the others are its peers, to compare: "
                                   "classical filters, BM3D and Real-ESRGAN (seconds on a CPU) where installed")
            setting = gr.Radio(setting_choices("denoise"), value="clean", label="Setting (for the GAN)",
                               elem_id="restore-setting")
            about_setting = gr.Markdown(setting_note("denoise", "clean"))
            noise = gr.Slider(0, MAX_NOISE_SIGMA, value=0, step=1, label="Add synthetic noise first (sigma, 0-255 "
                              "scale; 0 = off)", info="Try the denoiser on a clean photo: the same noise every run")
            models_note = gr.Markdown(restore_models_note())
            run = gr.Button("Run", variant="primary")
    status = gr.Markdown()
    download = gr.DownloadButton("Download the result (full resolution, the photo's own mode and depth)",
                                 interactive=False, elem_id="restore-download")
    with gr.Row(equal_height=False):
        before_after = gr.ImageSlider(label="Before / after (drag the handle)", type="filepath", format="png",
                                      max_height=640, scale=3)
        close = gr.ImageSlider(label="Close-up: the centre, up to 256x256 px, enlarged", type="filepath",
                               format="png", max_height=640, scale=2)
    examples = gr.Examples(
        [[str(EXAMPLES_DIR / f"{name}.jpg"), task_name, sigma] for name, task_name, sigma in RESTORE_EXAMPLES],
        inputs=[photo, task, noise], outputs=[before_after, close, download, status],
        fn=restore_example, cache_examples=True, cache_mode="lazy", api_visibility="private",
        label="Examples: the GAN's result shows at once (worked out on the first click, then kept)",
        example_labels=[f"{name.capitalize()}: {tasks.get(task_name).label.lower()}"
                        + (f", noise {sigma}" if sigma else "") for name, task_name, sigma in RESTORE_EXAMPLES])
    examples.load_input_event.success(enable, None, download, api_visibility="private", queue=False)

    choices = [method, setting, about_setting]
    task.change(restore_choices, [task, method, setting], choices, api_visibility="private", queue=False)
    setting.change(setting_note, [task, setting], about_setting, api_visibility="private", queue=False)
    run.click(restore_photo, [photo, task, method, noise, setting], [before_after, close, download, status],
              api_name="restore_photo").success(enable, None, download, api_visibility="private", queue=False)
    on_page_load(restore_models_note, None, models_note, api_name="restore_models", queue=False)
    on_page_load(restore_choices, [task, method, setting], choices, api_visibility="private", queue=False)
