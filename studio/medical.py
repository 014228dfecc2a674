"""The Medical tab: undersampled MRI reconstructed by zero-filling, compressed sensing and the GAN.

build() creates the tab's components inside the current gr.Blocks context; the work is in gan_core.
"""
import tempfile
import time

import gradio as gr
import numpy as np
import pandas as pd
from PIL import Image

from gan_core.mri import medical_io
from gan_core.mri import recon as mri
from gan_core.mri import slices as mri_data
from gan_core.mri.classical import l1_wavelet, psnr01, ssim01

DISCLAIMER = ("**A teaching demo, not a medical device.** The GAN was trained on axial slices of two brains "
              "(one human, one macaque) from Debian's mricron-data; it has never seen a patient.")
EXAMPLE = (mri_data.TEMPLATES / "ch2.nii.gz", 82)  # an axial slice inside the held-out validation slab
SLIDER_END = 400   # the slice slider's end before a file is chosen (the example's slice is fixed)
LAMBDA = {4: 1e-3, 8: 1e-3}  # the L1-wavelet weight tuned on training slices (docs/mri-val.json)
NOT_TRAINED = ("**The MRI model is not trained yet** (`weights/mri-recon.safetensors` is missing): the tab shows "
               "zero-filling and compressed sensing only, and the download is the compressed-sensing result.")


def gan_installed() -> bool:
    return mri.DEFAULT_WEIGHTS.exists()


def to_png(image: np.ndarray, top: float | None = None) -> Image.Image:
    top = float(image.max()) if top is None else top
    return Image.fromarray((np.clip(image / max(top, 1e-12), 0, 1) * 255).round().astype(np.uint8))


def load(file, index):
    """(volume in [0, 1], (low, high), slider update) from an uploaded file or the bundled example.

    A file of one slice (a single DICOM image) gets a slider of 0-1 that cannot be moved: Gradio refuses a
    slider whose minimum is its maximum, and reconstruct() keeps to the slices there are.
    """
    volume = medical_io.read_volume(file if file else EXAMPLE[0])
    unit, value_range = medical_io.to_unit(volume)
    index = min(int(index if file else EXAMPLE[1]), len(unit) - 1)
    return unit, value_range, gr.update(maximum=max(1, len(unit) - 1), value=index, interactive=len(unit) > 1)


def slice_picker(file, index):
    """The slice slider after a file was chosen (the file's slices) or removed (as the page began)."""
    if not file:
        return gr.update(maximum=SLIDER_END, value=EXAMPLE[1], interactive=True)
    try:
        return load(file, index)[2]
    except (ValueError, FileNotFoundError) as error:   # an unreadable file: a message, as Reconstruct gives
        raise gr.Error(str(error)) from None


def reconstruct(file, index, acceleration):
    try:
        volume, (low, high), _ = load(file, index)
    except (ValueError, FileNotFoundError) as error:
        raise gr.Error(str(error))
    image = volume[min(int(index if file else EXAMPLE[1]), len(volume) - 1)]
    acceleration = int(acceleration.rstrip("x"))
    mask = mri.column_mask(*image.shape, acceleration, seed=0)
    kspace = mri.to_kspace(image) * mask
    results, rows = {}, []
    methods = [("zero-filled", lambda: mri.zero_filled(kspace)),
               ("L1-wavelet CS", lambda: l1_wavelet(kspace, mask, LAMBDA[acceleration]))]
    if gan_installed():
        methods.append(("GAN", lambda: mri.mri_reconstruct(kspace, mask)))
    for name, method in methods:
        start = time.perf_counter()
        results[name] = method()
        rows.append({"method": name, "PSNR (dB)": round(psnr01(image, results[name]), 2),
                     "SSIM": round(ssim01(image, results[name]), 4),
                     "ms": round(1000 * (time.perf_counter() - start))})
    best = "GAN" if "GAN" in results else "L1-wavelet CS"
    error = np.abs(np.clip(results[best], 0, 1) - image)
    download = tempfile.NamedTemporaryFile(suffix=".png", delete=False).name
    sixteen_bit = medical_io.to_uint16(results[best], *((low, high) if 0 <= low and high <= 65535 else (0, 65535)))
    Image.fromarray(sixteen_bit).save(download)
    gallery = [(to_png(mask.astype(np.float32)), f"k-space mask ({acceleration}x)")]
    gallery += [(to_png(results[name], 1.0), name) for name in results] + [(to_png(image, 1.0), "original")]
    return gallery, to_png(error, 0.2), pd.DataFrame(rows), download


def build() -> None:
    gr.Markdown(DISCLAIMER)
    gr.Markdown(NOT_TRAINED, visible=not gan_installed())
    with gr.Row():
        with gr.Column(scale=1):
            file = gr.File(label="DICOM or NIfTI file (empty: the bundled example slice)",
                           file_types=[".dcm", ".nii", ".gz", ".ima"], type="filepath", elem_id="medical-file")
            index = gr.Slider(0, SLIDER_END, value=EXAMPLE[1], step=1, label="slice")
            acceleration = gr.Radio(["4x", "8x"], value="4x", label="acceleration (fewer k-space lines)")
            run = gr.Button("Reconstruct", variant="primary")
        with gr.Column(scale=3):
            gallery = gr.Gallery(label="mask, zero-filled, compressed sensing, GAN, original", columns=5, height=320)
            with gr.Row():
                error = gr.Image(label="|GAN (or CS) - original| (white = 0.2)", type="pil")
                table = gr.Dataframe(label="numbers on this slice")
            download = gr.File(label="GAN (or CS) result, 16-bit PNG")
    file.change(slice_picker, [file, index], index, api_visibility="private")
    run.click(reconstruct, [file, index, acceleration], [gallery, error, table, download])
