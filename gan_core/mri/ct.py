"""Sparse-view CT: the sinogram, filtered back-projection, and a network that removes FBP's streaks.

A CT scanner measures line integrals of the slice's attenuation at many angles (a sinogram, the Radon
transform); filtered back-projection (FBP) inverts it. Measuring fewer angles lowers the dose and leaves streaks
in the FBP image. The convention throughout the project:

    sinogram = skimage.transform.radon(image, theta=angles, circle=True)

with `image` an HxH slice (even H, zero outside its inscribed circle) and `angles` in degrees over [0, 180).
The network follows FBPConvNet (Jin et al. 2017): a U-Net reads the FBP image and predicts a correction of it
(residual), and starts as "no correction". The classical peers (SART with a total-variation step) are in
gan_core.mri.classical; the training game in gan_core.mri.ct_train.
"""
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from skimage.transform import iradon, radon

from gan_core.core import registry
from gan_core.core.layers import UNet
from gan_core.core.paths import WEIGHTS_DIR
from gan_core.core.registry import register
from gan_core.core.weights import load_state

DEFAULT_WEIGHTS = WEIGHTS_DIR / "ct-recon.safetensors"
VIEWS = (60, 30)           # the sparse-view settings every table reports
MIN_SIDE, MAX_SIDE = 64, 512


# ----------------------------------------------------------------------------------------------------
# Geometry (numpy, scikit-image)


def angles_for(views: int) -> np.ndarray:
    """`views` projection angles in degrees, evenly spread over [0, 180)."""
    if views < 2:
        raise ValueError(f"a CT scan needs at least 2 views, not {views}")
    return np.linspace(0.0, 180.0, int(views), endpoint=False)


def inscribed_circle(side: int) -> np.ndarray:
    """Boolean side x side: the disc a circle=True Radon transform sees (skimage's own rule)."""
    centre = side // 2
    y, x = np.ogrid[:side, :side]
    return (y - centre) ** 2 + (x - centre) ** 2 <= centre ** 2


def check_slice(image: np.ndarray) -> np.ndarray:
    """The slice as float64, square and of even side, with a clear message if it cannot be one."""
    image = np.asarray(image, np.float64)
    if image.ndim != 2 or image.shape[0] != image.shape[1]:
        raise ValueError(f"a CT slice must be square (H x H), not of shape {image.shape}")
    if image.shape[0] % 2 or not MIN_SIDE <= image.shape[0] <= MAX_SIDE:
        raise ValueError(f"a CT slice must have an even side from {MIN_SIDE} to {MAX_SIDE}, not {image.shape[0]}")
    if not np.isfinite(image).all():
        raise ValueError("the slice holds NaN or infinite values")
    return image


