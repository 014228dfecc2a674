"""Medical image files in, 16-bit slices out: DICOM (pydicom), NIfTI (nibabel), and zip files of either.

Scanners store 12- to 16-bit values (and CT stores signed Hounsfield units through a rescale slope and
intercept), so every reader returns float32 in the file's own units, which holds any 16-bit value exactly;
to_unit scales a volume to [0, 1] for the networks and to_uint16 turns a result back into 16-bit values, so
nothing passes through 8 bits on the way (png_range says which 16-bit values a file's units can become).

Slices come out as (slices, H, W): NIfTI volumes are turned to the closest RAS orientation and cut axially
with anterior at the top and the patient's left on the left; DICOM series are sorted along the slice normal
(by instance number when a file does not say where it lies). A file that cannot be read gives a ValueError
that names it and says why, never a reader's own exception.
"""
import io
import tempfile
import zipfile
from pathlib import Path

import numpy as np

NIFTI_SUFFIXES = (".nii", ".nii.gz")
MAX_ZIP_BYTES = 2 * 2**30     # the unpacked size a zip may claim (a 500-slice CT series is ~260 MB)
MAX_ZIP_FILES = 5000


def read_nifti(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """(float32 volume (slices, H, W), world position in mm of each slice along the head's axis)."""
    import nibabel as nib  # here: only the readers need it

    try:
        image = nib.as_closest_canonical(nib.load(str(path)))
        data = np.asanyarray(image.get_fdata(dtype=np.float32))
    except Exception as error:  # nibabel raises several types for a damaged file
        raise ValueError(f"{Path(path).name} is not a readable NIfTI file ({error})") from error
    if data.ndim == 2:
        data = data[..., None]
    elif data.ndim > 3:  # a time series or several echoes: the first volume
        data = data.reshape(*data.shape[:3], -1)[..., 0]
    positions = (image.affine @ np.stack([np.zeros(data.shape[2]), np.zeros(data.shape[2]),
                                          np.arange(data.shape[2]), np.ones(data.shape[2])]))[2]
    volume = np.transpose(data, (2, 1, 0))[:, ::-1, :]                    # (z, y, x), anterior at the top
    return np.ascontiguousarray(volume, dtype=np.float32), positions.astype(np.float64)


# ----------------------------------------------------------------------------------------------------
# DICOM


def read_dicom_file(source, name: str, in_folder: bool):
    """A pydicom dataset, or None for a file of a folder that is not a DICOM image (a DICOMDIR, a README).

    Files without the 128-byte preamble and "DICM" (older scanners, some exports) are read with force=True
    and kept if they hold an image.
    """
    import pydicom
    from pydicom.errors import InvalidDicomError

    ds = None
    try:
        ds = pydicom.dcmread(source)
    except InvalidDicomError:
        try:
            if hasattr(source, "seek"):
                source.seek(0)
            forced = pydicom.dcmread(source, force=True)
            if "PixelData" in forced and "Rows" in forced:
                ds = with_syntax_of_its_encoding(forced)
        except Exception:      # forced reading of something else fails in many ways: it is not DICOM
            pass
    except Exception as error:  # a DICOM file cut short or damaged in its header
        if not in_folder:
            raise ValueError(f"the DICOM file {name} is damaged ({type(error).__name__}: {error})") from error
    if ds is None:
        if in_folder:
            return None
        raise ValueError(f"{name} is neither a NIfTI (.nii, .nii.gz) nor a DICOM file")
    if "PixelData" not in ds:
        if in_folder:
            return None
        raise ValueError(f"the DICOM file {name} holds no image (a {ds.get('Modality', 'non-image')} object "
                         "without pixel data)")
    if not isinstance(ds.filename, str):   # read from memory (a zip): keep the member's name for messages
        ds.filename = name
    return ds


def with_syntax_of_its_encoding(ds):
    """Give a dataset read without file meta information the transfer syntax it was read in (uncompressed),
    which pydicom needs to decode its pixels."""
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

    meta = getattr(ds, "file_meta", None) or FileMetaDataset()
    if "TransferSyntaxUID" not in meta:
        implicit, little = ds.original_encoding
        meta.TransferSyntaxUID = (ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian) if little \
            else ExplicitVRBigEndian
        ds.file_meta = meta
    return ds


def dicom_pixels(ds, name: str) -> np.ndarray:
    """The pixels of one DICOM dataset in its real units, bright = high: (H, W) or (frames, H, W) float32."""
    from pydicom.pixels import apply_modality_lut

    try:
        stored = ds.pixel_array
    except Exception as error:     # a compressed syntax without its decoder, or pixel data cut short
        syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
        what = f"stored as {syntax.name}" if syntax is not None and syntax.is_compressed else "damaged or cut short"
        raise ValueError(f"the pixels of the DICOM file {name} cannot be read: {what} ({error})") from error
    pixels = apply_modality_lut(stored, ds).astype(np.float32)       # slope and intercept: CT in Hounsfield units
    if int(ds.get("SamplesPerPixel", 1)) > 1:  # colour (rare for MRI and CT): its luminance
        pixels = pixels[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32)
    if ds.get("PhotometricInterpretation") == "MONOCHROME1":  # stored inverted: the lowest value shows white
        low, high = stored_range(ds)
        pixels = low + high - pixels   # the same flip for every slice of a series, whatever each holds
    return pixels


def stored_range(ds) -> tuple[float, float]:
    """The lowest and highest values a dataset's stored bits can hold, in real units (after the rescale)."""
    bits = int(ds.get("BitsStored", ds.get("BitsAllocated", 16)))
    signed = int(ds.get("PixelRepresentation", 0)) == 1
    low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2 ** bits - 1)
    slope, intercept = float(ds.get("RescaleSlope", 1) or 1), float(ds.get("RescaleIntercept", 0) or 0)
    return tuple(sorted((low * slope + intercept, high * slope + intercept)))


