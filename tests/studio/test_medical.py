"""studio.medical (the Medical tab): without the MRI model it says so and still reconstructs; NIfTI uploads load."""
import nibabel as nib
import numpy as np
import pytest
from PIL import Image

from gan_core.mri import recon as mri
from studio import medical


def write_nifti(path, volume):
    nib.save(nib.Nifti1Image(volume, np.eye(4)), str(path))


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
