"""Medical image files in, 16-bit slices out: DICOM (pydicom) and NIfTI (nibabel).

Scanners store 12- to 16-bit values (and CT stores signed Hounsfield units through a rescale slope and
intercept), so every reader returns float32 in the file's own units, which holds any 16-bit value exactly;
to_unit scales a volume to [0, 1] for the networks and to_uint16 turns a result back into 16-bit values, so
nothing passes through 8 bits on the way.

Slices come out as (slices, H, W): NIfTI volumes are turned to the closest RAS orientation and cut axially
with anterior at the top and the patient's left on the left; DICOM series are sorted along the slice normal.
"""
from pathlib import Path

import numpy as np

NIFTI_SUFFIXES = (".nii", ".nii.gz")


def read_nifti(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """(float32 volume (slices, H, W), world position in mm of each slice along the head's axis)."""
    import nibabel as nib  # here: only the readers need it

    try:
        image = nib.as_closest_canonical(nib.load(str(path)))
    except Exception as error:  # nibabel raises several types for a damaged file
        raise ValueError(f"{Path(path).name} is not a readable NIfTI file ({error})") from error
    data = np.asanyarray(image.get_fdata(dtype=np.float32))
    if data.ndim == 2:
        data = data[..., None]
    elif data.ndim > 3:  # a time series or several echoes: the first volume
        data = data.reshape(*data.shape[:3], -1)[..., 0]
    positions = (image.affine @ np.stack([np.zeros(data.shape[2]), np.zeros(data.shape[2]),
                                          np.arange(data.shape[2]), np.ones(data.shape[2])]))[2]
    volume = np.transpose(data, (2, 1, 0))[:, ::-1, :]                    # (z, y, x), anterior at the top
    return np.ascontiguousarray(volume, dtype=np.float32), positions.astype(np.float64)


def read_dicom_slices(path: Path) -> np.ndarray:
    """One DICOM file (a slice or a multi-frame volume) or a folder of slice files -> (slices, H, W)."""
    import pydicom
    from pydicom.errors import InvalidDicomError
    from pydicom.pixels import apply_modality_lut

    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    datasets = []
    for file in files:
        try:
            datasets.append(pydicom.dcmread(file))
        except InvalidDicomError:
            if not path.is_dir():
                raise ValueError(f"{path.name} is neither a NIfTI (.nii, .nii.gz) nor a DICOM file") from None
    if not datasets:
        raise ValueError(f"no DICOM files in the folder {path}")
    if len(datasets) > 1:  # a series: order along the slice normal, else by instance number
        datasets.sort(key=slice_order)
    slices = []
    for ds in datasets:
        if "PixelData" not in ds:
            raise ValueError(f"the DICOM file {Path(ds.filename or path).name} holds no image")
        pixels = apply_modality_lut(ds.pixel_array, ds).astype(np.float32)
        if int(ds.get("SamplesPerPixel", 1)) > 1:  # colour (rare for MRI): its luminance
            pixels = pixels[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32)
        if ds.get("PhotometricInterpretation") == "MONOCHROME1":  # stored inverted: bright means low
            pixels = pixels.max() + pixels.min() - pixels
        slices.extend(pixels if pixels.ndim == 3 else [pixels])
    if len({s.shape for s in slices}) > 1:
        raise ValueError("the DICOM slices have different sizes; put one series per folder")
    return np.stack(slices).astype(np.float32)


def slice_order(ds) -> tuple:
    """Sort key of a DICOM slice: its position along the normal of its plane, then its instance number."""
    if "ImagePositionPatient" in ds and "ImageOrientationPatient" in ds:
        orientation = np.asarray(ds.ImageOrientationPatient, float)
        normal = np.cross(orientation[:3], orientation[3:])
        return float(normal @ np.asarray(ds.ImagePositionPatient, float)), int(ds.get("InstanceNumber", 0))
    return 0.0, int(ds.get("InstanceNumber", 0))


def read_volume(path: str | Path) -> np.ndarray:
    """Read a NIfTI file (.nii, .nii.gz), a DICOM file or a folder of DICOM slices: float32 (slices, H, W).

    Values stay in the file's units (16-bit values are exact in float32); a ValueError says what is wrong
    with a file that cannot be read.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} not found")
    if path.name.lower().endswith(NIFTI_SUFFIXES):
        volume = read_nifti(path)[0]
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
