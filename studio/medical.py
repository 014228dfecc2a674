"""The Medical tab: undersampled MRI and sparse-view CT, reconstructed by classical methods and by the GANs.

A slice (the bundled example, or one of an uploaded DICOM, NIfTI or zipped DICOM series) is measured as a
scanner would (MRI: some k-space columns; CT: a sinogram at a few angles) and reconstructed by every method of
studio.medical_methods. Each result is shown beside its error map at the same size, with PSNR, SSIM and time,
and can be downloaded as a 16-bit PNG named after the input and the method. build() creates the components
inside the current gr.Blocks context; the work is in gan_core.
"""
import functools
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
import numpy as np
import pandas as pd
from PIL import Image

from gan_core.mri import medical_io
from gan_core.mri import slices as mri_data
from gan_core.mri.classical import psnr01, ssim01
from studio.common import OUTPUT_DIR, OUTPUT_MAX_AGE_S, friendly_errors, save_image
from studio.medical_methods import ACCELERATIONS, VIEWS, Case, ct_case, mri_case

DISCLAIMER = ("**A teaching demo, not a medical device.** The MRI model that generalises (*GAN, unrolled*) was "
              "trained on one human brain (colin27, from Debian's mricron-data) plus photographs; the first MRI "
              "model on two brains (that one and a macaque's); the CT model on the same human brain plus "
              "photographs. None has seen a patient or a real CT scan.")
EXAMPLE = (mri_data.TEMPLATES / "ch2.nii.gz", 82)  # an axial slice inside the held-out validation slab
EXAMPLE_NOTE = ("Without a file, the tab uses its bundled example: slice 82 of colin27's MRI (`ch2.nii.gz`), "
                "held out from training. In CT mode it stands in for a CT phantom: the project has no CT data.")
ERROR_WHITE = 0.2      # error maps: white = an error of 0.2 of the slice's range, the same scale for every method
SLIDER_END = 400       # the slider's end before a file is chosen (it is hidden then: the example's slice is fixed)
MODALITIES = ("MRI", "CT")
ACCELERATION_CHOICES = [f"{a}x" for a in ACCELERATIONS]        # "4x": a quarter of the k-space lines
VIEW_CHOICES = [f"{v} views" for v in VIEWS]
MIN_COLUMNS = 5        # the galleries' columns: one per picture, at least this many


@dataclass
class Scan:
    volume: np.ndarray      # float32 (slices, H, W) in [0, 1], scaled by the file's own minimum and maximum
    png: tuple              # (low, high, how): the 16-bit values of 0 and 1 in downloads (medical_io.png_range)
    stem: str               # the input's name for download names: "ch2", "series"
    example: bool


def stem_of(path: str | Path) -> str:
    """A file's name without its suffixes (.nii.gz, .dcm, .zip), made safe for a file name."""
    name = Path(path).name
    for suffix in (".nii.gz", ".nii", ".dcm", ".dicom", ".ima", ".zip"):
        if name.lower().endswith(suffix):
            name = name[:-len(suffix)]
            break
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "slice"


@functools.lru_cache(maxsize=2)
def read_scan(path: str, mtime_ns: int, example: bool) -> Scan:
    volume = medical_io.read_volume(path)
    return Scan(medical_io.to_unit(volume)[0], medical_io.png_range(volume), stem_of(path), example)


def load(file) -> Scan:
    """The uploaded file (a path) or, without one, the bundled example; read once, then from memory."""
    path = Path(file if file else EXAMPLE[0])
    if not path.exists():
        raise FileNotFoundError(f"{path.name} not found" + ("; install the Debian package mricron-data"
                                                            if not file else ""))
    return read_scan(str(path), path.stat().st_mtime_ns, not file)


def slice_index(scan: Scan, index) -> int:
    return EXAMPLE[1] if scan.example else min(max(0, int(index or 0)), len(scan.volume) - 1)


