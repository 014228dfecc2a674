"""The Restore tab: denoise a photo or enlarge it 2x / 4x with a GAN, or with a classical method to compare.

Tasks, scales and methods come from gan_core.core.tasks; every method runs through gan_core.restoration.restore.
"""
import os
import time
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
import numpy as np

from gan_core.core import io_checks
from gan_core.core import metrics
from gan_core.core import tasks
from gan_core.core import weights as weights_lib
from gan_core.core.device import resolve_weights
from gan_core.photos import data as data_lib
from gan_core.restoration import restore as restoring
from studio.common import (EXAMPLES_DIR, MAX_PIXELS, enable, enlarge, friendly_errors, gpu, guard_uploads,
                           on_page_load, read_photo, save_image, warn, with_notes)

RESTORE_WEIGHTS_ENV = "GAN_STUDIO_RESTORE_WEIGHTS"  # folder of TASK.safetensors; default weights/ (tests: tiny ones)
MAX_NOISE_SIGMA = 50                    # on 0-255; the denoiser learned on sigma 5-50
NOISE_SEED = 0                          # the synthetic noise is the same on every run, so results can be compared
CLOSE_UP_SIDE = 256                     # output pixels on each side of the close-up, shown pixel-doubled
RESTORE_EXAMPLES = (("dandelions", "denoise", 25), ("ladybird", "sr2", 0), ("room", "sr4", 0))


@dataclass
class Restored:
    task: str
    method: str                         # the method's name: "gan", "nlmeans", "bicubic"...
    source: np.ndarray                  # HxWx3 uint8: what the method worked on (with the synthetic noise, if any)
    image: np.ndarray                   # HxWx3 uint8: the result, 2x / 4x larger for enlargements
    seconds: float
    detail: str                         # one line on what was done, for the status text


# ----------------------------------------------------------------------------------------------------
# Models and choices


def weights_folder() -> Path:
    """Where the restoration models are: weights/, or the folder GAN_STUDIO_RESTORE_WEIGHTS names."""
    return Path(os.environ.get(RESTORE_WEIGHTS_ENV) or weights_lib.WEIGHTS_DIR)


def method_label(method: tasks.Method) -> str:
    """"GAN", or a classical method's label marked as such: "Bicubic (classical)"."""
    return method.label if method == tasks.GAN else f"{method.label} (classical)"


def check_restore_model(task: str) -> Path:
    """The task's weights file, or a gr.Error that names the missing file and the methods that work without it."""
    try:
        return resolve_weights(None, task, weights_folder())
    except FileNotFoundError as error:
        spec = tasks.get(task)
        missing = weights_folder() / f"{spec.default_weights}.safetensors"
        instead = " or ".join(method_label(method) for method in spec.classical)
        raise gr.Error(f"The {task} model ({spec.label}) is not installed: {missing.parent.name}/{missing.name} "
                       f"is missing. Choose {instead} instead: the classical methods need no model.") from error


def restore_models_note() -> str:
    """One Markdown line: which GAN models are installed (with their training steps) and which are not yet."""
    installed, missing = [], []
    for task in tasks.RESTORE_TASKS:
        label = tasks.get(task).label
        try:
            path = resolve_weights(None, task, weights_folder())
        except FileNotFoundError:
            missing.append(label)
            continue
        try:
            steps = weights_lib.read_card(path).get("steps")
            installed.append(label + (f" ({steps:,} training steps)" if steps else ""))
        except (FileNotFoundError, ValueError):
            installed.append(f"{label} (its model card is missing or unreadable)")
    if not installed:
        return "**GAN models:** none installed yet; the classical methods work for every task."
    return (f"**GAN models installed:** {', '.join(installed)}."
            + (f" Not yet: {', '.join(missing)}; use a classical method there." if missing else ""))


def restore_method_choices(task: str) -> list[tuple[str, str]]:
    """(label, name) of the methods that can do a task, GAN first."""
    return [(method_label(method), method.name) for method in tasks.get(task).methods]


def restore_methods(task: str, method: str | None) -> dict:
    """The Method radio after the task changed: the task's methods, keeping GAN or the nearest classical one."""
    names = [name for _, name in restore_method_choices(task)]
    keep = method if method in names else names[1]   # GAN is always offered; else the first classical one
    return gr.update(choices=restore_method_choices(task), value=keep)


