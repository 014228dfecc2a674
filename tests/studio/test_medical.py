"""studio.medical (the Medical tab): MRI and CT, every method with its numbers, its error map and its download.

The slow methods (L1-wavelet and TV compressed sensing, SART-TV, the networks) are replaced by quick stand-ins
that record how they were called: what is tested here is the tab, not the reconstructions.
"""
import gradio as gr
import nibabel as nib
import numpy as np
import pytest
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, MRImageStorage, generate_uid

from gan_core.mri import classical, ct
from gan_core.mri import recon as mri
from studio import medical, medical_methods
from tests.studio_helpers import run_event


def write_nifti(path, volume):
    nib.save(nib.Nifti1Image(volume, np.eye(4)), str(path))


def write_dicom_slice(path, pixels, modality="MR", **tags):
    """One slice as a DICOM file, as a scanner's export holds it (monochrome; 16-bit unless given uint8)."""
    sop_class = CTImageStorage if modality == "CT" else MRImageStorage
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = sop_class, generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = sop_class, meta.MediaStorageSOPInstanceUID, modality
    for name, value in tags.items():
        setattr(ds, name, value)
    ds.set_pixel_data(pixels, photometric_interpretation="MONOCHROME2", bits_stored=pixels.dtype.itemsize * 8)
    ds.save_as(path, enforce_file_format=True)


def head(side=64, top=3000.0) -> np.ndarray:
    """A head-like test slice: a bright ring (skull) around a textured disc, dark outside."""
    y, x = np.mgrid[0:side, 0:side] - side / 2 + 0.5
    radius = np.hypot(y, x)
    inside = (radius < side * 0.35) * (0.4 + 0.2 * np.sin(x / 3) * np.cos(y / 4))
    return (top * (inside + (abs(radius - side * 0.38) < 2))).astype(np.float32)


@pytest.fixture
def quick_methods(monkeypatch, tmp_path):
    """Fast stand-ins for the slow methods, no learned model installed; returns the calls they received."""
    calls = []

    def tv_cs(kspace, mask, weight=None, iterations=60):
        calls.append("tv_cs")
        return mri.zero_filled(kspace) * 0.99

    def sart_tv(sinogram, angles):
        calls.append(("sart_tv", len(angles)))
        return ct.fbp(sinogram, angles) * 0.99

    monkeypatch.setattr(classical, "l1_wavelet", lambda kspace, mask, lamda, iterations=100: mri.zero_filled(kspace))
    monkeypatch.setattr(classical, "tv_cs", tv_cs, raising=False)
    monkeypatch.setattr(classical, "sart_tv", sart_tv, raising=False)
    monkeypatch.setattr(medical_methods, "UNROLLED_WEIGHTS", tmp_path / "no-mri-unrolled.safetensors")
    monkeypatch.setattr(mri, "FIRST_WEIGHTS", tmp_path / "no-mri-recon.safetensors")
    monkeypatch.setattr(ct, "DEFAULT_WEIGHTS", tmp_path / "no-ct-recon.safetensors")
    return calls


def install_fake_models(monkeypatch, tmp_path):
    """Weights files that exist, and networks that record which file they were asked to use."""
    used = []
    paths = {name: tmp_path / f"{name}.safetensors" for name in ("mri-unrolled", "mri-recon", "ct-recon")}
    for path in paths.values():
        path.write_bytes(b"weights")
    monkeypatch.setattr(medical_methods, "UNROLLED_WEIGHTS", paths["mri-unrolled"])
    monkeypatch.setattr(mri, "FIRST_WEIGHTS", paths["mri-recon"])
    monkeypatch.setattr(ct, "DEFAULT_WEIGHTS", paths["ct-recon"])

    def mri_reconstruct(kspace, mask, weights=None):
        used.append(weights)
        return mri.zero_filled(kspace)

    def ct_reconstruct(sinogram, angles, weights=None):
        used.append(weights)
        return ct.fbp(sinogram, angles)

    monkeypatch.setattr(mri, "mri_reconstruct", mri_reconstruct)
    monkeypatch.setattr(ct, "ct_reconstruct", ct_reconstruct, raising=False)
    return paths, used


