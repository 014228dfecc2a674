"""What the Medical tab measures and which methods it runs: undersampled MRI and sparse-view CT.

mri_case and ct_case turn a [0, 1] slice into a Case: the slice every result is judged against, a picture of
what the scanner measured (the k-space lines, the sinogram), and the methods in the order the tab shows them,
each a (name, slug for file names, function of nothing). The learned rows appear only where their weights
exist. The work is in gan_core.mri; studio.medical shows the results.
"""
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from PIL import Image

from gan_core.mri import classical, ct
from gan_core.mri import recon as mri

ACCELERATIONS = (2, 4, 6, 8)
VIEWS = (90, 60, 30)
LAMBDA = {4: 1e-3, 8: 1e-3}   # the L1-wavelet weight tuned on training slices (docs/mri-val.json); 2x, 6x: the same
UNROLLED_WEIGHTS = mri.DEFAULT_WEIGHTS


@dataclass
class Case:
    original: np.ndarray                  # float32 HxW in [0, 1]: what every result is judged against
    measured: np.ndarray                  # float32 in [0, 1]: a picture of what the scanner measured
    measured_caption: str
    setting: str                          # for file names: "4x", "60views"
    methods: list[tuple[str, str, Callable[[], np.ndarray]]]   # (name, slug, method) in the tab's order
    notes: list[str] = field(default_factory=list)


def mri_models() -> list[tuple[str, str, object]]:
    """(name, slug, weights path) of the MRI models whose weights are installed, the generalising one first."""
    models = [("GAN, unrolled", "gan-unrolled", UNROLLED_WEIGHTS),
              ("GAN, first model", "gan-first-model", mri.FIRST_WEIGHTS)]
    return [model for model in models if model[2].exists()]


def mri_case(image: np.ndarray, acceleration: int) -> Case:
    """The slice's k-space with 1/acceleration of its columns measured (the same random mask every time)."""
    mask = mri.column_mask(*image.shape, acceleration, seed=0)
    kspace = mri.to_kspace(image) * mask
    methods = [("zero-filled", "zero-filled", lambda: mri.zero_filled(kspace)),
               ("L1-wavelet CS", "l1-wavelet-cs",
                lambda: classical.l1_wavelet(kspace, mask, LAMBDA.get(acceleration, 1e-3))),
               ("TV CS", "tv-cs", lambda: classical.tv_cs(kspace, mask))]
    models = mri_models()
    for name, slug, path in models:
        methods.append((name, slug, lambda path=path: mri.mri_reconstruct(kspace, mask, weights=path)))
    notes = [] if models else [
        f"No MRI model is trained yet (`weights/{UNROLLED_WEIGHTS.name}` and `weights/{mri.FIRST_WEIGHTS.name}` "
        "are missing): the table has the classical methods only."]
    share = mask[0].mean()
    return Case(image, mask.astype(np.float32), f"k-space lines measured ({acceleration}x: {share:.0%})",
                f"{acceleration}x", methods, notes)


def ct_slice(image: np.ndarray) -> np.ndarray:
    """The slice as a CT scanner sees it: centred on an even square from 64 to 512 px (padded with the slice's
    lowest value, 0, to its longer side; shrunk by area-averaging if that is over 512), zero outside the
    inscribed circle."""
    longest = max(image.shape)
    if longest > ct.MAX_SIDE:
        scale = ct.MAX_SIDE / longest
        size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
        image = np.asarray(Image.fromarray(np.asarray(image, np.float32)).resize(size, Image.BOX))
    side = min(ct.MAX_SIDE, max(ct.MIN_SIDE, max(image.shape) + max(image.shape) % 2))
    return ct.square_slice(np.clip(image, 0, 1), side)


def ct_case(image: np.ndarray, views: int) -> Case:
    """The slice's sinogram at `views` angles over 180 degrees (sparse-view CT)."""
    original = ct_slice(image)
    angles = ct.angles_for(views)
    sinogram = ct.sinogram_of(original, angles)
    methods = [("FBP", "fbp", lambda: ct.fbp(sinogram, angles)),
               ("SART-TV", "sart-tv", lambda: classical.sart_tv(sinogram, angles))]
    notes = []
    if ct.DEFAULT_WEIGHTS.exists():
        methods.append(("GAN", "gan", lambda: ct.ct_reconstruct(sinogram, angles, weights=ct.DEFAULT_WEIGHTS)))
    else:
        notes.append(f"The CT model is not trained yet (`weights/{ct.DEFAULT_WEIGHTS.name}` is missing): the table "
                     "has FBP and SART-TV only.")
    if original.shape != image.shape:
        how = "shrunk to fit" if max(image.shape) > ct.MAX_SIDE else "centred on"
        notes.append(f"For CT the {image.shape[1]}x{image.shape[0]} slice is {how} a {original.shape[0]} px square, "
                     "and only its inscribed circle is scanned.")
    # the sinogram (detector bins x views) stretched to a square, so it shows at the images' size
    picture = sinogram / max(float(sinogram.max()), 1e-12)
    picture = np.repeat(picture, -(-original.shape[1] // views), axis=1)[:, :original.shape[1]]
    return Case(original, picture.astype(np.float32), f"sinogram, {views} views", f"{views}views", methods, notes)
