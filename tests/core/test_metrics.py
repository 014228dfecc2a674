import cv2
import numpy as np
import pytest

from gan_core.core import metrics
from tests.conftest import striped_photo


def test_metrics_tell_a_perfect_fill_from_a_smear():
    texture = np.random.default_rng(0).integers(-40, 40, (96, 96, 1))
    photo = np.clip(striped_photo(96, 96, 0).astype(int) + texture, 0, 255).astype(np.uint8)
    mask = np.zeros((96, 96), np.uint8)
    mask[30:70, 30:70] = 1
    smear = photo.copy()
    smear[mask > 0] = cv2.GaussianBlur(photo, (0, 0), 6)[mask > 0]
    perfect = metrics.compare(photo, photo, mask)
    smeared = metrics.compare(photo, smear, mask)
    assert perfect["detail"] == pytest.approx(1.0) and perfect["ssim"] == pytest.approx(1.0)
    assert smeared["detail"] < 0.7 and smeared["psnr_masked"] < 40 and smeared["l1_masked"] > 0
    assert smeared["psnr"] > smeared["psnr_masked"]  # whole-image PSNR counts the untouched pixels too


def test_empty_mask_psnr_is_an_error():
    with pytest.raises(ValueError):
        metrics.psnr(np.zeros((8, 8, 3), np.uint8), np.zeros((8, 8, 3), np.uint8), np.zeros((8, 8)))


def test_noise_sigma_reads_the_noise_level_of_a_photo():
    from gan_core.photos.data import add_gaussian_noise
    photo = cv2.GaussianBlur(striped_photo(128, 160, 1), (0, 0), 1)
    assert metrics.noise_sigma(photo) < 1.5
    for sigma in (5, 15, 30):
        noisy = add_gaussian_noise(photo, sigma, np.random.default_rng(sigma))
        assert metrics.noise_sigma(noisy) == pytest.approx(sigma, rel=0.15), sigma
    assert metrics.noise_sigma(np.zeros((2, 50, 3), np.uint8)) == 0.0
    assert metrics.noise_sigma(noisy[..., 0]) == pytest.approx(30, rel=0.15)  # greyscale too


def test_ssim_around_sees_the_hole_not_the_whole_image():
    original = striped_photo(200, 200, 0)
    smeared = original.copy()
    hole = np.zeros((200, 200), bool)
    hole[90:110, 90:110] = True
    smeared[hole] = original[hole].mean(axis=0).astype(np.uint8)
    assert metrics.ssim_around(original, smeared, hole) < metrics.ssim(original, smeared) - 0.05
    assert metrics.ssim_around(original, original, hole) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="empty mask"):
        metrics.ssim_around(original, smeared, np.zeros((200, 200), bool))
