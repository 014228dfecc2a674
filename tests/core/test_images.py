"""gan_core.core.images: the one pair of pixel conversions."""
import numpy as np
import torch

from gan_core.core.images import to_tensor, to_uint8


def test_pixels_go_to_minus_one_one_and_back_unchanged_in_any_layout():
    pixels = np.arange(256, dtype=np.uint8).reshape(4, 8, 8)
    tensor = to_tensor(pixels)
    assert tensor.dtype == torch.float32 and tensor.shape == (4, 8, 8)
    assert tensor.min() == -1 and tensor.max() == 1 and tensor[0, 0, 0] == -1
    assert np.array_equal(to_uint8(tensor), pixels)
    photo = np.random.default_rng(0).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    assert np.array_equal(to_uint8(to_tensor(photo).permute(2, 0, 1)).transpose(1, 2, 0), photo)


def test_out_of_range_values_are_clamped_and_rounded():
    assert to_uint8(torch.tensor([-3.0, 0.0, 0.999, 5.0])).tolist() == [0, 128, 255, 255]
    assert to_uint8(torch.tensor([0.0], requires_grad=True)).dtype == np.uint8
