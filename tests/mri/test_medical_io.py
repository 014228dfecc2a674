"""Reading DICOM and NIfTI files into 16-bit-exact slices (files made here with pydicom and nibabel)."""
import nibabel as nib
import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, MRImageStorage, generate_uid

from gan_core.mri.medical_io import read_volume, to_uint16, to_unit


def write_dicom(path, pixels, z=0.0, instance=1, slope=1.0, intercept=0.0):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = MRImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = MRImageStorage, meta.MediaStorageSOPInstanceUID, "MR"
    ds.InstanceNumber = instance
    ds.ImagePositionPatient = [0.0, 0.0, z]
    ds.ImageOrientationPatient = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    ds.RescaleSlope, ds.RescaleIntercept = slope, intercept
    ds.set_pixel_data(pixels, photometric_interpretation="MONOCHROME2", bits_stored=16)
    ds.save_as(path, enforce_file_format=True)


def ramp(height=12, width=10, top=4095, offset=0):
    return (np.arange(height * width).reshape(height, width) * top // (height * width - 1) + offset).astype(np.uint16)


def test_a_dicom_slice_keeps_its_16_bit_values(tmp_path):
    pixels = ramp(top=60000)
    write_dicom(tmp_path / "slice.dcm", pixels)
    volume = read_volume(tmp_path / "slice.dcm")
    assert volume.shape == (1, 12, 10) and volume.dtype == np.float32
    assert np.array_equal(volume[0], pixels.astype(np.float32))


def test_a_dicom_folder_is_sorted_along_the_slice_normal(tmp_path):
    for order, z in enumerate([5.0, -5.0, 0.0]):  # written out of order
        write_dicom(tmp_path / f"im{order}.dcm", ramp(offset=int(z + 10)), z=z, instance=order + 1)
    volume = read_volume(tmp_path)
    assert volume.shape == (3, 12, 10)
    assert [volume[i, 0, 0] for i in range(3)] == [5.0, 10.0, 15.0]


def test_dicom_rescale_slope_and_intercept_give_real_units(tmp_path):
    write_dicom(tmp_path / "ct.dcm", ramp(), slope=1.0, intercept=-1024.0)
    volume = read_volume(tmp_path / "ct.dcm")
    assert volume.min() == -1024.0 and volume.max() == 4095.0 - 1024.0


def test_a_nifti_volume_reads_as_axial_slices_with_anterior_at_the_top(tmp_path):
    data = np.zeros((6, 8, 4), np.int16)      # x (left -> right), y (posterior -> anterior), z
    data[:, -1, :] = 1000                     # the most anterior row
    data[:, :, 2] += 7                        # one slice marked
    nib.save(nib.Nifti1Image(data, np.eye(4)), tmp_path / "brain.nii.gz")
    volume = read_volume(tmp_path / "brain.nii.gz")
    assert volume.shape == (4, 8, 6)
    assert (volume[:, 0, :] >= 1000).all() and (volume[:, 1:, :] < 1000).all()
    assert (volume[2] % 1000 == 7).all() and (volume[0] % 1000 == 0).all()


def test_a_16_bit_volume_survives_to_unit_and_back(tmp_path):
    data = np.random.default_rng(0).integers(0, 65536, (3, 9, 7)).astype(np.uint16)
    nib.save(nib.Nifti1Image(data.transpose(2, 1, 0)[:, ::-1], np.eye(4)), tmp_path / "v.nii")
    volume = read_volume(tmp_path / "v.nii")
    unit, (low, high) = to_unit(volume)
    assert unit.min() == 0.0 and unit.max() == 1.0
    assert np.array_equal(to_uint16(unit, low, high), data)


def test_to_uint16_spans_the_full_range_by_default_and_clips():
    assert to_uint16(np.array([[-0.5, 0.0, 0.5, 1.0, 2.0]])).tolist() == [[0, 0, 32768, 65535, 65535]]


def test_a_file_that_is_neither_format_gets_a_plain_message(tmp_path):
    (tmp_path / "notes.txt").write_text("not an image")
    with pytest.raises(ValueError, match="neither a NIfTI"):
        read_volume(tmp_path / "notes.txt")
    (tmp_path / "broken.nii.gz").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="not a readable NIfTI"):
        read_volume(tmp_path / "broken.nii.gz")
    with pytest.raises(FileNotFoundError):
        read_volume(tmp_path / "missing.dcm")