# ----------------------------------------------------------------------------------------------------
# Running a method


def check_restore_request(photo: np.ndarray, task: str, method: str, noise_sigma) -> tuple[tasks.Method, float]:
    """Refuse unknown tasks and methods, noise outside 0-50 and results over the pixel limit.

    Returns the method and the noise sigma as a float.
    """
    if task not in tasks.RESTORE_TASKS:
        raise gr.Error(f"Unknown task {task!r}; choose one of: {', '.join(tasks.RESTORE_TASKS)}.")
    spec = tasks.get(task)
    chosen = spec.method(method)             # a ValueError that lists the task's methods
    sigma = float(noise_sigma or 0)
    if not 0 <= sigma <= MAX_NOISE_SIGMA:  # also refuses NaN
        raise gr.Error(f"The synthetic noise must be between 0 and {MAX_NOISE_SIGMA} (sigma on the 0-255 scale), "
                       f"not {noise_sigma}.")
    scale = spec.scale
    height, width = photo.shape[:2]
    if height * width * scale**2 > MAX_PIXELS:
        fit = (MAX_PIXELS / (height * width)) ** 0.5 / scale
        advice = "Choose Enlarge 2x, or use" if scale == 4 and height * width * 4 <= MAX_PIXELS else "Use"
        raise gr.Error(f"Enlarging this {width}x{height} px photo {scale}x would make a {width * scale}x"
                       f"{height * scale} px image ({io_checks.megapixels(width * height * scale**2)}), over the "
                       f"studio's limit of {io_checks.megapixels(MAX_PIXELS)}. {advice} a photo of at most "
                       f"{int(width * fit)}x{int(height * fit)} px.")
    return chosen, sigma


def conversion_notes(image) -> list[str]:
    """What converting an upload to 8-bit RGB loses, for the user: transparency and 16-bit depth."""
    mode = getattr(image, "mode", "")
    notes = []
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in getattr(image, "info", {})):
        notes.append("The photo has transparent areas; they were filled with white (the result has no transparency).")
    if mode.startswith("I") or mode == "F":
        notes.append("The photo has 16 bits per channel; it was processed at 8 bits, and the PNG is 8-bit.")
    return notes


@gpu
def run_restore_gan(photo: np.ndarray, task: str, weights: str, progress=None) -> np.ndarray:
    """The restoration GAN over the photo in tiles, in its own function so that ZeroGPU can give it a GPU."""
    return restoring.restore(photo, task, weights, progress=progress)


def run_restore(photo: np.ndarray, task: str, method: str, noise_sigma=0, progress=None) -> Restored:
    """Add the seeded synthetic noise (if asked), then denoise or enlarge with one method.

    progress: called with the fraction of GAN tiles done.
    """
    chosen, sigma = check_restore_request(photo, task, method, noise_sigma)
    weights = check_restore_model(task) if chosen == tasks.GAN else None
    source = photo if not sigma else data_lib.add_gaussian_noise(photo, sigma, np.random.default_rng(NOISE_SEED))
    started = time.perf_counter()
    if chosen == tasks.GAN:
        image = run_restore_gan(source, task, str(weights), progress)
        detail = f"the GAN (model `{weights.stem}`)"
    else:   # a denoiser is told the synthetic noise's sigma, or the one estimated from the photo
        strength = (sigma or metrics.noise_sigma(source)) if task == "denoise" else None
        image = restoring.restore(source, task, method=chosen.name, sigma=strength)
        detail = (f"Pillow's {chosen.label} filter (classical, no learning)" if strength is None else
                  f"OpenCV's {chosen.label.lower()} (classical), set for noise sigma {strength:.0f}"
                  + ("" if sigma else " (estimated from the photo)"))
    return Restored(task, chosen.name, source, image, time.perf_counter() - started, detail)