def upload(path) -> dict:
    return {"path": str(path), "meta": {"_type": "gradio.FileData"}}


def table_rows(table) -> dict:
    return {row["method"]: row for row in table.to_dict("records")}


def picture_sizes(gallery_update) -> list:
    return [Image.open(path).size for path, _ in gallery_update["value"]]


# ----------------------------------------------------------------------------------------------------
# The slice slider


def test_a_single_slice_dicom_hides_the_slider_and_reconstructs(tmp_path, quick_methods):
    """A slider from 0 to 0 is refused by Gradio ("Slider minimum must be less than maximum"); a one-slice file
    showed a fixed 0-1 slider. Now the slider hides, and the file reconstructs through the page's own event."""
    write_dicom_slice(tmp_path / "knee scan.dcm", head().astype(np.uint16))
    with gr.Blocks() as demo:
        medical.build()
    slider = run_event(demo, "slice_picker", [upload(tmp_path / "knee scan.dcm"), 82])[0]
    assert slider["visible"] is False and slider["value"] == 0
    gallery, errors, table, downloads, notes = run_event(demo, "reconstruct", [upload(tmp_path / "knee scan.dcm"),
                                                                               slider["value"], "4x", "MRI", "60 views"])
    assert [row[0] for row in table["data"]] == ["zero-filled", "L1-wavelet CS", "TV CS"]
    assert gallery["value"][0]["caption"] == "original" and len(errors["value"]) == len(gallery["value"])
    names = sorted(file["orig_name"] for file in downloads)
    assert names == ["knee-scan-l1-wavelet-cs-4x.png", "knee-scan-tv-cs-4x.png", "knee-scan-zero-filled-4x.png"]
    assert "No MRI model is trained yet" in notes


def test_a_volume_shows_the_slider_over_its_slices(tmp_path):
    write_nifti(tmp_path / "scan.nii.gz", np.stack([head(32) * (i + 1) for i in range(5)], axis=2).astype(np.int16))
    slider = medical.slice_picker(str(tmp_path / "scan.nii.gz"), 82)
    assert slider["visible"] is True and (slider["minimum"], slider["maximum"], slider["value"]) == (0, 4, 2)
    assert medical.slice_picker(None, 3)["visible"] is False       # the example's slice is fixed


def test_the_slider_picks_the_slice_that_is_reconstructed(tmp_path, quick_methods):
    volume = np.stack([head(32) * (i + 1) for i in range(3)], axis=2).astype(np.int16)   # slice i: (i + 1) x
    write_nifti(tmp_path / "scan.nii", volume)
    *_, downloads, _ = medical.reconstruct(str(tmp_path / "scan.nii"), 1, "2x")
    zero_filled = next(path for path in downloads if "zero-filled" in path)
    assert zero_filled.endswith("scan-slice1-zero-filled-2x.png")
    assert abs(np.asarray(Image.open(zero_filled)).max() - 2 * head(32).max()) < 0.1 * head(32).max()


# ----------------------------------------------------------------------------------------------------
# MRI and CT: the methods, their numbers, error maps and downloads


def test_mri_learned_rows_appear_only_for_installed_weights(tmp_path, monkeypatch, quick_methods):
    write_nifti(tmp_path / "scan.nii", head(48)[..., None].astype(np.int16))
    _, _, table, _, _ = medical.reconstruct(str(tmp_path / "scan.nii"), 0, "8x", "MRI")
    assert list(table["method"]) == ["zero-filled", "L1-wavelet CS", "TV CS"] and "tv_cs" in quick_methods
    paths, used = install_fake_models(monkeypatch, tmp_path)
    gallery, errors, table, downloads, notes = medical.reconstruct(str(tmp_path / "scan.nii"), 0, "8x", "MRI")
    assert list(table["method"]) == ["zero-filled", "L1-wavelet CS", "TV CS", "GAN, unrolled", "GAN, first model"]
    assert used == [paths["mri-unrolled"], paths["mri-recon"]] and "not trained" not in notes
    assert table["PSNR (dB)"].between(5, 80).all() and table["SSIM"].between(-1, 1).all()
    assert [name.rsplit("/", 1)[1] for name in downloads][3:] == ["scan-gan-unrolled-8x.png", "scan-gan-first-model-8x.png"]
    assert gallery["columns"] == errors["columns"] == 6


