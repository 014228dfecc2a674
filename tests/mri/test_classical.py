"""gan_core.mri.classical: compressed sensing (sigpy's L1-wavelet, TV by POCS) under our k-space convention,
SART-TV for sparse-view CT, and the [0, 1] metrics."""
import numpy as np
import pytest
import sigpy
from skimage.data import shepp_logan_phantom
from skimage.transform import resize

from gan_core.mri import classical, ct
from gan_core.mri.recon import column_mask, to_kspace, zero_filled
from tests.mri.test_recon import phantom


def test_our_kspace_rewritten_for_sigpy_is_sigpys_centred_fft_of_the_same_image():
    for shape in ((8, 10), (9, 7)):
        image = np.random.default_rng(0).random(shape)
        assert np.allclose(classical.sigpy_centred(to_kspace(image)), sigpy.fft(image, center=True), atol=1e-6)


def test_l1_wavelet_with_a_fully_sampled_mask_returns_the_image():
    for shape in ((16, 20), (15, 13)):
        image = np.random.default_rng(1).random(shape).astype(np.float32)
        result = classical.l1_wavelet(to_kspace(image), np.ones(shape, bool), lamda=1e-7)
        assert np.abs(result - image).max() < 1e-3


def test_l1_wavelet_removes_aliasing_from_a_piecewise_constant_slice():
    image = phantom(48, 48)
    mask = column_mask(*image.shape, 4, seed=0)
    kspace = to_kspace(image) * mask
    cs = classical.l1_wavelet(kspace, mask, 1e-3)
    assert classical.psnr01(image, cs) > classical.psnr01(image, zero_filled(kspace))


def test_psnr_clips_the_result_and_ssim_is_one_for_the_original():
    image = phantom()
    image[10:14, 10:14] = 1.0
    assert classical.psnr01(image, image + 5.0 * (image == 1.0)) == float("inf")   # clipped back to 1
    assert classical.ssim01(image, image) == 1.0


# ----------------------------------------------------------------------------------------------------
# TV compressed sensing


def test_tv_cs_with_a_fully_sampled_mask_returns_the_image():
    image = phantom(40, 36)
    result = classical.tv_cs(to_kspace(image), np.ones(image.shape, bool))
    assert result.dtype == np.float32 and result.shape == image.shape
    assert classical.psnr01(image, result) > 60


def test_tv_cs_removes_aliasing_and_beats_zero_filling_and_l1_wavelet_at_4x():
    image = phantom(48, 48)
    mask = column_mask(*image.shape, 4, seed=0)
    kspace = to_kspace(image) * mask
    tv = classical.psnr01(image, classical.tv_cs(kspace, mask))
    assert tv > classical.psnr01(image, zero_filled(kspace)) + 5
    assert tv > classical.psnr01(image, classical.l1_wavelet(kspace, mask, 1e-3))


def test_tv_cs_works_in_any_intensity_units():
    image = phantom(40, 36)
    mask = column_mask(*image.shape, 4, seed=1)
    kspace = to_kspace(image) * mask
    unit = classical.tv_cs(kspace, mask, iterations=20)
    assert np.allclose(classical.tv_cs(kspace * 1000, mask, iterations=20) / 1000, unit, atol=1e-5)


def test_tv_cs_takes_the_weight_tuned_for_the_nearest_acceleration():
    assert classical.tuned(classical.TV_WEIGHT, 4) == classical.TV_WEIGHT[4]
    assert classical.tuned(classical.TV_WEIGHT, 5) == classical.TV_WEIGHT[4]
    assert classical.tuned(classical.TV_WEIGHT, 12) == classical.TV_WEIGHT[8]
    image = phantom(32, 32)
    mask = column_mask(*image.shape, 8, seed=2)
    kspace = to_kspace(image) * mask
    assert np.array_equal(classical.tv_cs(kspace, mask, iterations=5),
                          classical.tv_cs(kspace, mask, classical.TV_WEIGHT[8], iterations=5))


def test_tv_cs_refuses_bad_input_in_a_sentence():
    kspace = to_kspace(phantom(16, 16))
    with pytest.raises(ValueError, match="one HxW slice"):
        classical.tv_cs(kspace[None], np.ones((1, 16, 16), bool))
    with pytest.raises(ValueError, match="mask has shape"):
        classical.tv_cs(kspace, np.ones((16, 15), bool))
    with pytest.raises(ValueError, match="NaN"):
        classical.tv_cs(np.full((16, 16), np.nan, complex), np.ones((16, 16), bool))
    with pytest.raises(ValueError, match="positive"):
        classical.tv_cs(kspace, np.ones((16, 16), bool), weight=0)


# ----------------------------------------------------------------------------------------------------
# SART-TV for sparse-view CT


def shepp_logan(side=128):
    return ct.square_slice(resize(shepp_logan_phantom(), (side, side), anti_aliasing=True))


def test_sart_tv_beats_fbp_clearly_at_30_views_and_keeps_the_scanners_geometry():
    image = shepp_logan()
    angles = ct.angles_for(30)
    sinogram = ct.sinogram_of(image, angles)
    result = classical.sart_tv(sinogram, angles)
    assert result.dtype == np.float32 and result.shape == image.shape
    assert classical.psnr01(image, result) > classical.psnr01(image, ct.fbp(sinogram, angles)) + 3
    assert result.min() >= 0 and not result[~ct.inscribed_circle(image.shape[0])].any()


def test_the_true_slice_is_a_fixed_point_of_the_sart_sweep():
    image = ct.square_slice(phantom(64, 64)).astype(np.float64)
    angles = ct.angles_for(60)
    swept = classical.sart_step(image, ct.sinogram_of(image, angles), angles, classical.SART_RELAXATION)
    assert np.abs(swept - image).max() < 1e-9


def test_sart_tv_works_in_any_units_of_attenuation():
    image = shepp_logan(64)
    angles = ct.angles_for(30)
    sinogram = ct.sinogram_of(image, angles)
    unit = classical.sart_tv(sinogram, angles, iterations=3)
    assert np.allclose(classical.sart_tv(sinogram * 1000, angles, iterations=3) / 1000, unit, atol=1e-4)


def test_sart_tv_refuses_bad_input_in_a_sentence():
    angles = ct.angles_for(30)
    sinogram = ct.sinogram_of(shepp_logan(64), angles)
    with pytest.raises(ValueError, match="even number"):
        classical.sart_tv(sinogram[:-1], angles)                 # 63 detector bins: an odd side
    with pytest.raises(ValueError, match="one column per angle"):
        classical.sart_tv(sinogram, angles[:-1])
    with pytest.raises(ValueError, match="one column per angle"):
        classical.sart_tv(sinogram[None], angles)
    with pytest.raises(ValueError, match="relaxation"):
        classical.sart_tv(sinogram, angles, relaxation=1.0)