def slice_order(ds) -> tuple:
    """Sort key of a DICOM slice: its position along the normal of its plane, then its instance number."""
    instance = int(ds.get("InstanceNumber", 0) or 0)
    if "ImagePositionPatient" in ds and "ImageOrientationPatient" in ds:
        orientation = np.asarray(ds.ImageOrientationPatient, float)
        normal = np.cross(orientation[:3], orientation[3:])
        return float(normal @ np.asarray(ds.ImagePositionPatient, float)), instance
    return 0.0, instance


def stack_series(datasets: list, where: str) -> np.ndarray:
    """The slices of DICOM datasets as one volume: the largest series (by SeriesInstanceUID and slice size),
    sorted along the slice normal."""
    if not datasets:
        raise ValueError(f"no DICOM images in {where}")
    series = {}
    for ds in datasets:
        series.setdefault((str(ds.get("SeriesInstanceUID", "")), int(ds.Rows), int(ds.Columns)), []).append(ds)
    chosen = max(series.values(), key=len)         # a scout image or a second series beside the scan is left out
    chosen.sort(key=slice_order)
    slices = []
    for ds in chosen:
        pixels = dicom_pixels(ds, Path(str(ds.filename)).name)
        slices.extend(pixels if pixels.ndim == 3 else [pixels])
    if len({s.shape for s in slices}) > 1:
        raise ValueError(f"the DICOM images in {where} have different sizes; put one series per folder")
    return np.stack(slices).astype(np.float32)


def read_dicom_slices(path: Path) -> np.ndarray:
    """One DICOM file (a slice or a multi-frame volume) or a folder (and its subfolders) of slice files."""
    if not path.is_dir():
        ds = read_dicom_file(path, path.name, in_folder=False)
        return stack_series([ds], path.name)
    files = sorted(p for p in path.rglob("*") if p.is_file())
    datasets = [ds for file in files if (ds := read_dicom_file(file, file.name, in_folder=True)) is not None]
    return stack_series(datasets, f"the folder {path.name}")