def sinogram_of(image: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """The sinogram of a slice: radon(image, theta=angles, circle=True), (H, views); outside the circle is cut."""
    image = check_slice(image) * inscribed_circle(np.shape(image)[0])
    return radon(image, theta=np.asarray(angles, np.float64), circle=True)


def check_sinogram(sinogram: np.ndarray, angles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sinogram, angles = np.asarray(sinogram, np.float64), np.asarray(angles, np.float64).ravel()
    if sinogram.ndim != 2 or sinogram.shape[1] != angles.size:
        raise ValueError(f"the sinogram must be (detector bins, views) with one column per angle: shape "
                         f"{sinogram.shape} for {angles.size} angles")
    side = sinogram.shape[0]
    if side % 2 or not MIN_SIDE <= side <= MAX_SIDE:
        raise ValueError(f"the sinogram has {side} detector bins; an even number from {MIN_SIDE} to {MAX_SIDE} is "
                         "needed (the slice's side)")
    if angles.size < 2 or not np.isfinite(sinogram).all() or not np.isfinite(angles).all():
        raise ValueError("the sinogram needs at least 2 views and finite values")
    return sinogram, angles


def fbp(sinogram: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """Filtered back-projection (ramp filter): float32 slice of the sinogram's side, zero outside the circle."""
    sinogram, angles = check_sinogram(sinogram, angles)
    image = iradon(sinogram, theta=angles, circle=True, filter_name="ramp")
    return (image * inscribed_circle(image.shape[0])).astype(np.float32)


def square_slice(image: np.ndarray, side: int | None = None) -> np.ndarray:
    """A slice made fit for the scanner: centre-cropped or zero-padded to an even square (the shorter side by
    default), zero outside the inscribed circle; float32."""
    image = np.asarray(image, np.float32)
    side = side or min(image.shape) // 2 * 2
    out = np.zeros((side, side), np.float32)
    height, width = image.shape
    top, left = max(0, (height - side) // 2), max(0, (width - side) // 2)
    crop = image[top:top + side, left:left + side]
    at_y, at_x = (side - crop.shape[0]) // 2, (side - crop.shape[1]) // 2
    out[at_y:at_y + crop.shape[0], at_x:at_x + crop.shape[1]] = crop
    return out * inscribed_circle(side)


# ----------------------------------------------------------------------------------------------------
# The network: FBP image -> U-Net correction


@dataclass
class CTReconConfig:
    channels: int = 32       # width of the first U-Net level
    depth: int = 3           # halvings: sizes are padded to a multiple of fold * 2**depth
    fold: int = 2            # pixel_unshuffle: the U-Net runs at 1/fold of the resolution
    scale_quantile: float = 0.995  # the FBP image is divided by this quantile of its values, so any units work


@register(CTReconConfig)
class CTReconGenerator(nn.Module):
    """forward(fbp (B, 1, H, W), views (B,)) -> slice (B, 1, H, W) in the FBP image's units.

    The number of views comes in as a constant channel (views / 180): streaks from 30 views are not those
    from 90. Outside the inscribed circle the result is zero, as the scanner sees nothing there.
    """

    def __init__(self, config: CTReconConfig = CTReconConfig()):
        super().__init__()
        self.config = config
        self.unet = UNet(2 * config.fold ** 2, config.fold ** 2, config.channels, config.depth)

    @property
    def multiple(self) -> int:
        return self.config.fold * 2 ** self.config.depth

    def forward(self, fbp_image: torch.Tensor, views: torch.Tensor) -> torch.Tensor:
        height, width = fbp_image.shape[-2:]
        scale = torch.quantile(fbp_image.flatten(1).float(), self.config.scale_quantile, dim=1).clamp_min(1e-6)
        scale = scale[:, None, None, None]
        x = fbp_image / scale
        views_plane = (views.float() / 180.0)[:, None, None, None].expand_as(x)
        x = F.pad(torch.cat([x, views_plane], dim=1), (0, -width % self.multiple, 0, -height % self.multiple))
        out = F.pixel_shuffle(self.unet(F.pixel_unshuffle(x, self.config.fold)), self.config.fold)
        out = out[..., :height, :width].float() * scale
        circle = torch.from_numpy(inscribed_circle(height)).to(out.device) if height == width else 1.0
        return (fbp_image + out) * circle


# ----------------------------------------------------------------------------------------------------
# Loading and the public function


def build_generator(path: str, device: str) -> CTReconGenerator:
    """The generator of a weights file, in eval mode (what registry.load caches)."""
    state, _, card = load_state(path)
    if card.get("generator", {}).get("class") != "CTReconGenerator":
        raise ValueError(f"{path} does not hold a CT reconstruction model")
    generator = registry.build_from_card(card["generator"])
    generator.load_state_dict(state)
    return generator.to(device).eval()


def load_generator(weights: str | Path | None = None) -> CTReconGenerator:
    """The generator of a weights file (default weights/ct-recon.safetensors), cached, in eval mode."""
    path = Path(DEFAULT_WEIGHTS if weights is None else weights)
    if weights is None and not path.exists():
        raise FileNotFoundError(f"{path.name} is missing: train it with `python -m gan_core.training --recipe "
                                "ct-recon`, or use fbp / sart_tv")
    return registry.load(path, build_generator)


def ct_reconstruct(sinogram: np.ndarray, angles: np.ndarray, weights: str | Path | CTReconGenerator | None = None
                   ) -> np.ndarray:
    """Reconstruct a sparse-view CT slice with the GAN: float32 HxH, in the units of the sinogram's slice.

    sinogram = skimage.transform.radon(image, theta=angles, circle=True), (H, views), angles in degrees over
    [0, 180), H even from 64 to 512. weights: a path, a loaded generator, or None for the default.
    """
    sinogram, angles = check_sinogram(sinogram, angles)
    generator = weights if isinstance(weights, CTReconGenerator) else load_generator(weights)
    start = fbp(sinogram, angles)
    with torch.inference_mode():
        result = generator(torch.from_numpy(start)[None, None], torch.tensor([float(angles.size)]))
    return result[0, 0].numpy().astype(np.float32)
