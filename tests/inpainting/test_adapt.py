"""gan_core.inpainting.adapt: the inpainter learns the photo in front of it, seeded, on a copy of the shipped
generator, and never from the pixels under the user's hole."""
import numpy as np
import pytest
import torch
from PIL import Image

from gan_core.core.device import load
from gan_core.inpainting import adapt as adapt_lib
from gan_core.inpainting import fill
from gan_core.inpainting.adapt import AdaptConfig
from gan_core.training import trainer as trainer_lib
from tests.conftest import striped_photo

pytestmark = pytest.mark.usefixtures("one_thread")   # tiny networks; also the thread count the seed promises under

WEIGHTS = "inpaint-tiny-test"
QUICK = AdaptConfig(batch_size=2, crop=64)            # a few steps of this take well under a second


def box_hole(height: int = 96, width: int = 96, box=(30, 40, 50, 70)) -> np.ndarray:
    top, left, bottom, right = box
    hole = np.zeros((height, width), np.uint8)
    hole[top:bottom, left:right] = 1
    return hole


def adapted_fill(photo, hole, steps: int = 2, seed: int = 0, config: AdaptConfig = QUICK, **options):
    return fill.fill(photo, hole, weights=WEIGHTS, adapt=steps, seed=seed, adapt_config=config, **options)


def snapshot(module: torch.nn.Module) -> dict:
    """Every parameter and buffer (spectral norm's vectors too), copied."""
    return {name: value.detach().clone() for name, value in module.state_dict().items()}


def same_weights(module: torch.nn.Module, before: dict) -> bool:
    state = module.state_dict()
    return state.keys() == before.keys() and all(torch.equal(state[name], value) for name, value in before.items())


def shipped():
    generator, discriminator, card = load(WEIGHTS, "inpaint")
    return generator, discriminator, card


# ----------------------------------------------------------------------------------------------------
# Seeded, and off means off


def test_the_same_seed_gives_the_same_fill_and_another_seed_another():
    photo, hole = striped_photo(96, 96, 1), box_hole()
    first = adapted_fill(photo, hole, seed=3)
    assert first.adapted == 2
    assert np.array_equal(first.image, adapted_fill(photo, hole, seed=3).image)
    assert not np.array_equal(first.image, adapted_fill(photo, hole, seed=4).image)


def test_the_fill_seed_wins_over_the_configs():
    photo, hole = striped_photo(96, 96, 1), box_hole()
    seeded = AdaptConfig(batch_size=2, crop=64, seed=99)
    assert np.array_equal(adapted_fill(photo, hole, seed=5, config=seeded).image,
                          adapted_fill(photo, hole, seed=5).image)


@pytest.mark.parametrize("off", [0, False, None])
def test_no_adaptation_is_bit_exactly_the_fill_of_the_shipped_generator(off):
    photo, hole = striped_photo(96, 96, 2), box_hole()
    today = fill.fill(photo, hole, weights=WEIGHTS)
    generator, discriminator, _ = shipped()
    crop = fill.fill_crop(generator, discriminator, photo, None, hole.astype(np.float32))
    expected = photo.copy()
    top, left, bottom, right = crop.box
    expected[top:bottom, left:right][crop.inside] = crop.colour[crop.inside]
    result = fill.fill(photo, hole, weights=WEIGHTS, adapt=off, seed=7, adapt_config=QUICK)
    assert result.adapted == 0 and np.array_equal(result.image, today.image)
    assert np.array_equal(result.image, expected)
    assert len(list(fill.fill_steps(photo, hole, weights=WEIGHTS, adapt=off))) == 1


# ----------------------------------------------------------------------------------------------------
# A copy learns; the shipped model does not


def test_the_adapted_generator_changes_and_the_shipped_one_does_not():
    generator, discriminator, card = shipped()
    generator_before, discriminator_before = snapshot(generator), snapshot(discriminator)
    photo, hole = striped_photo(96, 96, 3), box_hole()
    steps = list(adapt_lib.adapt(generator, discriminator, card, photo, hole, AdaptConfig(steps=2, batch_size=2,
                                                                                          crop=64)))
    assert [step.step for step in steps] == [0, 1, 2]
    adapted = steps[-1].generator
    assert adapted is not generator
    assert not same_weights(adapted, generator_before), "two steps of Adam must move the copy"
    assert same_weights(generator, generator_before) and same_weights(discriminator, discriminator_before)
    assert not generator.training and not discriminator.training


def test_a_fill_with_adaptation_leaves_the_cached_model_as_it_was():
    generator, discriminator, _ = shipped()
    generator_before, discriminator_before = snapshot(generator), snapshot(discriminator)
    photo, hole = striped_photo(96, 96, 3), box_hole()
    today = fill.fill(photo, hole, weights=WEIGHTS).image
    adapted_fill(photo, hole, steps=3)
    assert same_weights(generator, generator_before) and same_weights(discriminator, discriminator_before)
    assert np.array_equal(fill.fill(photo, hole, weights=WEIGHTS).image, today)


