"""Reading DICOM and NIfTI files into 16-bit-exact slices (files made here with pydicom and nibabel).

The DICOM files are written the ways other software writes them: CT in signed Hounsfield units through a
rescale, MONOCHROME1, 8-bit, multi-frame, series zipped in folders beside a DICOMDIR, without a position, without
the preamble; and broken ones, which must give a ValueError that names the file.
"""
import io
import zipfile

import nibabel as nib
import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, JPEGBaseline8Bit, MRImageStorage, generate_uid

from gan_core.mri.medical_io import png_range, read_volume, to_uint16, to_unit


def dicom(pixels, z=0.0, instance=1, slope=1.0, intercept=0.0, photometric="MONOCHROME2", modality="MR",
          position=True, series=None) -> Dataset:
    """A DICOM dataset of one slice (or of frames, for a 3-D array), ready to save."""
    sop_class = CTImageStorage if modality == "CT" else MRImageStorage
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = sop_class, meta.MediaStorageSOPInstanceUID, modality
    ds.InstanceNumber = instance
    if series:
        ds.SeriesInstanceUID = series
    if position:
        ds.ImagePositionPatient = [0.0, 0.0, z]
        ds.ImageOrientationPatient = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    ds.RescaleSlope, ds.RescaleIntercept = slope, intercept
    ds.set_pixel_data(pixels, photometric_interpretation=photometric, bits_stored=pixels.dtype.itemsize * 8)
    return ds


def write_dicom(path, pixels, **tags):
    dicom(pixels, **tags).save_as(path, enforce_file_format=True)


def dicom_bytes(pixels, **tags) -> bytes:
    out = io.BytesIO()
    dicom(pixels, **tags).save_as(out, enforce_file_format=True)
    return out.getvalue()


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


# ----------------------------------------------------------------------------------------------------
# DICOM files from elsewhere


def test_ct_in_signed_hounsfield_units_keeps_its_negative_values(tmp_path):
    stored = ramp(top=3000).astype(np.int16) - 1000                      # signed pixels, -1000 .. 2000
    write_dicom(tmp_path / "ct.dcm", stored, slope=0.5, intercept=-24.0, modality="CT")
    volume = read_volume(tmp_path / "ct.dcm")
    assert np.array_equal(volume[0], stored * 0.5 - 24.0) and volume.min() == -524.0


def test_monochrome1_is_turned_bright_side_up_the_same_way_for_every_slice(tmp_path):
    """MONOCHROME1 shows its lowest value white. The flip uses the stored bits' range, not each slice's own
    minimum and maximum, so a series stays consistent (the slices here hold different ranges)."""
    write_dicom(tmp_path / "a.dcm", np.full((8, 8), 10, np.uint8), photometric="MONOCHROME1", z=0.0)
    write_dicom(tmp_path / "b.dcm", np.arange(64, dtype=np.uint8).reshape(8, 8), photometric="MONOCHROME1", z=1.0)
    volume = read_volume(tmp_path)
    assert (volume[0] == 245).all()                                      # 255 - 10, not the slice's own flip
    assert volume[1, 0, 0] == 255 and volume[1, -1, -1] == 255 - 63


def test_an_8_bit_slice_reads(tmp_path):
    pixels = (ramp() % 256).astype(np.uint8)
    write_dicom(tmp_path / "eight.dcm", pixels)
    assert np.array_equal(read_volume(tmp_path / "eight.dcm")[0], pixels.astype(np.float32))


def test_a_multi_frame_file_is_a_volume(tmp_path):
    frames = np.stack([ramp(offset=100 * i) for i in range(3)])
    write_dicom(tmp_path / "frames.dcm", frames)
    volume = read_volume(tmp_path / "frames.dcm")
    assert volume.shape == (3, 12, 10) and [volume[i, 0, 0] for i in range(3)] == [0, 100, 200]


def test_a_zipped_series_in_folders_is_sorted_and_a_dicomdir_and_readme_are_left_out(tmp_path):
    with zipfile.ZipFile(tmp_path / "series.zip", "w") as archive:
        for order, z in enumerate([5.0, -5.0, 0.0]):                      # written out of order
            archive.writestr(f"PATIENT/STUDY/IM{order}", dicom_bytes(ramp(offset=int(z + 10)), z=z, instance=order))
        directory = Dataset()                                             # a DICOMDIR-like file: no pixels
        directory.file_meta = FileMetaDataset()
        directory.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        directory.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.1.3.10"
        directory.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        directory.PatientName = "Nobody"
        out = io.BytesIO()
        directory.save_as(out, enforce_file_format=True)
        archive.writestr("DICOMDIR", out.getvalue())
        archive.writestr("README.txt", "exported by a viewer")
    volume = read_volume(tmp_path / "series.zip")
    assert volume.shape == (3, 12, 10) and [volume[i, 0, 0] for i in range(3)] == [5.0, 10.0, 15.0]