@friendly_errors
def slice_picker(file, index):
    """The slice slider for a newly chosen file: hidden for one slice (and for the example, whose slice is
    fixed), else spanning the file's slices and set to the middle one."""
    if not file:
        return gr.update(visible=False, maximum=SLIDER_END, value=EXAMPLE[1])
    count = len(load(file).volume)
    if count == 1:  # Gradio refuses a slider whose minimum is its maximum: a hidden 0-1 slider at 0
        return gr.update(visible=False, minimum=0, maximum=1, value=0)
    return gr.update(visible=True, minimum=0, maximum=count - 1, value=count // 2,
                     label=f"slice (0-{count - 1})")


def modality_changed(modality):
    """MRI chooses an acceleration, CT a number of views."""
    return gr.update(visible=modality == "MRI"), gr.update(visible=modality == "CT")


def grey(image: np.ndarray, top: float = 1.0) -> np.ndarray:
    """A [0, top] float image as 8-bit grey for the page (the downloads keep 16 bits)."""
    return (np.clip(image / top, 0, 1) * 255).round().astype(np.uint8)


def row_height(columns: int) -> str:
    """A gallery's height that holds one row of `columns` square cells whole, at any page width.

    Gradio 6.31 draws a gallery's cells square, as wide as the gallery over its columns, and scrolls what does
    not fit its height: the page's column is the window less 64-128 px, and at most 1856 px.
    """
    return f"calc(min(100vw - 64px, 1856px) / {columns} + 36px)"


def run_methods(case: Case) -> tuple[dict, list[dict]]:
    """Every method's result, and the table's rows: (name -> float32 result, rows)."""
    results, rows = {}, []
    for name, _, method in case.methods:
        start = time.perf_counter()
        results[name] = np.asarray(method(), np.float32)
        milliseconds = round(1000 * (time.perf_counter() - start))
        rows.append({"method": name, "PSNR (dB)": round(psnr01(case.original, results[name]), 2),
                     "SSIM": round(ssim01(case.original, results[name]), 4), "ms": milliseconds})
    return results, rows


def new_download_folder() -> Path:
    """A folder of its own for one request's downloads (so files keep their plain names), inside Gradio's cache;
    folders older than an hour are deleted on the way."""
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    for old in OUTPUT_DIR.glob("medical-*"):
        try:
            if time.time() - old.stat().st_mtime > OUTPUT_MAX_AGE_S:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:  # another request removed it first
            pass
    return Path(tempfile.mkdtemp(prefix="medical-", dir=OUTPUT_DIR))


def download_name(scan: Scan, index: int, slug: str, setting: str) -> str:
    """e.g. ch2-slice82-gan-unrolled-4x.png; a file of one slice has no slice number."""
    where = f"-slice{index}" if len(scan.volume) > 1 else ""
    return f"{scan.stem}{where}-{slug}-{setting}.png"


def write_downloads(scan: Scan, index: int, case: Case, results: dict) -> list[str]:
    """One 16-bit PNG per method, in the input's own values where a PNG can hold them (png_range)."""
    folder, low, high = new_download_folder(), scan.png[0], scan.png[1]
    paths = []
    for name, slug, _ in case.methods:
        path = folder / download_name(scan, index, slug, case.setting)
        Image.fromarray(medical_io.to_uint16(results[name], low, high)).save(path)
        paths.append(str(path))
    return paths


def galleries(case: Case, results: dict, rows: list[dict], stem: str) -> tuple[list, list]:
    """The two galleries' (picture file, caption) lists, column by column: the original above what was measured,
    then each result (with its PSNR) above its error map, all at the slice's size."""
    psnr = {row["method"]: row["PSNR (dB)"] for row in rows}
    saved = functools.partial(save_image, stem=stem, compress_level=1)     # shown on the page only: 8-bit, quick
    pictures = [(saved(grey(case.original)), "original")]
    errors = [(saved(grey(case.measured)), case.measured_caption)]
    for name, _, _ in case.methods:
        pictures.append((saved(grey(results[name])), f"{name} · {psnr[name]:.2f} dB"))
        error = np.abs(np.clip(results[name], 0, 1) - case.original)
        errors.append((saved(grey(error, ERROR_WHITE)), f"|{name} - original|"))
    return pictures, errors


