import numpy as np
import pytest

from gan_core.inpainting import masks


@pytest.mark.parametrize("size", ["small", "medium", "large"])
def test_mask_of_size_lands_in_its_class_and_is_reproducible(size):
    a = masks.mask_of_size(200, 300, size, np.random.default_rng(7))
    b = masks.mask_of_size(200, 300, size, np.random.default_rng(7))
    assert np.array_equal(a, b)
    low, high = masks.MASK_SIZES[size]
    assert low <= a.mean() < high
    assert set(np.unique(a)) <= {0.0, 1.0}


def test_training_masks_cover_between_1_and_50_percent():
    rng = np.random.default_rng(0)
    areas = [masks.training_mask(128, 128, rng).mean() for _ in range(50)]
    assert min(areas) > 0.01 and max(areas) < 0.5
    assert np.std(areas) > 0.03  # a real mix of sizes


def test_the_wide_mix_has_more_large_holes_than_the_photo_mix():
    rng = np.random.default_rng(2)
    photo = np.array([masks.TRAINING_MASKS["photo"](96, 128, rng).mean() for _ in range(300)])
    wide = np.array([masks.TRAINING_MASKS["wide"](96, 128, rng).mean() for _ in range(300)])
    assert 0.01 < wide.min() and wide.max() < 0.5
    assert np.mean(wide > 0.3) > 1.5 * np.mean(photo > 0.3)
    dense = masks.dense_strokes(96, 128, np.random.default_rng(3), low=0.3, high=0.31)
    assert dense.mean() >= 0.3 and set(np.unique(dense)) <= {0.0, 1.0}


def test_thick_presets_cover_more_than_thin_ones_and_boxes_draw_something():
    rng = np.random.default_rng(1)
    thin = np.mean([masks.preset_strokes(256, 256, rng, "thin").mean() for _ in range(20)])
    thick = np.mean([masks.preset_strokes(256, 256, rng, "thick").mean() for _ in range(20)])
    assert thin < thick
    assert masks.boxes(64, 64, rng).any()
    with pytest.raises(ValueError):
        masks.preset_strokes(10, 10, rng, "huge")


def test_user_masks_are_binarised_and_grown():
    painted = np.zeros((21, 21), np.uint8)
    painted[10, 10] = 3  # a faint anti-aliased pixel still means "fill"
    cleaned = masks.clean_user_mask(painted)
    assert cleaned.sum() == 1 and cleaned.dtype == np.float32
    grown = masks.clean_user_mask(painted, grow=3)
    assert grown[10, 7] == 1 and grown[10, 13] == 1 and grown[10, 5] == 0
    rgba = np.zeros((5, 5, 4), np.uint8)
    rgba[2, 2, 3] = 255
    assert masks.clean_user_mask(rgba).sum() == 1