def test_ct_has_fbp_and_sart_tv_rows_and_the_learned_row_only_with_its_weights(tmp_path, monkeypatch, quick_methods):
    write_nifti(tmp_path / "phantom.nii.gz", np.stack([head(80)] * 3, axis=2).astype(np.int16))
    gallery, errors, table, downloads, notes = medical.reconstruct(str(tmp_path / "phantom.nii.gz"), 1, "4x",
                                                                   "CT", "30 views")
    rows = table_rows(table)
    assert list(rows) == ["FBP", "SART-TV"] and ("sart_tv", 30) in quick_methods
    assert all(np.isfinite(row["PSNR (dB)"]) and row["PSNR (dB)"] > 10 for row in rows.values())
    assert "CT model is not trained yet" in notes
    assert [p.rsplit("/", 1)[1] for p in downloads] == ["phantom-slice1-fbp-30views.png",
                                                        "phantom-slice1-sart-tv-30views.png"]
    assert errors["value"][0][1] == "sinogram, 30 views" and gallery["value"][0][1] == "original"
    paths, used = install_fake_models(monkeypatch, tmp_path)
    _, _, table, downloads, notes = medical.reconstruct(str(tmp_path / "phantom.nii.gz"), 1, "4x", "CT", "90 views")
    assert list(table["method"]) == ["FBP", "SART-TV", "GAN"] and used == [paths["ct-recon"]]
    assert downloads[-1].endswith("phantom-slice1-gan-90views.png") and "not trained" not in notes


@pytest.mark.parametrize("modality", ["MRI", "CT"])
def test_every_error_map_is_as_large_as_its_image(tmp_path, quick_methods, modality):
    write_nifti(tmp_path / "scan.nii", head(70)[..., None].astype(np.int16))
    gallery, errors, table, _, _ = medical.reconstruct(str(tmp_path / "scan.nii"), 0, "4x", modality)
    images, maps = picture_sizes(gallery), picture_sizes(errors)
    assert len(images) == len(maps) == len(table) + 1                 # the original / what was measured, then each
    assert len(set(images + maps)) == 1                                # one size for all, the measurement too
    assert gallery["columns"] == errors["columns"] and gallery["height"] == errors["height"]
    captions = [caption for _, caption in errors["value"][1:]]
    assert captions == [f"|{name} - original|" for name in table["method"]]


def test_downloads_are_16_bit_in_the_files_values_also_for_negative_hounsfield_units(tmp_path, quick_methods):
    hu = (head(64, top=1000) - 1024).astype(np.int16)                 # air -1024 HU, bone over +500
    write_dicom_slice(tmp_path / "chest.dcm", hu, modality="CT",
                      RescaleSlope=1, RescaleIntercept=0)
    *_, downloads, notes = medical.reconstruct(str(tmp_path / "chest.dcm"), 0, "4x", "CT", "90 views")
    fbp = Image.open(next(path for path in downloads if "-fbp-" in path))
    assert fbp.mode.startswith("I;16") and fbp.size == (64, 64)
    values = np.asarray(fbp)
    stored = hu.astype(np.float64) + 1024                             # HU + 1024, as the note says
    assert values.max() <= stored.max() and np.median(np.abs(values - stored)) < 0.03 * stored.max()
    assert "+1024" in notes
    t1 = (head(40) + 100).astype(np.uint16)
    write_nifti(tmp_path / "t1.nii", t1[..., None])
    *_, downloads, notes = medical.reconstruct(str(tmp_path / "t1.nii"), 0, "4x", "MRI")
    zero_filled = np.asarray(Image.open(next(path for path in downloads if "zero-filled" in path)))
    assert t1.min() <= zero_filled.min() and zero_filled.max() <= t1.max() and "own values" in notes
    assert zero_filled.max() > 0.7 * t1.max()


