import numpy as np
import pytest

from gan_core.photos import classical
from gan_core.core import metrics
from gan_core.core import tasks


def textured(height=120, width=160, seed=0):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([120 + 60 * np.sin(x / 9.0), 110 + 50 * np.cos(y / 7.0), 90 + 40 * np.sin((x + y) / 11.0)], -1)
    return np.clip(base + rng.normal(0, 3, base.shape), 0, 255).astype(np.uint8)


def box(shape, top, left, bottom, right):
    mask = np.zeros(shape, np.float32)
    mask[top:bottom, left:right] = 1
    return mask


@pytest.mark.parametrize("name", [method.name for method in tasks.get("inpaint").classical])
def test_every_inpainting_method_keeps_known_pixels_and_fills_the_hole(name):
    image = textured()
    mask = box(image.shape[:2], 40, 50, 80, 110)
    result = classical.INPAINT_METHODS[name](image, mask)
    known = mask == 0
    assert result.shape == image.shape and result.dtype == np.uint8
    assert np.array_equal(result[known], image[known]), "known pixels must come back bit-exact"
    assert metrics.psnr(image, result, mask) > 12, "the fill should resemble the smooth pattern around it"


def test_slow_methods_work_on_a_crop_around_the_hole():
    calls = []
    image = textured(300, 400)

    def spy(crop, hole):
        calls.append(crop.shape)
        return np.zeros_like(crop)

    result = classical.around_hole(spy, image, box(image.shape[:2], 100, 150, 120, 170), margin=10)
    assert calls == [(40, 40, 3)]
    assert (result[100:120, 150:170] == 0).all() and np.array_equal(result[:100], image[:100])


def test_patchmatch_refuses_photos_smaller_than_its_patches():
    with pytest.raises(ValueError, match="at least 16 px"):
        classical.patchmatch(textured(8, 100), box((8, 100), 2, 2, 5, 5))