# ----------------------------------------------------------------------------------------------------
# The user's hole never reaches training (the leak test)


def final_generator_state(photo, hole, **options) -> tuple[dict, np.ndarray]:
    """The adapted generator's weights after the last step, and the fill."""
    for step, result in fill.fill_steps(photo, hole, weights=WEIGHTS, adapt=3, adapt_config=QUICK, every=0,
                                        **options):
        state = snapshot(step.generator)
    return state, result.image


def other_inside(photo: np.ndarray, hole: np.ndarray, colour_channels: int = 3) -> np.ndarray:
    """The same photo with every value inside the hole replaced (inverted, so as different as it gets)."""
    other = photo.copy()
    other[hole > 0, :colour_channels] = 255 - other[hole > 0, :colour_channels]
    return other


@pytest.mark.parametrize("options", [{}, {"working_side": 64, "margin": 16}], ids=["full-scale", "shrunk"])
def test_photos_that_differ_only_inside_the_hole_give_the_same_adapted_fill(options):
    photo, hole = striped_photo(96, 160, 4), box_hole(96, 160, (20, 50, 70, 110))
    state, image = final_generator_state(photo, hole, **options)
    other_state, other_image = final_generator_state(other_inside(photo, hole), hole, **options)
    assert state.keys() == other_state.keys()
    assert all(torch.equal(state[name], other_state[name]) for name in state), "the hole leaked into training"
    assert np.array_equal(image, other_image)
    assert not np.array_equal(image, fill.fill(photo, hole, weights=WEIGHTS, **options).image), "it did adapt"


def test_hole_pixels_do_not_leak_through_the_colour_under_transparent_pixels():
    """Transparent pixels take the colour of the nearest visible one: never one inside the hole."""
    rgb = striped_photo(96, 96, 5)
    alpha = np.full((96, 96), 255, np.uint8)
    alpha[:, 60:] = 0                                   # transparent right of the hole's middle
    hole = box_hole(box=(30, 40, 50, 62))               # its visible part is the nearest for pixels beyond
    photo = np.dstack([rgb, alpha])
    for steps in (0, 2):
        first = adapted_fill(Image.fromarray(photo, "RGBA"), hole, steps=steps)
        second = adapted_fill(Image.fromarray(other_inside(photo, hole), "RGBA"), hole, steps=steps)
        assert np.array_equal(np.asarray(first.photo), np.asarray(second.photo)), f"leak with adapt={steps}"


def test_training_batches_see_nothing_of_the_hole():
    """What G is shown and charged for: the photo's known pixels only, the user's hole always hidden."""
    generator, discriminator, card = shipped()
    photo, hole = striped_photo(96, 96, 6), box_hole()
    seen = []
    original = adapt_lib.training_batch

    def recording(*args):
        batch = original(*args)
        seen.append(batch)
        return batch

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(adapt_lib, "training_batch", recording)
        for _ in adapt_lib.adapt(generator, discriminator, card, photo, hole, AdaptConfig(steps=3, batch_size=2,
                                                                                        crop=64)):
            pass
    assert len(seen) == 3
    for crops, hidden, targets, unknown in seen:
        assert torch.all(crops[unknown.expand_as(crops) > 0] == 0), "no photo value under the user's hole"
        assert torch.all(hidden >= unknown) and torch.all(targets * unknown == 0)
        assert targets.sum() > 0, "a training hole in the known pixels"


# ----------------------------------------------------------------------------------------------------
# Clear errors


def test_an_empty_mask_and_a_full_mask_are_refused_clearly():
    photo = striped_photo(96, 96, 0)
    with pytest.raises(ValueError, match="empty"):
        adapted_fill(photo, np.zeros((96, 96), np.uint8))
    with pytest.raises(ValueError, match="whole photo"):
        adapted_fill(photo, np.ones((96, 96), np.uint8))
    generator, discriminator, card = shipped()
    with pytest.raises(ValueError, match="empty"):
        next(adapt_lib.adapt(generator, discriminator, card, photo, np.zeros((96, 96)), QUICK))


@pytest.mark.parametrize("bad", [{"losses": "l2"}, {"critic": "friendly"}, {"holes": "circles"},
                                 {"precision": "fp16"}, {"steps": -1}, {"batch_size": 0}, {"crop": 32},
                                 {"lr_g": 0}, {"lr_d": -1e-4}])
def test_invalid_settings_are_refused(bad):
    with pytest.raises(ValueError):
        AdaptConfig(**bad)


@pytest.mark.parametrize("adapt", [-1, 2.5, "3"])
def test_an_invalid_number_of_steps_is_refused(adapt):
    with pytest.raises(ValueError, match="adapt must be"):
        fill.fill(striped_photo(96, 96, 0), box_hole(), weights=WEIGHTS, adapt=adapt)


