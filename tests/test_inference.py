import numpy as np
import pytest
from PIL import Image

import gan_core
from gan_core import inference
from tests.conftest import striped_photo


def stroke_mask(height, width):
    mask = np.zeros((height, width), np.uint8)
    mask[height // 3: max(height // 2, height // 3 + 1), width // 4: width // 2] = 255
    return mask


@pytest.mark.parametrize("size", [(37, 61), (513, 700), (5, 300), (16, 16)])
def test_output_size_and_bit_exact_unmasked_pixels(tiny_weights, size):
    photo = striped_photo(*size, seed=1)
    mask = stroke_mask(*size)
    result = np.asarray(gan_core.inpaint(photo, mask, weights=tiny_weights))
    assert result.shape == photo.shape
    assert np.array_equal(result[mask == 0], photo[mask == 0])
    assert not np.array_equal(result[mask > 0], np.full_like(result[mask > 0], 255))


def test_one_pixel_image_with_critic(tiny_weights):
    result = inference.inpaint_detailed(np.zeros((1, 1, 3), np.uint8), np.ones((1, 1)), tiny_weights, with_critic=True)
    assert result.image.shape == (1, 1, 3) and result.critic.shape == (1, 1)


def test_large_photo_is_processed_around_the_mask(tiny_weights):
    photo = striped_photo(2000, 3000, seed=2)
    mask = np.zeros((2000, 3000), np.uint8)
    mask[1000:1040, 1500:1700] = 1
    result = inference.inpaint_detailed(photo, mask, tiny_weights, with_critic=True)
    top, left, bottom, right = result.box
    assert result.image.shape == photo.shape and (bottom - top) < 600 and (right - left) < 700
    assert np.array_equal(result.image[mask == 0], photo[mask == 0])
    assert np.isnan(result.critic[0, 0]) and 0 <= np.nanmin(result.critic) <= np.nanmax(result.critic) <= 1


def test_huge_mask_is_shrunk_to_the_working_size(tiny_weights):
    photo = striped_photo(900, 1200, seed=3)
    mask = np.ones((900, 1200), np.uint8)
    result = inference.inpaint_detailed(photo, mask, tiny_weights, working_side=256)
    assert max(result.working_size) == 256 and result.image.shape == photo.shape


def test_modes_grey_rgba_16bit(tiny_weights):
    grey = Image.fromarray(striped_photo(37, 61, 0)[..., 0], "L")
    assert gan_core.inpaint(grey, stroke_mask(37, 61), weights=tiny_weights).size == (61, 37)
    rgba = Image.fromarray(np.dstack([striped_photo(40, 50, 0), np.full((40, 50), 128, np.uint8)]), "RGBA")
    assert gan_core.inpaint(rgba, stroke_mask(40, 50), weights=tiny_weights).mode == "RGB"
    deep = (striped_photo(40, 50, 0).astype(np.uint16) * 257)
    assert np.asarray(gan_core.inpaint(deep, stroke_mask(40, 50), weights=tiny_weights)).dtype == np.uint8
    drawn_layer = np.zeros((40, 50, 4), np.uint8)
    drawn_layer[10:20, 10:20, 3] = 255  # a transparent layer with a painted square
    assert inference.as_mask_array(Image.fromarray(drawn_layer, "RGBA"), (40, 50)).sum() == 100


def test_clear_errors(tiny_weights, tmp_path):
    photo = striped_photo(40, 50, 0)
    with pytest.raises(ValueError, match="same size"):
        gan_core.inpaint(photo, np.ones((30, 50)), weights=tiny_weights)
    with pytest.raises(ValueError, match="empty"):
        gan_core.inpaint(photo, np.zeros((40, 50)), weights=tiny_weights)
    with pytest.raises(FileNotFoundError, match="not found"):
        gan_core.inpaint(photo, np.ones((40, 50)), weights=tmp_path / "missing.safetensors")
    with pytest.raises(ValueError, match="shape"):
        gan_core.inpaint(np.zeros((4, 4, 2)), np.ones((4, 4)), weights=tiny_weights)
    (tmp_path / "x.png").write_text("not an image")
    with pytest.raises(ValueError, match="not an image"):
        from gan_core.data import load_rgb
        load_rgb(tmp_path / "x.png")


def test_default_weights_are_shipped():
    path = inference.resolve_weights(None, "inpaint")
    assert path.exists() and path.parent.name == "weights"


def test_restore_tiles_without_seams(tmp_path, image_folder):
    """A restoration model that is the identity at init must give back the input through tiles exactly."""
    from gan_core.train import parse_args, train
    from tests.conftest import TINY
    train(parse_args(["--task", "sr2", "--data", str(image_folder), "--out", str(tmp_path / "run"), "--steps", "0",
                      "--export", "sr2-id", "--weights-dir", str(tmp_path), *TINY]))
    photo = striped_photo(150, 230, 4)
    tiled = inference.restore_detailed(photo, "sr2", tmp_path / "sr2-id.safetensors", tile=64, tile_pad=8)
    whole = inference.restore_detailed(photo, "sr2", tmp_path / "sr2-id.safetensors", tile=512, tile_pad=8)
    assert tiled.shape == (300, 460, 3)
    assert np.abs(tiled.astype(int) - whole.astype(int)).max() <= 1


def test_resolve_weights_looks_in_the_folder_it_is_given(tiny_restore_weights, tmp_path):
    assert inference.resolve_weights(None, "sr2", tiny_restore_weights) == tiny_restore_weights / "sr2.safetensors"
    assert inference.resolve_weights("denoise", "denoise", tiny_restore_weights).parent == tiny_restore_weights
    with pytest.raises(FileNotFoundError, match="no sr4 weights in"):
        inference.resolve_weights(None, "sr4", tiny_restore_weights)
