"""Training data: random crops of photographs, degradations, and Fashion-MNIST.

The photographs are few (about two hundred, plus texture tiles), so every sample is a fresh random view of one: a random
scale, a random crop and a random flip, which turns thirty photos into millions of distinct crops.
Photos are decoded once and kept in memory at a bounded size; cropping a region and resizing only that
region keeps each sample cheap enough that one worker process keeps the model fed (train.py logs the
fraction of each step spent waiting for data).
"""
import csv
import gzip
import io
import struct
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image, ImageOps

from gan_core.core import tasks
from gan_core.core.paths import REPO_ROOT

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif", ".ppm", ".pgm"}
MANIFEST = REPO_ROOT / "data" / "photos.csv"
PAINTINGS_MANIFEST = REPO_ROOT / "data" / "paintings.csv"  # written by scripts/extract_paintings.py


# ----------------------------------------------------------------------------------------------------
# Reading images


def load_rgb(path: str | Path, max_side: int | None = None) -> np.ndarray:
    """Open any image Pillow reads, apply its EXIF orientation, return HxWx3 uint8 RGB.

    16-bit, palette, greyscale, CMYK and alpha images are all converted; alpha is dropped.
    GIMP patterns (.pat, small texture tiles) are read too, and tiled to at least 512 px.
    """
    if str(path).endswith(".pat"):
        return read_gimp_pattern(path)
    try:
        with Image.open(path) as image:
            image = ImageOps.exif_transpose(image)
            image = to_rgb(image)
            if max_side and max(image.size) > max_side:
                image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            return np.asarray(image, dtype=np.uint8).copy()
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise ValueError(f"{path}: not an image Pillow can read ({error})") from error


