"""The MRI evaluation: the compressed-sensing weight tuned on training slices, the report (gan_core.mri.classical
holds the method and the metrics)."""
import numpy as np
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


def test_the_tuned_weight_is_the_grids_best_and_beats_zero_filling():
    image = phantom(48, 48)
    mask = column_mask(*image.shape, 4, seed=0)
    kspace = to_kspace(image) * mask
    lamda, tried = eval_mri.tune_lambda([mri_data.Slice(image, "t", "colin27", 0.0)], 4)
    assert tried[lamda] == max(tried.values())
    assert eval_mri.psnr01(image, eval_mri.l1_wavelet(kspace, mask, lamda)) > eval_mri.psnr01(image, zero_filled(kspace))


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
