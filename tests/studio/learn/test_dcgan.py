"""studio.learn.dcgan: the DCGAN's samples, its latent walk and its training story (skipped without its weights)."""
import numpy as np
import pytest
from PIL import Image

from studio.learn import dcgan


@pytest.fixture(scope="module")
def models():
    try:
        return dcgan.dcgan_models()
    except FileNotFoundError as error:
        pytest.skip(f"DCGAN weights missing, skipping: {error}")


def test_dcgan_sample_grid_has_the_right_size(models):
    path, note = dcgan.dcgan_samples(0)
    side = 2 * (dcgan.GRID * (32 + 2) + 2)         # 8 x 8 tiles of 32 px with 2 px gaps, shown at 2x
    assert Image.open(path).size == (side, side), note
    row, frame, _ = dcgan.dcgan_interpolate(1, 2, 0.5)
    assert Image.open(frame).size == (32 * dcgan.FRAME_SCALE,) * 2
    assert Image.open(row).size[0] == 3 * (dcgan.GRID * (32 + 2) + 2)


def test_the_same_seed_draws_the_same_garments(models):
    first, _ = dcgan.dcgan_samples(3)
    again, _ = dcgan.dcgan_samples(3)
    other, _ = dcgan.dcgan_samples(4)
    pictures = [np.asarray(Image.open(path)) for path in (first, again, other)]
    assert np.array_equal(pictures[0], pictures[1]) and not np.array_equal(pictures[0], pictures[2])


def test_training_story_has_curves_and_a_grid_per_step():
    losses, scores, slider, image, caption = dcgan.dcgan_story()
    if not dcgan.LOG.exists():
        pytest.skip("the training log is not shipped with this copy")
    assert set(losses["series"]) == {"D's loss", "G's loss"} and set(scores["series"]) == {"D(x)", "D(G(z))"}
    assert len(losses) > 10 and losses["step"].max() > losses["step"].min()
    grids = dcgan.story_grids()
    if grids:
        assert image is not None and f"of {len(grids)}" in caption


def test_missing_dcgan_weights_give_a_message_not_a_crash(monkeypatch):
    monkeypatch.setattr(dcgan, "WEIGHTS", "no-such-weights")
    image, note = dcgan.dcgan_samples(0)
    assert image is None and "not here yet" in note