def read_gimp_pattern(path: str | Path, min_side: int = 512) -> np.ndarray:
    """A GIMP .pat file: a big-endian header (size, version, width, height, bytes per pixel, 'GPAT', name)
    then raw pixels. Tiles are repeated so that crops of the usual size fit."""
    data = Path(path).read_bytes()
    header_size, _, width, height, depth = struct.unpack(">5I", data[:20])
    if data[20:24] != b"GPAT" or depth not in (1, 2, 3, 4):
        raise ValueError(f"{path}: not a GIMP pattern")
    pixels = np.frombuffer(data, np.uint8, width * height * depth, header_size).reshape(height, width, depth)
    rgb = np.repeat(pixels[..., :1], 3, axis=2) if depth <= 2 else pixels[..., :3]
    reps = (-(-min_side // height), -(-min_side // width), 1)
    return np.ascontiguousarray(np.tile(rgb, reps))


def to_rgb(image: Image.Image) -> Image.Image:
    """Convert any Pillow mode to 8-bit RGB; 16-bit greyscale is scaled down, not clipped."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(image, dtype=np.float64)
        peak = 65535.0 if image.mode.startswith("I;16") or array.max() > 255 else 255.0
        image = Image.fromarray(np.clip(array / peak * 255.0 + 0.5, 0, 255).astype(np.uint8), "L")
    elif image.mode == "F":
        array = np.asarray(image, dtype=np.float64)
        image = Image.fromarray(np.clip(array * (255.0 if array.max() <= 1.0 else 1.0), 0, 255).astype(np.uint8), "L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image)
    return image.convert("RGB")


def as_rgb_array(image) -> np.ndarray:
    """A PIL image or an array (HxW, HxWx1/3/4; uint8, uint16 or float in [0, 1]) -> HxWx3 uint8, as shown."""
    if isinstance(image, Image.Image):
        return np.asarray(to_rgb(image), dtype=np.uint8)
    array = np.asarray(image)
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (1, 3, 4)):
        raise ValueError(f"image must be HxW or HxWx1/3/4, not shape {array.shape}")
    if array.size == 0:
        raise ValueError("image is empty")
    if array.dtype == np.uint16:
        array = (array.astype(np.float64) / 257.0).round().astype(np.uint8)
    elif array.dtype.kind == "f":
        array = (np.clip(array, 0, 1) * 255.0).round().astype(np.uint8)
    elif array.dtype == bool:
        array = array.astype(np.uint8) * 255
    elif array.dtype != np.uint8:
        array = np.clip(array, 0, 255).astype(np.uint8)
    if array.ndim == 2:
        array = np.repeat(array[..., None], 3, axis=2)
    elif array.shape[2] == 1:
        array = np.repeat(array, 3, axis=2)
    elif array.shape[2] == 4:  # composite over white, as a viewer shows it
        alpha = array[..., 3:].astype(np.float32) / 255.0
        array = (array[..., :3] * alpha + 255.0 * (1 - alpha)).round().astype(np.uint8)
    return np.ascontiguousarray(array)


def list_images(folder: str | Path) -> list[Path]:
    """Image files below a folder, sorted, so that runs see the same order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder")
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def manifest_files(split: str, manifest: str | Path | None = None, kinds=("photo", "texture")) -> list[Path]:
    """The photographs of one split ("train" or "val") listed in data/photos.csv.

    Paths are absolute (read in place from /usr/share) or relative to the repository root, i.e. the
    manifest's parent folder (the extracted files under data/extracted/), so runs work from any folder.
    """
    manifest = Path(manifest or MANIFEST)
    root = manifest.resolve().parent.parent
    with open(manifest, newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["split"] == split and row.get("kind", "photo") in kinds]
    return [root / row["path"] for row in rows]


def is_texture_tile(path: str | Path) -> bool:
    """Texture tiles (GIMP .pat patterns, and the tiles extracted into a `textures` folder) are many and
    small, so PhotoCrops draws them with a fixed share instead of one weight per file."""
    path = Path(path)
    return path.suffix == ".pat" or "textures" in path.parent.parts


def read_list(path: str | Path) -> list[Path]:
    """The paths in a .txt list: one per line; blank lines and # comments skipped. Relative paths are taken
    from the repository root, as in the manifest, so data/follow.txt works from any folder."""
    lines = (line.strip() for line in Path(path).read_text().splitlines())
    return [REPO_ROOT / line for line in lines if line and not line.startswith("#")]


def resolve_files(data: str) -> list[Path]:
    """`data` is a folder of images, a .txt list of image paths (one per line, # comments),
    `manifest:train` / `manifest:val` for the project's photo list, or `paintings:train` / `paintings:val`
    for the reassembled paintings (data/paintings.csv); several joined by "+" are read together
    (`manifest:train+paintings:train`)."""
    if "+" in data:
        return [f for part in data.split("+") for f in resolve_files(part)]
    if data.endswith(".txt"):
        files = read_list(data)
    elif data.startswith("manifest:"):
        files = manifest_files(data.split(":", 1)[1])
    elif data.startswith("paintings:"):
        files = manifest_files(data.split(":", 1)[1], PAINTINGS_MANIFEST)
    else:
        files = list_images(data)
        if not files:
            raise ValueError(f"no images found in {data}")
        return files
    missing = [f for f in files if not f.exists()]
    if missing:  # listed photos come from the Debian packages that get_data.sh installs
        raise FileNotFoundError(f"{len(missing)} photos of {data} are missing (first: {missing[0]}); "
                                "run `bash scripts/get_data.sh` first")
    return files


# ----------------------------------------------------------------------------------------------------
# Degradations for restoration


def add_gaussian_noise(image: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Gaussian noise of standard deviation sigma on the 0-255 scale, clipped back to 8 bits."""
    noisy = image.astype(np.float32) + rng.normal(0.0, sigma, image.shape).astype(np.float32)
    return np.clip(noisy + 0.5, 0, 255).astype(np.uint8)


def add_poisson_noise(image: np.ndarray, scale: float, rng: np.random.Generator) -> np.ndarray:
    """Shot noise: photon counts proportional to brightness; `scale` photons per grey level."""
    noisy = rng.poisson(image.astype(np.float32) * scale) / scale
    return np.clip(noisy + 0.5, 0, 255).astype(np.uint8)


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    """Round-trip through JPEG at the given quality to add its block and ringing artefacts."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=int(quality))
    return np.asarray(Image.open(buffer).convert("RGB"))


def bicubic_down(image: np.ndarray, scale: int) -> np.ndarray:
    """The standard super-resolution benchmark degradation: Pillow's bicubic downscale, nothing else."""
    height, width = image.shape[:2]
    small = Image.fromarray(image).resize((width // scale, height // scale), Image.Resampling.BICUBIC)
    return np.asarray(small)


SETTINGS = ("mixed", "clean", "real")   # how training degrades a crop; see degrade


def degrade(image: np.ndarray, task: str, rng: np.random.Generator, setting: str = "mixed") -> np.ndarray:
    """The degraded input of a training crop, per task and setting.

    clean: the benchmark settings: Gaussian noise of sigma 0-55 (denoise), Pillow's bicubic downscale (sr2, sr4).
    real: the photos people bring: real_degradation's blur, resize, noise and JPEG, twice over.
    mixed: the first models' light mix. denoise: Gaussian noise of sigma 5-50, sometimes Poisson noise and
    JPEG; sr2 / sr4: half plain bicubic downscaling, half blur, downscaling, mild noise and JPEG.
    """
    if setting not in SETTINGS:
        raise ValueError(f"unknown setting {setting!r}; choose one of {SETTINGS}")
    scale = tasks.get(task).scale
    if setting == "real":
        return real_degradation(image, scale, rng)
    if task == "denoise":
        if setting == "clean":
            return add_gaussian_noise(image, rng.uniform(0, 55), rng)
        out = add_gaussian_noise(image, rng.uniform(5, 50), rng)
        if rng.random() < 0.2:
            out = add_poisson_noise(out, rng.uniform(0.5, 4.0), rng)
        if rng.random() < 0.3:
            out = jpeg(out, rng.integers(40, 96))
        return out
    if setting == "clean" or rng.random() < 0.5:
        return bicubic_down(image, scale)
    return realistic_down(image, scale, rng)


def realistic_down(image: np.ndarray, scale: int, rng: np.random.Generator) -> np.ndarray:
    """Blur, bicubic downscale, then mild noise and JPEG, each with a random strength."""
    blurred = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.2, 1.2 * scale / 2))
    out = bicubic_down(blurred, scale)
    if rng.random() < 0.5:
        out = add_gaussian_noise(out, rng.uniform(0, 8), rng)
    if rng.random() < 0.5:
        out = jpeg(out, rng.integers(60, 96))
    return out


# ----------------------------------------------------------------------------------------------------
# The real-photo degradation: Real-ESRGAN's second-order model (blur, resize, noise, JPEG, twice)

INTERPOLATIONS = (cv2.INTER_AREA, cv2.INTER_LINEAR, cv2.INTER_CUBIC)


def gaussian_kernel(rng: np.random.Generator, size: int, sigma_range: tuple[float, float]) -> np.ndarray:
    """An isotropic or anisotropic Gaussian (or a generalised one, flatter or peakier) at a random angle:
    lens blur, defocus and a little motion."""
    sx, sy = rng.uniform(*sigma_range), rng.uniform(*sigma_range)
    if rng.random() < 0.5:
        sy = sx
    angle = rng.uniform(0, np.pi)
    shape = rng.uniform(0.5, 4) if rng.random() < 0.3 else 2.0   # 2 is Gaussian; <2 peaky, >2 a plateau
    half = size // 2
    y, x = np.mgrid[-half:half + 1, -half:half + 1].astype(np.float64)
    u = x * np.cos(angle) + y * np.sin(angle)
    v = -x * np.sin(angle) + y * np.cos(angle)
    kernel = np.exp(-0.5 * ((u / sx) ** 2 + (v / sy) ** 2) ** (shape / 2))
    return (kernel / kernel.sum()).astype(np.float32)


def sinc_kernel(rng: np.random.Generator, size: int) -> np.ndarray:
    """A circular low-pass filter (2D sinc): the ringing and overshoot of sharpened and resampled photos."""
    from scipy.special import j1
    cutoff = rng.uniform(np.pi / 3, np.pi)
    half = size // 2
    y, x = np.mgrid[-half:half + 1, -half:half + 1].astype(np.float64)
    r = np.hypot(x, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        kernel = cutoff * j1(cutoff * r) / (2 * np.pi * r)
    kernel[half, half] = cutoff ** 2 / (4 * np.pi)
    return (kernel / kernel.sum()).astype(np.float32)


def random_blur(image: np.ndarray, rng: np.random.Generator, sigma_range: tuple[float, float]) -> np.ndarray:
    size = int(rng.choice(np.arange(7, 22, 2)))
    kernel = sinc_kernel(rng, size) if rng.random() < 0.1 else gaussian_kernel(rng, size, sigma_range)
    return cv2.filter2D(image, -1, kernel, borderType=cv2.BORDER_REFLECT)


def random_noise(image: np.ndarray, rng: np.random.Generator, sigma_range: tuple[float, float],
                 poisson_range: tuple[float, float]) -> np.ndarray:
    """Sensor noise on a float image in 0-255: Gaussian or Poisson, in colour or (40%) the same on every channel."""
    grey = rng.random() < 0.4
    shape = image.shape[:2] + (1,) if grey else image.shape
    if rng.random() < 0.5:
        noise = rng.normal(0.0, rng.uniform(*sigma_range), shape)
    else:   # shot noise: its variance grows with brightness
        source = image.mean(axis=2, keepdims=True) if grey else image
        counts = np.clip(source, 0, 255)
        noise = (rng.poisson(counts) - counts) * rng.uniform(*poisson_range)
    return image + noise.astype(np.float32)


def random_resize(image: np.ndarray, rng: np.random.Generator, down: tuple[float, float], up: float,
                  odds: tuple[float, float, float]) -> np.ndarray:
    """Up, down or keep (with these odds), by a random kind of interpolation."""
    kind = rng.choice(3, p=odds)
    factor = rng.uniform(1, up) if kind == 0 else rng.uniform(*down) if kind == 1 else 1.0
    height, width = image.shape[:2]
    size = (max(int(round(width * factor)), 4), max(int(round(height * factor)), 4))
    return cv2.resize(image, size, interpolation=int(rng.choice(INTERPOLATIONS)))


def jpeg_float(image: np.ndarray, rng: np.random.Generator, quality: tuple[int, int] = (30, 90)) -> np.ndarray:
    return jpeg(np.clip(image + 0.5, 0, 255).astype(np.uint8), rng.integers(quality[0], quality[1] + 1)).astype(np.float32)


def real_degradation(image: np.ndarray, scale: int, rng: np.random.Generator) -> np.ndarray:
    """What a phone, a scanner and the web do to a photo, drawn at random, as in Real-ESRGAN's second-order model:
    blur of random size and shape, a resize of random kind, Gaussian or Poisson noise, and JPEG at quality 30-90;
    then all of it again, milder; then the final resize to 1/scale of the photo, with a sinc filter before or
    after the last JPEG. Returns HxWx3 uint8 of side 1/scale of the input's."""
    height, width = image.shape[:2]
    out = image.astype(np.float32)
    out = random_blur(out, rng, (0.2, 3.0))
    out = random_resize(out, rng, (0.15, 1.0), 1.5, (0.2, 0.7, 0.1))
    out = random_noise(out, rng, (1, 30), (0.05, 3.0))
    out = jpeg_float(out, rng)
    if rng.random() < 0.8:
        out = random_blur(out, rng, (0.2, 1.5))
    out = random_resize(out, rng, (0.3, 1.0), 1.2, (0.3, 0.4, 0.3))
    out = random_noise(out, rng, (1, 25), (0.05, 2.5))
    target = (width // scale, height // scale)
    sinc = sinc_kernel(rng, int(rng.choice(np.arange(7, 22, 2)))) if rng.random() < 0.8 else None
    if rng.random() < 0.5:   # resize and sinc, then JPEG
        out = cv2.resize(out, target, interpolation=int(rng.choice(INTERPOLATIONS)))
        if sinc is not None:
            out = cv2.filter2D(out, -1, sinc, borderType=cv2.BORDER_REFLECT)
        out = jpeg_float(out, rng)
    else:                    # JPEG, then resize and sinc
        out = jpeg_float(out, rng)
        out = cv2.resize(out, target, interpolation=int(rng.choice(INTERPOLATIONS)))
        if sinc is not None:
            out = cv2.filter2D(out, -1, sinc, borderType=cv2.BORDER_REFLECT)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


# ----------------------------------------------------------------------------------------------------
# Datasets


@dataclass
class CropConfig:
    crop: int = 256            # side of the square training crop, in pixels
    min_scale: float = 0.25    # the crop covers between min_scale and max_scale of the photo's short side...
    max_scale: float = 1.0     # ...before it is resized to `crop`, so the model sees many zoom levels
    cache_side: int = 1536     # photos are kept in memory downscaled to at most this long side
    texture_share: float = 0.1  # share of crops drawn from texture tiles (is_texture_tile), many but small
    symmetries: int = 2        # 2: mirror left-right at random (photos have an up); 8: any of the square's eight
                               # (paintings: brushwork and cracks run every way, and 19 paintings need variety)


class PhotoCrops(torch.utils.data.Dataset):
    """Random rescaled crops of a few photographs, as training samples for one task.

    Each item is a fresh random draw, so the dataset has a nominal length (an 'epoch' for the loader)
    but no fixed content. `pair(crop, rng)` makes the item of a crop (HxWx3 uint8), drawing what it needs
    from the same random generator: the inpainting game gives (image, mask), the restoration game
    (degraded, clean). It must be picklable (a module-level function or class) for loader workers.
    """

    def __init__(self, files: list[Path], pair, config: CropConfig = CropConfig(),
                 length: int = 100_000, seed: int | None = None):
        if config.symmetries not in (2, 8):
            raise ValueError(f"symmetries must be 2 (left-right mirror) or 8 (all of the square's), not {config.symmetries}")
        if not files:
            raise ValueError("no image files given")
        self.files, self.pair, self.config, self.length, self.seed = list(files), pair, config, length, seed
        self.photos = [load_rgb(f, config.cache_side) for f in self.files]
        is_texture = np.array([is_texture_tile(f) for f in self.files])
        share = config.texture_share if is_texture.any() and not is_texture.all() else float(is_texture.all())
        self.draw_weights = np.where(is_texture, share / max(is_texture.sum(), 1),
                                     (1 - share) / max((~is_texture).sum(), 1))

    def __len__(self) -> int:
        return self.length

    def random_crop(self, rng: np.random.Generator) -> np.ndarray:
        photo = self.photos[rng.choice(len(self.photos), p=self.draw_weights)]
        height, width = photo.shape[:2]
        crop = self.config.crop
        short = min(height, width)
        side = int(short * rng.uniform(self.config.min_scale, self.config.max_scale))
        side = int(np.clip(side, min(crop // 2, short), short))
        top, left = rng.integers(0, height - side + 1), rng.integers(0, width - side + 1)
        region = photo[top:top + side, left:left + side]
        interpolation = cv2.INTER_AREA if side > crop else cv2.INTER_CUBIC
        region = cv2.resize(region, (crop, crop), interpolation=interpolation)
        if rng.random() < 0.5:
            region = region[:, ::-1]
        if self.config.symmetries == 8:
            region = np.rot90(region, k=rng.integers(4))
        return np.ascontiguousarray(region)

    def __getitem__(self, index: int):
        seed = (self.seed, index) if self.seed is not None else None
        rng = np.random.default_rng(seed if seed is not None else torch.randint(2**62, ()).item())
        return self.pair(self.random_crop(rng), rng)


def fixed_batch(dataset: PhotoCrops, size: int) -> tuple[torch.Tensor, ...]:
    """A batch that is the same on every call (items of a seeded dataset), for sample grids and validation."""
    items = [dataset[i] for i in range(size)]
    return tuple(torch.stack(parts) for parts in zip(*items))


# ----------------------------------------------------------------------------------------------------
# Fashion-MNIST (Debian package dataset-fashion-mnist)

FASHION_MNIST_DIRS = [Path("/usr/share/datasets/fashion-mnist")]
FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                   "Ankle boot"]


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (the MNIST format: magic, dims, big-endian sizes, raw bytes), gzipped or not."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as handle:
        data = handle.read()
    zero, dtype_code, n_dims = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    shape = struct.unpack(">" + "I" * n_dims, data[4:4 + 4 * n_dims])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * n_dims).reshape(shape)


def find_fashion_mnist(split: str = "train") -> tuple[Path, Path]:
    """Paths of the images and labels IDX files of one split ("train" or "t10k")."""
    prefix = {"train": "train", "test": "t10k", "t10k": "t10k"}[split]
    for folder in FASHION_MNIST_DIRS:
        for suffix in ("", ".gz"):
            images = folder / f"{prefix}-images-idx3-ubyte{suffix}"
            labels = folder / f"{prefix}-labels-idx1-ubyte{suffix}"
            if images.exists() and labels.exists():
                return images, labels
    raise FileNotFoundError("Fashion-MNIST not found; run `bash scripts/get_data.sh` "
                            "(installs the Debian package dataset-fashion-mnist)")


def fashion_mnist(split: str = "train", size: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    """All images of a split as (N, 1, size, size) in [-1, 1] (28 px padded to 32, as DCGAN wants), labels."""
    images_path, labels_path = find_fashion_mnist(split)
    images = torch.from_numpy(read_idx(images_path).copy()).float().div(127.5).sub(1.0)[:, None]
    if size != 28:
        pad = (size - 28) // 2
        images = torch.nn.functional.pad(images, (pad, size - 28 - pad, pad, size - 28 - pad), value=-1.0)
    return images, torch.from_numpy(read_idx(labels_path).astype(np.int64))
