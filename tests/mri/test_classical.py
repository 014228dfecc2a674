"""gan_core.mri.classical: sigpy's compressed sensing under our k-space convention, and the [0, 1] metrics."""
import numpy as np
import sigpy

from gan_core.mri import classical
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