def close_up(image: np.ndarray, side: int = CLOSE_UP_SIDE) -> np.ndarray:
    """The centre of an image, `side` px square (less if it is smaller), every pixel doubled to be seen."""
    height, width = image.shape[:2]
    top, left = max(0, (height - side) // 2), max(0, (width - side) // 2)
    return enlarge(image[top:top + side, left:left + side], 2)


@friendly_errors
def restore_photo(image, task: str, method: str, noise_sigma: float, progress=gr.Progress()):
    """"Run": (before/after pair, close-up pair, PNG to download, status Markdown)."""
    progress(0.02, desc="Reading the photo")
    photo = read_photo(image)
    notes = conversion_notes(image)
    warn(notes)
    label = tasks.get(task).label if task in tasks.RESTORE_TASKS else task
    result = run_restore(photo, task, method, noise_sigma,
                         progress=lambda fraction: progress(0.05 + 0.85 * fraction, desc=f"{label}: tile by tile"))
    progress(0.92, desc="Saving the full-resolution PNG")
    scale = tasks.get(task).scale
    before = result.source if scale == 1 else enlarge(result.source, scale)   # the same size as the result
    after = save_image(result.image, f"{task}-{result.method}")
    pair = (save_image(before, "restore-before", compress_level=1), after)
    close = (save_image(close_up(before), "close-before", 1), save_image(close_up(result.image), "close-after", 1))
    height, width = photo.shape[:2]
    out_height, out_width = result.image.shape[:2]
    lines = [f"**{label}** in {result.seconds:.2f} s with {result.detail}: {width}x{height} px → {out_width}x"
             f"{out_height} px ({io_checks.megapixels(out_width * out_height)}). The PNG is full size and lossless."]
    noisy = result.source is not photo
    left = "the noisy photo the method received" if noisy else "the photo as sent"
    if noisy:
        lines.append(f"Synthetic noise of sigma {float(noise_sigma):g} was added first (seed {NOISE_SEED}: the same "
                     "noise every run)." + (f" Left side: {left}." if scale == 1 else ""))
    if noisy and scale == 1:
        lines.append(f"Against your photo before the noise: noisy {metrics.psnr(photo, result.source):.2f} dB, "
                     f"result **{metrics.psnr(photo, result.image):.2f} dB** PSNR (higher = closer).")
    if scale > 1:
        lines.append(f"Left side: {left}, each pixel repeated {scale}x{scale} (nearest neighbour), so both sides are "
                     "the same size.")
    return pair, close, after, with_notes("\n\n".join(lines), notes)


def restore_example(image, task: str, noise_sigma: float):
    """An example clicked: the GAN's result (cached lazily: run once, then kept).

    The download is a plain value: Gradio 6.31 cannot rebuild a DownloadButton from an update kept in the
    example cache (AttributeError: no attribute 'info'), so the button is enabled by the event that follows.
    """
    return restore_photo(image, task, tasks.GAN.name, noise_sigma)


# ----------------------------------------------------------------------------------------------------
# The tab


def build() -> None:
    """The Restore tab's components and events, inside the current gr.Tab."""
    gr.Markdown("Upload or paste a photo (or click an example below), choose what to do and press **Run**. "
                "Choose a classical method instead of the GAN to compare the two on the same photo.")
    with gr.Row():
        with gr.Column(scale=3):
            photo = guard_uploads(gr.Image(label="Photo", type="pil", image_mode=None, elem_id="restore-photo",
                                           sources=("upload", "clipboard"), height=420))
        with gr.Column(scale=2):
            task = gr.Radio([(tasks.get(name).label, name) for name in tasks.RESTORE_TASKS], value="denoise",
                            label="Task")
            method = gr.Radio(restore_method_choices("denoise"), value="gan", label="Method",
                              info="GAN = the trained network; the classical methods need no model")
            noise = gr.Slider(0, MAX_NOISE_SIGMA, value=0, step=1, label="Add synthetic noise first (sigma, 0-255 "
                              "scale; 0 = off)", info="Try the denoiser on a clean photo: the same noise every run")
            models_note = gr.Markdown(restore_models_note())
            run = gr.Button("Run", variant="primary")
    status = gr.Markdown()
    download = gr.DownloadButton("Download the result (PNG, full resolution)", interactive=False,
                                 elem_id="restore-download")
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

    task.change(restore_methods, [task, method], method, api_visibility="private", queue=False)
    run.click(restore_photo, [photo, task, method, noise], [before_after, close, download, status],
              api_name="restore_photo").success(enable, None, download, api_visibility="private", queue=False)
    on_page_load(restore_models_note, None, models_note, api_name="restore_models", queue=False)