# ----------------------------------------------------------------------------------------------------
# Step by step


def test_fill_steps_yields_every_step_with_a_fill_at_the_start_every_k_and_the_end():
    photo, hole = striped_photo(96, 96, 7), box_hole()
    items = list(fill.fill_steps(photo, hole, weights=WEIGHTS, adapt=5, adapt_config=QUICK, every=2))
    assert [step.step for step, _ in items] == [0, 1, 2, 3, 4, 5]
    assert all(step.steps == 5 for step, _ in items)
    filled = {step.step: result for step, result in items if result is not None}
    assert sorted(filled) == [0, 2, 4, 5]
    assert all(result.adapted == step for step, result in filled.items())
    assert all(stats for stats in (step.stats for step, _ in items[1:])), "each update reports its losses"
    assert np.array_equal(filled[0].image, fill.fill(photo, hole, weights=WEIGHTS).image), "step 0: the shipped G"
    assert np.array_equal(filled[5].image, adapted_fill(photo, hole, steps=5).image)
    assert filled[5].seconds >= filled[0].seconds


def test_stopping_early_keeps_the_fill_reached_so_far():
    photo, hole = striped_photo(96, 96, 8), box_hole()
    generator, discriminator, _ = shipped()
    before = snapshot(generator)
    last = None
    for step, result in fill.fill_steps(photo, hole, weights=WEIGHTS, adapt=50, adapt_config=QUICK, every=2):
        last = result or last
        if step.step == 2:
            break
    assert last.adapted == 2
    assert np.array_equal(last.image, adapted_fill(photo, hole, steps=2).image)
    assert same_weights(generator, before)


# ----------------------------------------------------------------------------------------------------
# The critic: adapted, frozen or left out


@pytest.fixture
def trainers(monkeypatch) -> list:
    """The Trainers adaptation builds, kept so a test can look at their networks."""
    made = []

    class Recording(trainer_lib.Trainer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(trainer_lib, "Trainer", Recording)
    return made


@pytest.mark.parametrize("critic", ["adapted", "frozen", "none"])
def test_the_critic_learns_only_when_adapted(trainers, critic):
    generator, discriminator, card = shipped()
    before = snapshot(discriminator)
    config = AdaptConfig(steps=2, batch_size=2, crop=64, losses="game", critic=critic)
    for step in adapt_lib.adapt(generator, discriminator, card, striped_photo(96, 96, 9), box_hole(), config):
        pass
    (trainer,) = trainers
    assert not same_weights(step.generator, snapshot(generator)), "G learns whatever the critic does"
    if critic == "none":
        assert trainer.discriminator is None
        return
    assert trainer.discriminator is not discriminator
    assert same_weights(trainer.discriminator, before) == (critic == "frozen")
    assert (trainer.opt_d is None) == (critic == "frozen")
    assert same_weights(discriminator, before), "the shipped critic never learns"


@pytest.mark.parametrize("settings", [{"losses": "l1"}, {"holes": "strokes"}, {"precision": "fp32"}])
def test_the_other_choices_adapt_too(settings):
    photo, hole = striped_photo(96, 96, 10), box_hole()
    config = AdaptConfig(batch_size=2, crop=64, **settings)
    result = adapted_fill(photo, hole, config=config)
    assert result.adapted == 2 and np.array_equal(result.image[hole == 0], photo[hole == 0])
    assert np.array_equal(result.image, adapted_fill(photo, hole, config=config).image)


# ----------------------------------------------------------------------------------------------------
# Keeping the plain fill's detail


def test_keep_detail_takes_coarse_from_the_adapted_and_fine_from_the_plain_fill():
    rng = np.random.default_rng(0)
    plain = rng.integers(108, 148, (64, 64, 3)).astype(np.uint8)        # all fine detail
    adapted = np.full((64, 64, 3), 90, np.uint8)                        # all coarse, another level
    mixed = fill.keep_detail(adapted, plain, 2.0).astype(np.float32)
    assert abs(mixed.mean() - 90) < 2, "the coarse level is the adapted fill's"
    assert np.corrcoef(mixed.ravel(), plain.astype(np.float32).ravel())[0, 1] > 0.9, "the texture is the plain fill's"
    assert np.array_equal(fill.keep_detail(plain, plain, 2.0), plain)


def test_keep_detail_zero_gives_the_adapted_fill_itself():
    photo, hole = striped_photo(96, 96, 11), box_hole()
    kept = adapted_fill(photo, hole, config=AdaptConfig(batch_size=2, crop=64, keep_detail=2.0))
    raw = adapted_fill(photo, hole, config=AdaptConfig(batch_size=2, crop=64, keep_detail=0.0))
    inside = hole > 0
    assert np.array_equal(kept.image[~inside], raw.image[~inside])
    assert not np.array_equal(kept.image[inside], raw.image[inside])