def test_each_request_writes_its_downloads_in_a_folder_of_its_own(tmp_path, quick_methods):
    write_nifti(tmp_path / "scan.nii", head(32)[..., None].astype(np.int16))
    first = medical.reconstruct(str(tmp_path / "scan.nii"), 0, "6x")[3]
    second = medical.reconstruct(str(tmp_path / "scan.nii"), 0, "6x")[3]
    assert [p.rsplit("/", 1)[1] for p in first] == [p.rsplit("/", 1)[1] for p in second]
    assert {p.rsplit("/", 1)[0] for p in first}.isdisjoint({p.rsplit("/", 1)[0] for p in second})


def test_the_bundled_example_is_a_held_out_slice_named_in_the_downloads(quick_methods):
    from gan_core.mri import medical_io, slices
    if not medical.EXAMPLE[0].exists():
        pytest.skip("needs Debian's mricron-data")
    positions = medical_io.read_nifti(medical.EXAMPLE[0])[1]
    assert slices.split_of("colin27", positions[medical.EXAMPLE[1]], medical.EXAMPLE[0].name) == "val"
    *_, downloads, notes = medical.reconstruct(None, 3, "4x", "CT", "60 views")
    assert downloads[0].endswith("ch2-slice82-fbp-60views.png") and "CT phantom" in notes


# ----------------------------------------------------------------------------------------------------
# The pieces: the CT slice, names, messages, endpoints


def test_a_ct_slice_is_an_even_square_within_the_scanners_sizes():
    for shape, side in [((217, 181), 218), ((40, 30), 64), ((600, 300), 512), ((512, 512), 512)]:
        square = medical_methods.ct_slice(np.ones(shape, np.float32))
        assert square.shape == (side, side), shape
        assert square[0, 0] == 0 and square[side // 2, side // 2] == 1       # zero outside the inscribed circle


@pytest.mark.parametrize("acceleration", medical_methods.ACCELERATIONS)
def test_every_acceleration_measures_about_its_share_of_k_space(acceleration):
    case = medical_methods.mri_case(head(96) / 3000, acceleration)
    assert abs(case.measured[0].mean() - 1 / acceleration) < 0.02 and case.setting == f"{acceleration}x"


def test_download_stems_are_the_input_name_made_safe():
    assert medical.stem_of("/tmp/x/ch2.nii.gz") == "ch2" and medical.stem_of("IM-0001.DCM") == "IM-0001"
    assert medical.stem_of("my scan (2).zip") == "my-scan-2" and medical.stem_of("séries.nii") == "s-ries"


def test_a_bad_file_is_a_message_not_a_traceback(tmp_path, quick_methods, monkeypatch):
    (tmp_path / "notes.txt").write_text("not an image")
    with pytest.raises(gr.Error, match="neither a NIfTI"):
        medical.slice_picker(str(tmp_path / "notes.txt"), 0)
    with pytest.raises(gr.Error, match="neither a NIfTI"):
        medical.reconstruct(str(tmp_path / "notes.txt"), 0, "4x")
    write_nifti(tmp_path / "scan.nii", head(32)[..., None].astype(np.int16))
    with pytest.raises(gr.Error, match="MRI offers 2x, 4x, 6x, 8x, not '5x'"):
        medical.reconstruct(str(tmp_path / "scan.nii"), 0, "5x")

    def broken(*args, **kwargs):
        raise RuntimeError("a bug deep inside")

    monkeypatch.setattr(classical, "tv_cs", broken)
    with pytest.raises(gr.Error, match="Something went wrong"):
        medical.reconstruct(str(tmp_path / "scan.nii"), 0, "4x")


def test_the_tab_has_one_public_endpoint_as_before():
    with gr.Blocks() as demo:
        medical.build()
    public = [fn.api_name for fn in demo.fns.values() if fn.api_visibility == "public"]
    assert public == ["reconstruct"]
