"""gan_core.mri.transfer and the mixed training batches: views of every size, contrast and phase."""
import numpy as np
import pytest

from gan_core.mri import transfer
from gan_core.mri.kspace import from_kspace
from gan_core.mri.train import MRITrainConfig, mixed_batch
from tests.mri.test_train import phantoms


@pytest.fixture
def no_photos(monkeypatch):
    """Transfer views from two synthetic grey images instead of the training photos."""
    rng = np.random.default_rng(0)
    images = (rng.random((300, 400), dtype=np.float32), np.tile(np.linspace(0, 1, 200, dtype=np.float32), (150, 1)))
    monkeypatch.setattr(transfer, "transfer_images", lambda: images)


def test_a_batch_keeps_its_pixels_level_whatever_the_side():
    rng = np.random.default_rng(0)
    for _ in range(20):
        count, side = transfer.batch_shape(rng)
        assert side in transfer.SIZES and count >= 1
        assert count * side ** 2 <= 2 * transfer.PIXELS_PER_BATCH


def test_views_are_square_in_range_and_brain_views_hold_brain():
    rng = np.random.default_rng(1)
    brain = phantoms(1)[0].image
    for side in (64, 160):
        view = transfer.random_view(brain, side, rng, foreground=0.2)
        assert view.shape == (side, side) and view.min() >= 0 and view.max() <= 1
        assert view.flags.c_contiguous


def test_contrast_changes_keep_the_background_dark_and_the_peak_in_range():
    rng = np.random.default_rng(2)
    brain = phantoms(1)[0].image
    looks = [transfer.vary_contrast(brain, rng) for _ in range(12)]
    assert all(look[0, 0] == 0 and 0.69 <= look.max() <= 1.0 for look in looks)
    assert len({round(float(look[brain > 0.5].mean()), 2) for look in looks}) > 3   # the contrast really varies


def test_the_smooth_phase_has_unit_modulus_and_leaves_the_magnitude():
    rng = np.random.default_rng(3)
    phase = transfer.smooth_phase(64, rng)
    assert np.allclose(np.abs(phase), 1, atol=1e-5)
    image = phantoms(1)[0].image
    assert np.allclose(np.abs(transfer.complex_view(image, rng, phase_share=1.0)), image, atol=1e-5)


def test_mixed_batches_hold_masked_kspace_of_their_targets(no_photos):
    cfg = MRITrainConfig(data="mixed", transfer=0.5, noise=0.0)
    rng = np.random.default_rng(4)
    rates = []
    for _ in range(6):
        kspace, mask, target = mixed_batch(phantoms(), cfg, rng)
        assert kspace.shape == mask.shape == target.shape[:1] + target.shape[2:]
        assert not kspace.numpy()[~mask.numpy()].any()                      # unmeasured lines are zero
        full = np.abs(from_kspace(kspace[0].numpy()))
        assert full.shape == target.shape[2:]
        rates += [float(m.float().mean()) for m in mask]
    assert 1 / 8.5 <= min(rates) and max(rates) <= 1 / 1.9 and max(rates) - min(rates) > 0.1   # 2x-8x
