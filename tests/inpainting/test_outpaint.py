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


# ----------------------------------------------------------------------------------------------------
# Learning the photo first


def test_extend_steps_learns_then_fills_and_keeps_the_photo_bit_exact():
    photo = striped_photo(48, 64, 2)
    updates = list(outpaint.extend_steps(photo, right=24, bottom=8, weights=TINY_SHIPPED, adapt=3, every=2))
    assert [step.step for step, _ in updates] == [0, 1, 2, 3] and all(step.steps == 3 for step, _ in updates)
    assert [result is not None for _, result in updates] == [True, False, True, True]
    assert not updates[0][0].stats and {"loss_g", "l1"} <= set(updates[1][0].stats)
    final = updates[-1][1]
    assert final.adapted == 3 and np.asarray(final.photo).shape == (56, 88, 3)
    assert np.array_equal(np.asarray(final.photo)[:48, :64], photo)
    learned = np.asarray(gan_core.extend(photo, right=24, bottom=8, weights=TINY_SHIPPED, adapt=3))
    assert np.array_equal(learned, np.asarray(final.photo)), "extend(adapt=N) is extend_steps' last fill"
    plain = np.asarray(gan_core.extend(photo, right=24, bottom=8, weights=TINY_SHIPPED))
    assert not np.array_equal(learned, plain), "learning changed the generator"


def test_stopping_extend_steps_early_keeps_the_last_border_drawn():
    photo = Image.fromarray(np.dstack([striped_photo(40, 50, 4), np.full((40, 50), 220, np.uint8)]), "RGBA")
    running = outpaint.extend_steps(photo, left=16, weights=TINY_SHIPPED, adapt=4, every=1)
    updates = [next(running) for _ in range(2)]
    running.close()
    kept = updates[-1][1]
    assert kept.adapted == 1 and kept.photo.mode == "RGBA" and kept.photo.size == (66, 40)
    assert np.array_equal(np.asarray(kept.photo)[:, 16:], np.asarray(photo))


@pytest.mark.parametrize("adapt", [False, 0])
def test_extend_without_learning_is_exactly_todays_extend(adapt):
    photo = striped_photo(40, 50, 5)
    steps = list(outpaint.extend_steps(photo, top=12, weights=TINY_SHIPPED, adapt=adapt))
    assert len(steps) == 1 and steps[0][0].steps == 0 and steps[0][1].adapted == 0
    today = np.asarray(gan_core.extend(photo, top=12, weights=TINY_SHIPPED))
    assert np.array_equal(np.asarray(steps[0][1].photo), today)
    assert np.array_equal(np.asarray(gan_core.extend(photo, top=12, weights=TINY_SHIPPED, adapt=adapt)), today)


def test_the_same_seed_learns_the_same_border():
    photo = striped_photo(40, 50, 6)
    first, second = (np.asarray(gan_core.extend(photo, right=16, weights=TINY_SHIPPED, adapt=2, seed=3))
                     for _ in range(2))
    assert np.array_equal(first, second)
