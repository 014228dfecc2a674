"""studio.medical (the Medical tab): without the MRI model it says so and still reconstructs; NIfTI uploads load."""
import gradio as gr
import nibabel as nib
import numpy as np
import pytest
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, MRImageStorage, generate_uid

from gan_core.mri import recon as mri
from studio import medical
from tests.studio_helpers import run_event


def write_nifti(path, volume):
    nib.save(nib.Nifti1Image(volume, np.eye(4)), str(path))


def write_dicom_slice(path, pixels):
    """One MR slice as a DICOM file, as a scanner's export holds it (16-bit, monochrome)."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = MRImageStorage, generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = MRImageStorage, meta.MediaStorageSOPInstanceUID, "MR"
    ds.set_pixel_data(pixels, photometric_interpretation="MONOCHROME2", bits_stored=16)
    ds.save_as(path, enforce_file_format=True)


def test_a_single_slice_dicom_moves_the_slider_and_reconstructs(tmp_path):
    """A slider from 0 to 0 is refused by Gradio ("Slider minimum must be less than maximum"): the upload of a
    one-slice file failed on the server and the slider stayed at the bundled volume's 82 of 0-400."""
    y, x = np.mgrid[0:64, 0:64]
    write_dicom_slice(tmp_path / "slice.dcm", ((x * 40 + y * 20) % 3000).astype(np.uint16))
    upload = {"path": str(tmp_path / "slice.dcm"), "meta": {"_type": "gradio.FileData"}}
    with gr.Blocks() as demo:
        medical.build()
    slider = run_event(demo, "slice_picker", [upload, 82])[0]
    assert slider["value"] == 0 and slider["maximum"] > 0 and not slider["interactive"]
    gallery, _, table, _ = run_event(demo, "reconstruct", [upload, slider["value"], "4x"])
    assert list(table["data"][0])[0] == "zero-filled" and gallery[-1]["caption"] == "original"


def test_a_tiny_nifti_loads_with_its_slices(tmp_path):
    volume = (np.arange(3 * 16 * 12).reshape(16, 12, 3) * 7).astype(np.int16)
    write_nifti(tmp_path / "tiny.nii.gz", volume)
    unit, (low, high), slider = medical.load(str(tmp_path / "tiny.nii.gz"), 1)
    assert unit.ndim == 3 and unit.min() >= 0 and unit.max() <= 1
    assert high > low and slider["maximum"] == len(unit) - 1


def test_without_the_mri_model_the_tab_says_it_is_not_trained_and_shows_the_others(tmp_path, monkeypatch):
    monkeypatch.setattr(mri, "DEFAULT_WEIGHTS", tmp_path / "missing.safetensors")
    assert not medical.gan_installed() and "not trained yet" in medical.NOT_TRAINED
    rng = np.random.default_rng(0)
    volume = (rng.uniform(0, 1000, (32, 32, 2)) + np.arange(32)[:, None, None] * 20).astype(np.uint16)
    write_nifti(tmp_path / "scan.nii", volume)
    gallery, error, table, download = medical.reconstruct(str(tmp_path / "scan.nii"), 0, "4x")
    assert list(table["method"]) == ["zero-filled", "L1-wavelet CS"]
    assert [caption for _, caption in gallery][-1] == "original" and "GAN" not in [c for _, c in gallery]
    assert Image.open(download).mode.startswith("I;16")
