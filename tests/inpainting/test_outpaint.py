import numpy as np
import pytest
from PIL import Image

import gan_core
from gan_core.inpainting import outpaint
from tests.conftest import striped_photo

TINY_SHIPPED = "inpaint-tiny-test"


def test_extend_grows_the_canvas_and_keeps_the_photo_bit_exact_in_place():
    photo = striped_photo(60, 80, 3)
    result = np.asarray(gan_core.extend(Image.fromarray(photo), left=10, top=7, right=30, bottom=5,
                                        weights=TINY_SHIPPED, step=16))
    assert result.shape == (60 + 7 + 5, 80 + 10 + 30, 3)
    assert np.array_equal(result[7:67, 10:90], photo)
    border = np.concatenate([result[:, :10].reshape(-1, 3), result[:, 90:].reshape(-1, 3),
                             result[:7].reshape(-1, 3), result[67:].reshape(-1, 3)])
    assert border.std(axis=0).min() > 2, "the border is filled, not one constant colour"
    assert not np.any(np.all(result[:, 90:] == 0, axis=2)), "no pixel of the border is left unfilled"


@pytest.mark.parametrize("mode", ["RGBA", "LA", "I;16", "L"])
def test_extend_keeps_the_mode_and_alpha(mode):
    rgb = striped_photo(40, 50, 1)
    if mode == "RGBA":
        photo = Image.fromarray(np.dstack([rgb, np.full((40, 50), 200, np.uint8)]), "RGBA")
    elif mode == "LA":
        photo = Image.fromarray(np.dstack([rgb[..., 0], np.full((40, 50), 200, np.uint8)]), "LA")
    elif mode == "I;16":
        photo = Image.fromarray(rgb[..., 0].astype(np.uint16) * 257 + 3)
    else:
        photo = Image.fromarray(rgb[..., 0])
    result = gan_core.extend(photo, right=20, bottom=10, weights=TINY_SHIPPED)
    assert result.mode == mode and result.size == (70, 50)
    assert np.array_equal(np.asarray(result)[:40, :50], np.asarray(photo))
    if mode in ("RGBA", "LA"):  # opacity continues from the photo's edge, where it is 200 everywhere
        assert np.all(np.asarray(result)[40:, :, -1] == 200)


def test_strips_cover_the_border_once_outwards_from_the_photo():
    sides = outpaint.Sides(left=5, top=3, right=9, bottom=0)
    covered = np.zeros((10 + 3, 20 + 5 + 9), int)
    covered[3:, 5:25] = 1
    for side, known, strip in outpaint.strips(sides, 20, 10, step=4):
        assert covered[known[0]:known[2], known[1]:known[3]].all(), "each strip sits beside filled pixels"
        covered[strip[0]:strip[2], strip[1]:strip[3]] += 1
    assert np.all(covered == 1)


def test_extend_refuses_bad_sizes_clearly():
    photo = striped_photo(40, 50, 0)
    with pytest.raises(ValueError, match="0 or more"):
        gan_core.extend(photo, left=-1, weights=TINY_SHIPPED)
    with pytest.raises(ValueError, match="at least one side"):
        gan_core.extend(photo, weights=TINY_SHIPPED)
    with pytest.raises(ValueError, match="photo's own width"):
        gan_core.extend(photo, right=51, weights=TINY_SHIPPED)
    with pytest.raises(ValueError, match="whole number"):
        gan_core.extend(photo, top=2.5, weights=TINY_SHIPPED)
    with pytest.raises(ValueError, match="over the limit"):
        outpaint.Sides(right=7000, bottom=5000).check(7000, 5000)