def test_a_zipped_nifti_reads(tmp_path):
    data = np.arange(4 * 5 * 2, dtype=np.int16).reshape(4, 5, 2)
    nib.save(nib.Nifti1Image(data, np.eye(4)), tmp_path / "brain.nii.gz")
    with zipfile.ZipFile(tmp_path / "brain.zip", "w") as archive:
        archive.write(tmp_path / "brain.nii.gz", "export/brain.nii.gz")
    assert np.array_equal(read_volume(tmp_path / "brain.zip"), read_volume(tmp_path / "brain.nii.gz"))


def test_slices_without_a_position_are_ordered_by_instance_number(tmp_path):
    for instance in (3, 1, 2):
        write_dicom(tmp_path / f"x{instance}.dcm", ramp(offset=instance), instance=instance, position=False)
    assert [v[0, 0] for v in read_volume(tmp_path)] == [1.0, 2.0, 3.0]


def test_a_folder_with_a_scout_beside_the_series_reads_the_series(tmp_path):
    for z in range(3):
        write_dicom(tmp_path / f"axial{z}.dcm", ramp(offset=z), z=float(z), series="1.2.3.1")
    write_dicom(tmp_path / "scout.dcm", ramp(20, 30), series="1.2.3.2")     # another size, another series
    assert read_volume(tmp_path).shape == (3, 12, 10)


def test_a_dicom_without_the_preamble_reads(tmp_path):
    ds = dicom(ramp(top=900), intercept=-100.0)
    del ds.file_meta                                                      # as older scanners wrote them
    pydicom.dcmwrite(tmp_path / "old.dcm", ds, implicit_vr=True, little_endian=True, enforce_file_format=False)
    assert not (tmp_path / "old.dcm").read_bytes()[128:132] == b"DICM"
    volume = read_volume(tmp_path / "old.dcm")
    assert volume.min() == -100.0 and volume.max() == 800.0


def test_broken_dicom_files_give_messages_that_name_them(tmp_path):
    write_dicom(tmp_path / "whole.dcm", ramp())
    (tmp_path / "cut.dcm").write_bytes((tmp_path / "whole.dcm").read_bytes()[:-100])
    with pytest.raises(ValueError, match="cut.dcm cannot be read: damaged or cut short"):
        read_volume(tmp_path / "cut.dcm")
    ds = dicom(ramp().astype(np.uint16))
    ds.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
    ds.PixelData = encapsulate([b"\xff\xd8 not a JPEG \xff\xd9"])
    ds["PixelData"].VR = "OB"
    ds.save_as(tmp_path / "jpeg.dcm", enforce_file_format=True)
    with pytest.raises(ValueError, match="jpeg.dcm cannot be read: stored as JPEG Baseline"):
        read_volume(tmp_path / "jpeg.dcm")
    report = dicom(ramp())
    del report.PixelData
    report.save_as(tmp_path / "report.dcm", enforce_file_format=True)
    with pytest.raises(ValueError, match="report.dcm holds no image"):
        read_volume(tmp_path / "report.dcm")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("nothing")
    with pytest.raises(ValueError, match="no DICOM images in the folder empty"):
        read_volume(tmp_path / "empty")
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(ValueError, match="broken.zip"):
        read_volume(tmp_path / "broken.zip")


def test_png_range_keeps_the_files_values_where_16_bits_can():
    assert png_range(np.array([0.0, 4095.0]))[:2] == (0.0, 4095.0)
    low, high, how = png_range(np.array([-1024.0, 3071.0]))              # CT: shifted, HU + 1024
    assert (low, high) == (0.0, 4095.0) and "+1024" in how
    assert png_range(np.array([0.0, 0.5, 1.0]))[:2] == (0.0, 65535.0)      # fractions: stretched
    assert png_range(np.array([-40000.0, 40000.0]))[:2] == (0.0, 65535.0)
