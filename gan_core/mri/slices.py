"""Brain slices for the MRI model, from Debian's mricron-data (BSD-3-Clause), and their split.

The package holds four T1-weighted scans of two brains:
    colin27   ch2.nii.gz (1 mm, with skull), ch2bet.nii.gz (1 mm, skull-stripped),
              ch2better.nii.gz (0.5 mm, skull-stripped)  - one person scanned 27 times and averaged
    macaque   inia19-t1-brain.nii.gz (0.5 mm, skull-stripped)

Slices are axial, in radiological display order (anterior at the top), each volume scaled to [0, 1] by its
99.9th percentile and clipped; slices whose foreground (pixels above 0.1) covers under 5% are skipped.

The split, held out by brain and position: for each brain, the axial slices inside a slab of world
positions (mm, from the NIfTI affine) are validation, taken from one scan per brain (ch2 for colin27, the
inia19 scan for the macaque); the slab and a guard band either side are removed from *every* scan of that
brain, so training never sees a copy, or a neighbour a millimetre away, of a validation slice.
"""
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gan_core.mri.medical_io import read_nifti

TEMPLATES = Path("/usr/share/mricron/templates")
SCANS = {  # file -> brain
    "ch2.nii.gz": "colin27",
    "ch2bet.nii.gz": "colin27",
    "ch2better.nii.gz": "colin27",
    "inia19-t1-brain.nii.gz": "macaque",
}
VALIDATION_SCANS = ("ch2.nii.gz", "inia19-t1-brain.nii.gz")
# brain -> (first mm, last mm) of the validation slab, and the guard band (mm) on each side
VALIDATION_SLABS = {"colin27": (4.0, 19.0), "macaque": (0.0, 5.5)}
GUARD_MM = {"colin27": 6.0, "macaque": 3.0}
MIN_FOREGROUND = 0.05
# The source the generalising models (mri-unrolled, ct-recon) never train on: another species, scanner and
# resolution. They train on colin27 alone and are measured on this scan, and on colin27's validation slab.
HELD_OUT_SOURCE = {"inia19-t1-brain.nii.gz": "macaque"}
TRAINING_SOURCES = {name: brain for name, brain in SCANS.items() if name not in HELD_OUT_SOURCE}


@dataclass
class Slice:
    image: np.ndarray   # float32 HxW in [0, 1]
    scan: str           # file name, e.g. "ch2.nii.gz"
    brain: str
    z_mm: float         # world position of the slice


def split_of(brain: str, z_mm: float, scan: str) -> str:
    """"val", "train" or "gap" (the slab in other scans of the brain, or the guard band: used by neither)."""
    low, high = VALIDATION_SLABS[brain]
    guard = GUARD_MM[brain]
    if low <= z_mm <= high:
        return "val" if scan in VALIDATION_SCANS else "gap"
    if low - guard <= z_mm <= high + guard:
        return "gap"
    return "train"


def scale_volume(volume: np.ndarray, percentile: float = 99.9) -> np.ndarray:
    """Scale to [0, 1] by a high percentile (a few hot voxels do not darken the rest) and clip."""
    top = float(np.percentile(volume, percentile))
    if top <= 0:
        raise ValueError("the volume is empty (its bright voxels are not above zero)")
    return np.clip(volume / top, 0.0, 1.0).astype(np.float32)


def load_slices(split: str, folder: str | Path = TEMPLATES, scans: dict = SCANS) -> list[Slice]:
    """All slices of one split ("train" or "val"), in scan and position order."""
    if split not in ("train", "val"):
        raise ValueError(f"split must be 'train' or 'val', not {split!r}")
    folder = Path(folder)
    missing = [name for name in scans if not (folder / name).exists()]
    if missing:
        raise FileNotFoundError(f"{', '.join(missing)} not found in {folder}; install the Debian package "
                                "mricron-data (bash scripts/get_data.sh)")
    slices = []
    for name, brain in scans.items():
        volume, positions = read_nifti(folder / name)
        volume = scale_volume(volume)
        for image, z_mm in zip(volume, positions):
            if split_of(brain, z_mm, name) != split or (image > 0.1).mean() < MIN_FOREGROUND:
                continue
            slices.append(Slice(image=np.ascontiguousarray(image), scan=name, brain=brain, z_mm=float(z_mm)))
    return slices


def source_slices(scans: dict = HELD_OUT_SOURCE, folder: str | Path = TEMPLATES, every: int = 1) -> list[Slice]:
    """Every `every`-th slice with some foreground of whole scans (a held-out source: no split inside it)."""
    slices = []
    for name, brain in scans.items():
        path = Path(folder) / name
        if not path.exists():
            raise FileNotFoundError(f"{name} not found in {folder}; install the Debian package mricron-data "
                                    "(bash scripts/get_data.sh)")
        volume, positions = read_nifti(path)
        for image, z_mm in zip(scale_volume(volume), positions):
            if (image > 0.1).mean() >= MIN_FOREGROUND:
                slices.append(Slice(image=np.ascontiguousarray(image), scan=name, brain=brain, z_mm=float(z_mm)))
    return slices[::every]


def random_crop(image: np.ndarray, size: int, rng: np.random.Generator, tries: int = 5) -> np.ndarray:
    """A size x size window (zero-padded if the slice is smaller) that holds some brain, randomly flipped."""
    pad_h, pad_w = max(0, size - image.shape[0]), max(0, size - image.shape[1])
    if pad_h or pad_w:
        image = np.pad(image, ((pad_h // 2, pad_h - pad_h // 2), (pad_w // 2, pad_w - pad_w // 2)))
    for _ in range(tries):
        top = rng.integers(0, image.shape[0] - size + 1)
        left = rng.integers(0, image.shape[1] - size + 1)
        crop = image[top:top + size, left:left + size]
        if (crop > 0.1).mean() > 0.2:
            break
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    if rng.random() < 0.5:
        crop = crop[::-1]
    if rng.random() < 0.5:  # the phase-encoding direction may cross the head either way
        crop = crop.T
    return np.ascontiguousarray(crop)
