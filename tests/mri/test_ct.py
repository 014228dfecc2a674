"""gan_core.mri.ct: the sinogram convention, FBP, the CT network and ct_reconstruct."""
import numpy as np
import pytest
import torch
from skimage.transform import radon

import gan_core
from gan_core.core.weights import save_parts
from gan_core.mri import ct
from gan_core.mri.classical import psnr01
from gan_core.mri.recon import generator_card
from tests.mri.test_recon import phantom


def ct_phantom(side=64, seed=0):
    return ct.square_slice(phantom(side, side, seed))


def tiny(seed=0):
    torch.manual_seed(seed)
    model = ct.CTReconGenerator(ct.CTReconConfig(channels=4, depth=1)).eval()
    torch.nn.init.normal_(model.unet.out.weight, std=0.1)
    return model


def test_the_sinogram_is_skimages_radon_and_fbp_inverts_a_dense_scan():
    image = ct_phantom(96)
    angles = ct.angles_for(180)
    sinogram = ct.sinogram_of(image, angles)
    assert np.allclose(sinogram, radon(image.astype(np.float64), theta=angles, circle=True))
    assert psnr01(image, ct.fbp(sinogram, angles)) > 25
    sparse = ct.angles_for(20)
    assert psnr01(image, ct.fbp(ct.sinogram_of(image, sparse), sparse)) < psnr01(image, ct.fbp(sinogram, angles))


def test_square_slice_centres_crops_pads_and_cuts_the_circle():
    out = ct.square_slice(np.ones((50, 81), np.float32))
    assert out.shape == (50, 50) and out[25, 25] == 1 and out[0, 0] == 0
    assert ct.square_slice(np.ones((30, 30)), side=40)[20, 2] == 0      # padding around a small slice


@pytest.mark.parametrize("bad, message", [((np.zeros((63, 63)), 10), "even side"), ((np.zeros((64, 32)), 10), "square")])
def test_bad_slices_get_a_plain_message(bad, message):
    image, views = bad
    with pytest.raises(ValueError, match=message):
        ct.sinogram_of(image, ct.angles_for(views))


def test_a_sinogram_with_the_wrong_number_of_angles_is_refused():
    with pytest.raises(ValueError, match="one column per angle"):
        ct.fbp(np.zeros((64, 30)), ct.angles_for(20))
    with pytest.raises(ValueError, match="at least 2 views"):
        ct.angles_for(1)


def test_an_untrained_network_returns_fbp_and_a_trained_one_keeps_the_circle_and_scale():
    image = ct_phantom(64)
    angles = ct.angles_for(30)
    sinogram = ct.sinogram_of(image, angles)
    untrained = ct.CTReconGenerator(ct.CTReconConfig(channels=4, depth=1)).eval()
    assert np.allclose(ct.ct_reconstruct(sinogram, angles, untrained), ct.fbp(sinogram, angles), atol=1e-5)
    model = tiny()
    out = ct.ct_reconstruct(sinogram, angles, model)
    assert out.shape == (64, 64) and not out[~ct.inscribed_circle(64)].any()
    assert np.allclose(ct.ct_reconstruct(sinogram * 1000, angles, model) / 1000, out, atol=1e-4)


@pytest.mark.parametrize("side", [64, 130, 200])
def test_any_even_side_works(side):
    image = ct_phantom(side)
    angles = ct.angles_for(60)
    assert ct.ct_reconstruct(ct.sinogram_of(image, angles), angles, tiny()).shape == (side, side)


def test_weights_load_by_path_and_a_missing_default_says_how_to_train(tmp_path, monkeypatch):
    model = tiny()
    save_parts(tmp_path / "ct-tiny.safetensors", {"generator": model}, {"generator": generator_card(model), "task": "ct"})
    image = ct_phantom(64)
    angles = ct.angles_for(30)
    sinogram = ct.sinogram_of(image, angles)
    assert np.allclose(gan_core.ct_reconstruct(sinogram, angles, tmp_path / "ct-tiny.safetensors"),
                       ct.ct_reconstruct(sinogram, angles, model), atol=1e-6)
    monkeypatch.setattr(ct, "DEFAULT_WEIGHTS", tmp_path / "ct-recon.safetensors")
    with pytest.raises(FileNotFoundError, match="--recipe ct-recon"):
        ct.ct_reconstruct(sinogram, angles)