def read_zip(path: Path) -> np.ndarray:
    """A zip of a DICOM series (in any folders inside it) or of one NIfTI file."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ValueError(f"{path.name} is not a readable zip file ({error})") from error
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and not Path(m.filename).name.startswith(".")]
        if len(members) > MAX_ZIP_FILES or sum(m.file_size for m in members) > MAX_ZIP_BYTES:
            raise ValueError(f"{path.name} holds more than {MAX_ZIP_FILES} files or {MAX_ZIP_BYTES // 2**30} GB "
                             "unpacked; please send one series")
        try:
            niftis = [m for m in members if m.filename.lower().endswith(NIFTI_SUFFIXES)]
            if niftis:
                with tempfile.TemporaryDirectory() as folder:
                    target = Path(folder) / ("volume.nii.gz" if niftis[0].filename.lower().endswith(".gz")
                                             else "volume.nii")
                    target.write_bytes(archive.read(niftis[0]))
                    return read_nifti(target)[0]
            datasets = []
            for member in members:
                ds = read_dicom_file(io.BytesIO(archive.read(member)), Path(member.filename).name, in_folder=True)
                if ds is not None:
                    datasets.append(ds)
        except (zipfile.BadZipFile, RuntimeError, OSError, EOFError) as error:  # damaged, encrypted
            raise ValueError(f"{path.name} cannot be unpacked ({error})") from error
    return stack_series(datasets, path.name)


# ----------------------------------------------------------------------------------------------------
# Any file, and the way back to 16 bits


def read_volume(path: str | Path) -> np.ndarray:
    """Read a NIfTI file (.nii, .nii.gz), a DICOM file, a folder of DICOM slices or a zip of either:
    float32 (slices, H, W).

    Values stay in the file's units (16-bit values are exact in float32); a ValueError says what is wrong
    with a file that cannot be read.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} not found")
    if path.name.lower().endswith(NIFTI_SUFFIXES):
        volume = read_nifti(path)[0]
    elif path.is_file() and zipfile.is_zipfile(path):
        volume = read_zip(path)
    else:
        volume = read_dicom_slices(path)
    if volume.ndim != 3 or min(volume.shape[1:]) < 2:
        raise ValueError(f"{path.name} holds no 2-D slices (its array has shape {volume.shape})")
    if not np.isfinite(volume).all():
        raise ValueError(f"{path.name} holds NaN or infinite values")
    return volume


def to_unit(volume: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
    """Scale to [0, 1] by the volume's own minimum and maximum: (float32 array, (low, high)) to undo it."""
    volume = np.asarray(volume, np.float32)
    low, high = float(volume.min()), float(volume.max())
    return (volume - low) / max(high - low, 1e-12), (low, high)


def to_uint16(image: np.ndarray, low: float = 0.0, high: float = 65535.0) -> np.ndarray:
    """A [0, 1] image as 16-bit values: 0 -> low, 1 -> high, rounded and clipped to 0..65535.

    With the (low, high) that to_unit returned for a 16-bit file, the result is in the file's own values;
    with the defaults it spans the whole 16-bit range.
    """
    image = np.asarray(image, np.float64)
    if not np.isfinite(image).all():
        raise ValueError("the image holds NaN or infinite values")
    values = low + np.clip(image, 0.0, 1.0) * (high - low)
    return np.clip(np.rint(values), 0, 65535).astype(np.uint16)


def png_range(volume: np.ndarray) -> tuple[float, float, str]:
    """(low, high) for to_uint16 that keeps a volume's own values in a 16-bit PNG, and a sentence saying how.

    Whole numbers within 0..65535 stay as they are; whole numbers with a wider sign (CT's Hounsfield units,
    -1024 and up) are shifted so that the lowest becomes 0; anything else (fractions, a range over 65535)
    is stretched over 0..65535.
    """
    low, high = float(np.min(volume)), float(np.max(volume))
    whole = bool(np.array_equal(volume, np.round(volume)))
    if whole and 0 <= low and high <= 65535:
        return low, high, "the file's own values"
    if whole and high - low <= 65535:
        return 0.0, high - low, f"the file's values {-low:+g} (its lowest, {low:g}, is 0)"
    return 0.0, 65535.0, f"the file's range {low:g} to {high:g} stretched over 0 to 65535"

