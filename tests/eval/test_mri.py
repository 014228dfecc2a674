"""The MRI evaluation: sigpy's compressed sensing under our k-space convention, the metrics, the report."""
import numpy as np
import sigpy
import torch

from gan_core.mri import slices as mri_data
from gan_core.eval import mri as eval_mri
from gan_core.mri.recon import MRIReconConfig, MRIReconGenerator, column_mask, generator_card, to_kspace, zero_filled
from gan_core.core.weights import save_weights


def phantom(height=32, width=28):
    y, x = np.mgrid[:height, :width]
    image = (((y - height / 2) / (0.35 * height)) ** 2 + ((x - width / 2) / (0.35 * width)) ** 2 < 1) * 0.7
    image[height // 2 - 3: height // 2 + 3, width // 2 - 2: width // 2 + 2] = 1.0
    return image.astype(np.float32)


def test_our_kspace_rewritten_for_sigpy_is_sigpys_centred_fft_of_the_same_image():
    for shape in ((8, 10), (9, 7)):
        image = np.random.default_rng(0).random(shape)
        assert np.allclose(eval_mri.sigpy_centred(to_kspace(image)), sigpy.fft(image, center=True), atol=1e-6)


def test_l1_wavelet_with_a_fully_sampled_mask_returns_the_image():
    for shape in ((16, 20), (15, 13)):
        image = np.random.default_rng(1).random(shape).astype(np.float32)
        result = eval_mri.l1_wavelet(to_kspace(image), np.ones(shape, bool), lamda=1e-7)
        assert np.abs(result - image).max() < 1e-3


def test_l1_wavelet_removes_aliasing_from_a_piecewise_constant_slice():
    image = phantom(48, 48)
    mask = column_mask(*image.shape, 4, seed=0)
    kspace = to_kspace(image) * mask
    lamda, tried = eval_mri.tune_lambda([mri_data.Slice(image, "t", "colin27", 0.0)], 4)
    assert tried[lamda] == max(tried.values())
    assert eval_mri.psnr01(image, eval_mri.l1_wavelet(kspace, mask, lamda)) > eval_mri.psnr01(image, zero_filled(kspace))


def test_psnr_clips_the_result_and_ssim_is_one_for_the_original():
    image = phantom()
    assert eval_mri.psnr01(image, image + 5.0 * (image == 1.0)) == float("inf")   # clipped back to 1
    assert eval_mri.ssim01(image, image) == 1.0


def test_the_report_has_every_method_at_4x_and_8x(tmp_path):
    torch.manual_seed(0)
    generator = MRIReconGenerator(MRIReconConfig(channels=4, depth=1, fold=1))
    weights = save_weights(tmp_path / "mri-tiny.safetensors", generator, None,
                           {"name": "mri-tiny", "task": "mri", "generator": generator_card(generator)})
    slices = [mri_data.Slice(phantom(), "t", brain, 0.0) for brain in ("colin27", "macaque")]
    report = eval_mri.evaluate(slices, slices, weights, tune_count=1)
    assert set(report["accelerations"]) == {"4x", "8x"}
    for summary in report["accelerations"].values():
        assert set(summary) == {"zero-filled", "l1-wavelet", "gan"}
        # an untrained generator is the zero-filled image
        assert abs(summary["gan"]["psnr"] - summary["zero-filled"]["psnr"]) < 0.01
        assert set(summary["gan"]["psnr_by_brain"]) == {"colin27", "macaque"}
        assert summary["l1-wavelet"]["lamda"] in eval_mri.LAMBDA_GRID
