"""Shared fixtures: small images the tests make themselves, and tiny trained-from-scratch checkpoints."""
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def striped_photo(height: int, width: int, seed: int) -> np.ndarray:
    """A colourful image with stripes and a gradient: structure a fill can continue, unlike noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    angle, freq = rng.uniform(0, np.pi), rng.uniform(0.05, 0.2)
    stripes = np.sin((x * np.cos(angle) + y * np.sin(angle)) * freq)
    base = rng.uniform(60, 200, 3)
    image = base + 50 * stripes[..., None] * rng.uniform(0.5, 1, 3) + 0.1 * (x + y)[..., None]
    return np.clip(image, 0, 255).astype(np.uint8)


@pytest.fixture(scope="session")
def image_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("photos")
    for i in range(4):
        Image.fromarray(striped_photo(160, 200, i)).save(folder / f"photo_{i}.png")
    return folder


TINY = ["--g-channels", "8", "--g-blocks", "1", "--d-channels", "8", "--crop", "64", "--batch-size", "4",
        "--workers", "0", "--no-progress", "--min-scale", "0.5"]


@pytest.fixture(scope="session")
def tiny_weights(image_folder, tmp_path_factory) -> Path:
    """A tiny inpainter trained for a few steps and exported: real weights, made in seconds."""
    from gan_core.training.train import parse_args, train
    out = tmp_path_factory.mktemp("run")
    cfg = parse_args(["--task", "inpaint", "--data", str(image_folder), "--out", str(out / "run"), "--steps", "4",
                      "--export", "tiny", "--weights-dir", str(out / "weights"), "--sample-every", "100", *TINY])
    train(cfg)
    return out / "weights" / "tiny.safetensors"


@pytest.fixture(scope="session")
def tiny_restore_weights(image_folder, tmp_path_factory) -> Path:
    """A folder with tiny denoise.safetensors and sr2.safetensors (3 steps each, about a second in all).

    sr4 is left out on purpose: the tests see what the studio does when a task's model is missing.
    """
    from gan_core.training.train import parse_args, train
    out = tmp_path_factory.mktemp("restore-run")
    for task in ("denoise", "sr2"):
        train(parse_args(["--task", task, "--data", str(image_folder), "--out", str(out / task), "--steps", "3",
                          "--export", task, "--weights-dir", str(out / "weights"), "--sample-every", "100", *TINY]))
    return out / "weights"


@pytest.fixture(scope="module")
def one_thread():
    """Tiny models run fastest on one thread, far faster when the CPU is busy
    (`pytestmark = pytest.mark.usefixtures("one_thread")` in a test module)."""
    from gan_core.core.device import one_thread as single
    with single():
        yield


@pytest.fixture(scope="module")
def tiny_classifier():
    """An untrained Fashion-MNIST classifier: still a fixed feature map, enough for the measures and as the
    judge of the small GANs' training logs."""
    import torch
    from gan_core.learn.classifier import ClassifierConfig, FashionClassifier
    torch.manual_seed(0)
    return FashionClassifier(ClassifierConfig(width=4, feature_dim=8)).eval()


@pytest.fixture
def studio_test_model(monkeypatch):
    """The studio's default inpainting model is the tiny test model (weights/inpaint-tiny-test)."""
    monkeypatch.setenv("GAN_STUDIO_MODEL", "inpaint-tiny-test")


@pytest.fixture
def bold_adaptation(monkeypatch):
    """Adaptation at a bolder rate than the studio's: the tiny test models must change a level in two steps."""
    import functools
    from gan_core.inpainting import fill
    monkeypatch.setattr(fill, "AdaptConfig", functools.partial(fill.AdaptConfig, lr_g=1e-3))