@friendly_errors
def reconstruct(file, index, acceleration="4x", modality="MRI", views="60 views"):
    """Measure one slice as an MRI (acceleration "2x".."8x") or CT (views "90 views".."30 views") scanner would,
    reconstruct it with every method, and score each: (results gallery, error-map gallery, table, downloads,
    notes)."""
    if modality not in MODALITIES:
        raise ValueError(f"the modality must be MRI or CT, not {modality!r}")
    choice = {"MRI": (str(acceleration), ACCELERATION_CHOICES), "CT": (str(views), VIEW_CHOICES)}[modality]
    if choice[0] not in choice[1]:
        raise ValueError(f"{modality} offers {', '.join(choice[1])}, not {choice[0]!r}")
    scan = load(file)
    index = slice_index(scan, index)
    image = scan.volume[index]
    if modality == "MRI":
        case = mri_case(image, int(choice[0].rstrip("x")))
    else:
        case = ct_case(image, int(choice[0].split()[0]))
    results, rows = run_methods(case)
    pictures, errors = galleries(case, results, rows, f"medical-{scan.stem}")
    notes = case.notes + ([EXAMPLE_NOTE] if scan.example else [])
    notes.append(f"Downloads: 16-bit PNGs in {scan.png[2]}.")
    columns = max(len(pictures), MIN_COLUMNS)   # CT's 3-4 pictures no larger than MRI's, so both rows fit a screen
    shape = dict(columns=columns, height=row_height(columns))
    return (gr.update(value=pictures, **shape), gr.update(value=errors, **shape),
            pd.DataFrame(rows), write_downloads(scan, index, case, results), " ".join(notes))


def build() -> None:
    gr.Markdown(DISCLAIMER)
    with gr.Row(equal_height=False):
        file = gr.File(label="DICOM (a file, or a series in a zip), or NIfTI; empty: the bundled example",
                       type="filepath", elem_id="medical-file", scale=2, height=140)
        with gr.Column(scale=2):
            modality = gr.Radio(list(MODALITIES), value="MRI", label="MRI / CT", elem_id="medical-modality")
            acceleration = gr.Radio(ACCELERATION_CHOICES, value="4x",
                                    label="MRI acceleration (1/N of the k-space lines measured)")
            views = gr.Radio(VIEW_CHOICES, value="60 views", visible=False,
                             label="CT views (projection angles over 180°)")
        with gr.Column(scale=1):
            index = gr.Slider(0, SLIDER_END, value=EXAMPLE[1], step=1, label="slice", visible=False,
                              elem_id="medical-slice")
            run = gr.Button("Reconstruct", variant="primary")
    notes = gr.Markdown(EXAMPLE_NOTE, elem_id="medical-notes")
    # one row of square cells each, the same columns in both; the galleries' own labels would float over the first
    # picture's top, so a line of text above each instead
    options = dict(columns=6, rows=1, height=row_height(6), fit_columns=False, object_fit="contain", show_label=False)
    gr.Markdown("**The original and each reconstruction** (PSNR in dB against the original)")
    gallery = gr.Gallery(label="original and reconstructions", elem_id="medical-results", **options)
    gr.Markdown(f"**What was measured, and each method's error map** |result - original| at the same size "
                f"(white = an error of {ERROR_WHITE:g} of the slice's range)")
    errors = gr.Gallery(label="error maps", elem_id="medical-errors", **options)
    with gr.Row():
        table = gr.Dataframe(label="numbers on this slice", scale=3, elem_id="medical-table")
        downloads = gr.File(label="results, 16-bit PNG (one per method)", file_count="multiple", scale=2,
                            interactive=False, elem_id="medical-downloads")
    file.change(slice_picker, [file, index], index, api_visibility="private")
    modality.change(modality_changed, modality, [acceleration, views], api_visibility="private", queue=False)
    run.click(reconstruct, [file, index, acceleration, modality, views], [gallery, errors, table, downloads, notes],
              api_name="reconstruct")
