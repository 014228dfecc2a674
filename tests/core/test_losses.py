import pytest
import torch
import torch.nn.functional as F

from gan_core.core import losses


def test_minimax_matches_the_formula():
    """D's loss is -(log D(x) + log(1 - D(G(z)))) and G's is log(1 - D(G(z))), D = sigmoid(logit)."""
    d_real, d_fake = torch.tensor([0.3, -1.2]), torch.tensor([0.5, 2.0])
    p_real, p_fake = torch.sigmoid(d_real), torch.sigmoid(d_fake)
    expected_d = -(torch.log(p_real).mean() + torch.log(1 - p_fake).mean())
    assert torch.allclose(losses.d_loss("minimax", d_real, d_fake), expected_d, atol=1e-6)
    assert torch.allclose(losses.g_loss("minimax", d_fake), torch.log(1 - p_fake).mean(), atol=1e-6)
    assert torch.allclose(losses.g_loss("nonsaturating", d_fake), -torch.log(p_fake).mean(), atol=1e-6)


def test_losses_are_finite_for_extreme_logits():
    big = torch.tensor([1e4, -1e4])
    for kind in losses.GAN_LOSSES:
        assert torch.isfinite(losses.d_loss(kind, big, -big))
        assert torch.isfinite(losses.g_loss(kind, big))


def test_hinge_is_zero_when_the_margin_is_met():
    assert losses.d_loss("hinge", torch.tensor([2.0]), torch.tensor([-3.0])).item() == 0.0
    assert losses.g_loss("hinge", torch.tensor([1.5])).item() == -1.5


def test_saturation_of_the_minimax_generator_loss():
    """When D confidently rejects fakes, minimax G gets almost no gradient; non-saturating still does."""
    d_fake = torch.tensor([-8.0], requires_grad=True)
    (grad_minimax,) = torch.autograd.grad(losses.g_loss("minimax", d_fake), d_fake)
    (grad_ns,) = torch.autograd.grad(losses.g_loss("nonsaturating", d_fake), d_fake)
    assert abs(grad_minimax.item()) < 1e-3 < abs(grad_ns.item())


def test_masked_l1_is_the_mean_over_hole_pixels_and_channels_whatever_the_hole_size():
    fake, real = torch.zeros(2, 3, 4, 4), torch.ones(2, 3, 4, 4)
    real[:, :, 0, 0] = 3.0  # the one hole pixel is off by 3, every other pixel by 1
    small_hole = torch.zeros(2, 1, 4, 4)
    small_hole[:, :, 0, 0] = 1
    assert losses.masked_l1(fake, real, small_hole).item() == 3.0
    assert losses.masked_l1(fake, real, torch.ones(2, 1, 4, 4)).item() == losses.masked_l1(fake, real).item()
    assert losses.masked_l1(fake, real, torch.zeros(2, 1, 4, 4)).item() == 0.0  # no hole: nothing to pay


def test_feature_matching_and_gradient_penalty():
    a, b = torch.zeros(1, 1, 2, 2), torch.ones(1, 1, 2, 2)
    assert losses.feature_matching([a], [b]).item() == 1.0
    critic = torch.nn.Linear(2, 1)
    assert losses.gradient_penalty(critic, torch.randn(4, 2), torch.randn(4, 2)).item() >= 0


def test_unknown_loss_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown GAN loss"):
        losses.d_loss("nope", torch.zeros(1), torch.zeros(1))


def test_ssim_loss_prefers_aligned_detail_to_a_smear_and_a_smear_to_misplaced_texture():
    """Inside the hole: 0 for the photo itself, a blur costs something, unaligned texture costs more."""
    stripes = torch.sin(torch.arange(64.0) / 2).expand(1, 3, 64, 64).contiguous()
    hole = torch.zeros(1, 1, 64, 64)
    hole[..., 16:48, 16:48] = 1
    smeared = F.avg_pool2d(stripes, 7, 1, 3, count_include_pad=False)
    shifted = torch.roll(stripes, 3, dims=-1)  # as much texture, out of phase
    assert losses.ssim_loss(stripes, stripes, hole).item() < 1e-6
    assert 0 < losses.ssim_loss(smeared, stripes, hole) < losses.ssim_loss(shifted, stripes, hole)
    filled = smeared * hole + stripes * (1 - hole)  # the whole image counts the untouched outside too
    assert losses.ssim_loss(filled, stripes).item() < losses.ssim_loss(filled, stripes, hole).item()


def test_ssim_loss_counts_every_window_that_sees_the_hole_and_no_other():
    """Windows centred up to 3 px outside the hole straddle the seam and count; farther ones do not."""
    torch.manual_seed(0)
    real = torch.rand(1, 3, 24, 24) * 2 - 1
    hole = torch.zeros(1, 1, 24, 24)
    hole[..., 10:14, 10:14] = 1
    fake = real.clone()
    fake[..., 10:14, 10:14] = 0.0  # a flat fill: only windows overlapping rows/cols 10..13 differ
    from torchmetrics.functional.image import structural_similarity_index_measure
    _, ssim_map = structural_similarity_index_measure(fake, real, gaussian_kernel=False, kernel_size=7, data_range=2.0,
                                                      reduction="none", return_full_image=True)
    seen = torch.zeros(24, 24, dtype=torch.bool)
    for y in range(24):
        for x in range(24):  # the 7x7 window centred at (y, x) holds a hole pixel
            seen[y, x] = hole[0, 0, max(0, y - 3):y + 4, max(0, x - 3):x + 4].any()
    assert seen.sum() == 10 * 10  # the 4x4 hole grown by 3 on every side
    expected = 1 - ssim_map[0][:, seen].mean()
    assert torch.allclose(losses.ssim_loss(fake, real, hole), expected, atol=1e-6)


def test_grain_charges_texture_added_where_the_photo_is_calm_and_detail_texture_missing_where_it_is_busy():
    from gan_core.core.losses import detail_loss, grain_loss
    torch.manual_seed(0)
    photo = torch.zeros(1, 3, 64, 64)
    photo[..., 32:] = torch.rand(1, 1, 64, 32).expand(1, 3, 64, 32) - 0.5   # left: a flat wall; right: texture
    hole = torch.zeros(1, 1, 64, 64)
    hole[..., 8:56, 8:56] = 1
    smear = photo.clone()
    smear[..., 32:] = photo[..., 32:].mean()                                  # the texture smoothed away
    dots = photo + 0.3 * torch.randn(1, 1, 64, 64).expand(1, 3, 64, 64)      # noise over wall and texture
    assert grain_loss(photo, photo, hole) == 0 and detail_loss(photo, photo, hole) == 0
    assert detail_loss(smear, photo, hole) > 5 and grain_loss(smear, photo, hole) < 1e-3
    assert grain_loss(dots, photo, hole) > 5 and detail_loss(dots, photo, hole) < 0.1 * detail_loss(smear, photo, hole)
