"""k-space convention, masks, the reconstruction generator and gan_core.mri_reconstruct."""
import numpy as np
import pytest
import torch

import gan_core
from gan_core.mri import recon as mri
from gan_core.mri import slices as mri_data
from gan_core.mri.recon import MRIReconConfig, MRIReconGenerator, column_mask, to_kspace, zero_filled


def phantom(height=40, width=36, seed=0):
    """A bright ellipse with a few darker blobs on a black background, in [0, 1]."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[:height, :width]
    image = ((((y - height / 2) / (0.4 * height)) ** 2 + ((x - width / 2) / (0.4 * width)) ** 2) < 1) * 0.8
    for _ in range(3):
        cy, cx = rng.uniform(0.35, 0.65, 2) * (height, width)
        image = image - 0.3 * ((((y - cy) ** 2 + (x - cx) ** 2) < 9) & (image > 0))
    return image.astype(np.float32)


def tiny_generator():
    torch.manual_seed(0)
    return MRIReconGenerator(MRIReconConfig(channels=4, depth=2)).eval()


def test_kspace_follows_the_issue_convention_and_inverts():
    image = phantom()
    expected = np.fft.fftshift(np.fft.fft2(image, norm="ortho"))
    assert np.allclose(to_kspace(image), expected)
    assert np.allclose(zero_filled(expected), image, atol=1e-6)


def test_masks_select_whole_columns_at_the_requested_rate_with_a_full_centre():
    for acceleration in (4, 8):
        mask = column_mask(64, 200, acceleration, seed=3)
        assert mask.dtype == bool and mask.shape == (64, 200)
        assert (mask == mask[:1]).all()                                 # whole columns
        assert mask[0].sum() == round(200 / acceleration)
        centre = round(200 * mri.CENTRE_FRACTION[acceleration])
        assert mask[0, 100 - centre // 2: 100 - centre // 2 + centre].all()


def test_the_same_seed_gives_the_same_mask_and_another_seed_another():
    assert (column_mask(8, 120, 4, seed=1) == column_mask(8, 120, 4, seed=1)).all()
    assert (column_mask(8, 120, 4, seed=1) != column_mask(8, 120, 4, seed=2)).any()


def test_an_untrained_generator_returns_the_zero_filled_image():
    image = phantom()
    mask = column_mask(*image.shape, 4, seed=0)
    kspace = to_kspace(image) * mask
    result = gan_core.mri_reconstruct(kspace, mask, tiny_generator())
    assert np.allclose(result, zero_filled(kspace), atol=1e-4)


def test_data_consistency_keeps_the_measured_lines():
    generator = tiny_generator()
    torch.nn.init.normal_(generator.unet.out.weight, std=0.5)  # a network that changes the image a lot
    image = phantom(37, 45)                                    # odd sizes: the network pads
    mask = column_mask(*image.shape, 4, seed=5)
    kspace = to_kspace(image) * mask
    result = gan_core.mri_reconstruct(kspace, mask, generator)
    assert result.shape == image.shape and result.dtype == np.float32
    assert not np.allclose(result, zero_filled(kspace), atol=1e-3)
    with torch.no_grad():
        image_out = generator.consistent_image(torch.from_numpy(kspace.astype(np.complex64))[None],
                                               torch.from_numpy(mask)[None])[0].numpy()
    assert np.allclose(to_kspace(image_out)[mask], kspace[mask], atol=1e-5)
    assert np.allclose(np.abs(image_out), result, atol=1e-5)


def test_reconstruction_does_not_depend_on_the_intensity_units():
    generator = tiny_generator()
    torch.nn.init.normal_(generator.unet.out.weight, std=0.1)
    image = phantom()
    mask = column_mask(*image.shape, 8, seed=1)
    unit = gan_core.mri_reconstruct(to_kspace(image) * mask, mask, generator)
    sixteen_bit = gan_core.mri_reconstruct(to_kspace(image * 4095.0) * mask, mask, generator)
    assert np.allclose(sixteen_bit / 4095.0, unit, atol=1e-4)


def test_bad_input_gets_a_plain_message():
    image = phantom()
    mask = column_mask(*image.shape, 4, seed=0)
    with pytest.raises(ValueError, match="shape"):
        gan_core.mri_reconstruct(to_kspace(image), mask[:, :-1], tiny_generator())
    with pytest.raises(ValueError, match="no k-space lines"):
        gan_core.mri_reconstruct(to_kspace(image), np.zeros_like(mask), tiny_generator())
    with pytest.raises(ValueError, match="one HxW slice"):
        gan_core.mri_reconstruct(np.zeros((2, 8, 8), complex), np.ones((2, 8, 8), bool), tiny_generator())


def test_validation_slab_and_guard_band_are_never_training():
    assert mri_data.split_of("colin27", 10.0, "ch2.nii.gz") == "val"
    assert mri_data.split_of("colin27", 10.0, "ch2better.nii.gz") == "gap"   # same brain, another scan
    assert mri_data.split_of("colin27", mri_data.VALIDATION_SLABS["colin27"][1] + 1, "ch2bet.nii.gz") == "gap"
    assert mri_data.split_of("colin27", -40.0, "ch2.nii.gz") == "train"
    assert mri_data.split_of("macaque", 2.0, "inia19-t1-brain.nii.gz") == "val"


def test_random_crops_have_the_requested_size_even_from_small_slices():
    rng = np.random.default_rng(0)
    crop = mri_data.random_crop(phantom(20, 30), 32, rng)
    assert crop.shape == (32, 32)
