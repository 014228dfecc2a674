"""gan_core.mri.unrolled: the cascade keeps what was measured, starts as zero-filling, takes any size."""
import numpy as np
import pytest
import torch

from gan_core.mri import recon as mri
from gan_core.mri.kspace import column_mask, to_kspace, zero_filled
from gan_core.mri.unrolled import UnrolledConfig, UnrolledRecon
from tests.mri.test_recon import phantom


def tiny(shared=False, cascades=3):
    torch.manual_seed(0)
    model = UnrolledRecon(UnrolledConfig(cascades=cascades, channels=4, depth=1, shared=shared)).eval()
    for cnn in model.cnns:   # a network that does something (the last layer starts at zero)
        torch.nn.init.normal_(cnn.out.weight, std=0.1)
    return model


def test_an_untrained_cascade_returns_the_zero_filled_image():
    image = phantom(48, 40)
    mask = column_mask(48, 40, 4, seed=1)
    kspace = to_kspace(image) * mask
    model = UnrolledRecon(UnrolledConfig(cascades=2, channels=4, depth=1)).eval()
    assert np.allclose(mri.mri_reconstruct(kspace, mask, model), zero_filled(kspace), atol=1e-5)


@pytest.mark.parametrize("shared", [False, True])
def test_the_measured_lines_come_back_unchanged(shared):
    image = phantom(64, 50) * np.exp(1j * np.linspace(0, 1, 50))[None]        # a phase, as a scanner gives
    mask = column_mask(64, 50, 6, seed=2)
    kspace = (to_kspace(image) * mask).astype(np.complex64)
    model = tiny(shared)
    with torch.inference_mode():
        out = model.consistent_image(torch.from_numpy(kspace)[None], torch.from_numpy(mask)[None])[0].numpy()
    out_kspace = to_kspace(out)
    assert not np.allclose(np.abs(out), zero_filled(kspace), atol=1e-3)      # it changed what was not measured
    assert np.abs(out_kspace - kspace)[mask].max() <= 1e-5 * np.abs(kspace).max()


def test_shared_weights_mean_one_cnn_and_fewer_parameters():
    assert len(tiny(True).cnns) == 1 and len(tiny(False).cnns) == 3


@pytest.mark.parametrize("shape", [(64, 64), (66, 130), (181, 217)])
def test_any_size_and_any_intensity_scale(shape):
    image = phantom(*shape)
    mask = column_mask(*shape, 4, seed=0)
    model = tiny()
    small = mri.mri_reconstruct(to_kspace(image) * mask, mask, model)
    large = mri.mri_reconstruct(to_kspace(image * 4000.0) * mask, mask, model)
    assert small.shape == shape and np.allclose(large / 4000.0, small, atol=1e-4)


def test_a_weights_file_of_either_kind_loads_through_mri_reconstruct(tmp_path):
    from gan_core.core.weights import save_parts
    model = tiny()
    card = {"generator": mri.generator_card(model), "task": "mri"}
    save_parts(tmp_path / "cascade.safetensors", {"generator": model}, card)
    loaded = mri.load_generator(tmp_path / "cascade.safetensors")
    assert isinstance(loaded, UnrolledRecon) and loaded.config.cascades == 3
    image = phantom()
    mask = column_mask(*image.shape, 4, seed=0)
    assert np.allclose(mri.mri_reconstruct(to_kspace(image) * mask, mask, tmp_path / "cascade.safetensors"),
                       mri.mri_reconstruct(to_kspace(image) * mask, mask, model), atol=1e-6)


def test_a_cascade_that_starts_from_tv_returns_tv_untrained_and_needs_its_start():
    from gan_core.mri.classical import tv_cs
    image = phantom(48, 48)
    mask = column_mask(48, 48, 4, seed=5)
    kspace = to_kspace(image) * mask
    model = UnrolledRecon(UnrolledConfig(cascades=2, channels=4, depth=1, start="tv")).eval()
    assert np.allclose(mri.mri_reconstruct(kspace, mask, model), tv_cs(kspace, mask), atol=1e-4)
    assert np.allclose(np.abs(tv_cs(kspace, mask, complex_result=True)), tv_cs(kspace, mask), atol=1e-5)
    with pytest.raises(ValueError, match="pass start"):
        model(torch.from_numpy(kspace.astype(np.complex64))[None], torch.from_numpy(mask)[None])
