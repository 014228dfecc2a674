"""The inpainting generator: any size, the coarse fill it starts from, the refinement, the symmetry ensemble."""
import pytest
import torch

from gan_core.core.layers import count_parameters
from gan_core.inpainting.model import InpaintConfig, InpaintGenerator, push_pull_fill


@pytest.mark.parametrize("block", ["ffc", "dilated"])
@pytest.mark.parametrize("size", [(37, 61), (513, 700)])
def test_inpaint_generator_keeps_any_size(block, size):
    generator = InpaintGenerator(InpaintConfig(channels=8, n_blocks=2, block=block)).eval()
    image, mask = torch.rand(1, 3, *size) * 2 - 1, torch.zeros(1, 1, *size)
    mask[..., 5:20, 5:30] = 1
    with torch.no_grad():
        assert generator(image, mask).shape == (1, 3, *size)


def test_untrained_generator_starts_at_the_coarse_fill():
    """The zero-initialised head makes training start exactly at the push-pull fill."""
    generator = InpaintGenerator(InpaintConfig(channels=8, n_blocks=1)).eval()
    image, mask = torch.rand(1, 3, 32, 48) * 2 - 1, torch.zeros(1, 1, 32, 48)
    mask[..., 8:20, 10:30] = 1
    with torch.no_grad():
        assert torch.allclose(generator(image, mask), push_pull_fill(image * (1 - mask), mask), atol=1e-6)


def test_refinement_starts_as_the_identity_and_then_learns():
    """A new full-resolution refinement leaves the fill unchanged until training moves its zeroed last layer."""
    plain = InpaintGenerator(InpaintConfig(channels=8, n_blocks=1)).eval()
    refined = InpaintGenerator(InpaintConfig(channels=8, n_blocks=1, refine=4)).eval()
    refined.load_state_dict(plain.state_dict(), strict=False)
    image, mask = torch.rand(1, 3, 40, 56) * 2 - 1, torch.zeros(1, 1, 40, 56)
    mask[..., 8:30, 10:40] = 1
    with torch.no_grad():
        assert torch.equal(refined(image, mask), plain(image, mask))
        torch.nn.init.normal_(refined.refine[-1].weight, std=0.1)
        assert not torch.allclose(refined(image, mask), plain(image, mask))


@pytest.mark.parametrize("hole_only", [False, True])
def test_refine_known_shows_the_refinement_the_image_around_the_hole_and_the_body_inside_it(hole_only):
    generator = InpaintGenerator(InpaintConfig(channels=8, n_blocks=1, refine=4, refine_known=True)).eval()
    torch.nn.init.normal_(generator.head.weight, std=0.1)        # the body's guess now differs from the image
    seen = []
    generator.refine[0].register_forward_pre_hook(lambda module, inputs: seen.append(inputs[0]))
    image, mask = torch.rand(1, 3, 40, 56) * 2 - 1, torch.zeros(1, 1, 40, 56)
    mask[..., 12:16, 4:50] = 1                                   # a thin crack: the box is the crack and 2 px
    with torch.no_grad():
        generator(image, mask, hole_only=hole_only)
        body = InpaintGenerator(InpaintConfig(channels=8, n_blocks=1)).eval()
        body.load_state_dict(generator.state_dict(), strict=False)
        guess = body(image, mask)
    box = (..., slice(10, 18), slice(2, 52)) if hole_only else (...,)
    shown, hole = seen[0][:, :3], (seen[0][:, 3:] > 0).expand(-1, 3, -1, -1)
    assert torch.equal(shown[~hole], image[box][~hole]) and torch.equal(shown[hole], guess[box][hole])


def test_push_pull_fill_keeps_known_pixels_and_fills_from_them():
    image = torch.zeros(1, 3, 16, 16)
    image[..., :8] = 1.0
    mask = torch.zeros(1, 1, 16, 16)
    mask[..., 6:10, 6:10] = 1
    filled = push_pull_fill(image * (1 - mask), mask)
    assert torch.equal(filled[mask.expand_as(filled) == 0], image[mask.expand_as(image) == 0])
    hole = filled[..., 6:10, 6:10]
    assert hole.min() > -0.01 and hole.max() < 1.01 and hole[..., :, 0].mean() > hole[..., :, -1].mean()


def test_default_inpainter_is_cpu_sized():
    assert 0.5e6 < count_parameters(InpaintGenerator()) < 6e6


def test_the_inference_up_path_computes_the_same_convolution_without_upsampling():
    from gan_core.inpainting.model import conv_on_upsampled
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(12, 5, 3, 1, 1, padding_mode="reflect")
    x, skip = torch.randn(2, 8, 7, 9), torch.randn(2, 4, 14, 18)
    upsampled = torch.nn.functional.interpolate(x, size=(14, 18), mode="nearest")
    expected = conv(torch.cat([upsampled, skip], 1))
    assert torch.allclose(conv_on_upsampled(x, skip, conv), expected, atol=1e-5)


def test_an_inpainter_fills_the_same_in_training_and_inference_mode():
    torch.manual_seed(0)
    generator = InpaintGenerator(InpaintConfig(channels=8, n_blocks=1, refine=4))
    for p in generator.parameters():   # the head and refinement start at zero: give every layer a say
        torch.nn.init.normal_(p, std=0.1)
    image, mask = torch.rand(1, 3, 40, 56) * 2 - 1, torch.zeros(1, 1, 40, 56)
    mask[..., 10:30, 5:20] = 1
    with torch.no_grad():
        fast = generator.eval()(image, mask)
        plain = generator.train()(image, mask)
    assert torch.allclose(fast, plain, atol=1e-5)


def random_ensemble(flips: int):
    """A small generator with random weights (so no pass is symmetric), a non-square image and a hole."""
    torch.manual_seed(0)
    generator = InpaintGenerator(InpaintConfig(channels=8, n_blocks=1, refine=4, flips=flips))
    for p in generator.parameters():
        torch.nn.init.normal_(p, std=0.1)
    image, mask = torch.rand(1, 3, 40, 56) * 2 - 1, torch.zeros(1, 1, 40, 56)
    mask[..., 10:30, 5:20] = 1
    return generator, image, mask


def test_a_flip_ensemble_averages_the_mirrored_fills_out_of_training_only():
    generator, image, mask = random_ensemble(flips=4)
    with torch.no_grad():
        passes = [generator.predict(image, mask, True)]
        passes += [generator.predict(image.flip(d), mask.flip(d), True).flip(d) for d in [(3,), (2,), (2, 3)]]
        assert not torch.allclose(passes[0], passes[1], atol=1e-3)   # the network is not mirror-symmetric
        ensemble = generator.eval()(image, mask, hole_only=True)
        assert torch.allclose(ensemble, sum(passes) / 4, atol=1e-5)
        assert torch.allclose(generator.train()(image, mask), generator.predict(image, mask), atol=1e-6)


def test_an_eight_symmetry_ensemble_adds_the_transposed_mirrors():
    """flips 8: the four mirrors and the same four transposed (a non-square image turns sideways and back)."""
    generator, image, mask = random_ensemble(flips=8)
    with torch.no_grad():
        passes = []
        for d in [(), (3,), (2,), (2, 3)]:
            passes.append(generator.predict(image.flip(d), mask.flip(d), True).flip(d))
            turned = generator.predict(image.flip(d).transpose(2, 3), mask.flip(d).transpose(2, 3), True)
            passes.append(turned.transpose(2, 3).flip(d))
        assert not torch.allclose(passes[0], passes[1], atol=1e-3)   # nor is it symmetric about the diagonal
        ensemble = generator.eval()(image, mask, hole_only=True)
        assert ensemble.shape == image.shape
        assert torch.allclose(ensemble, sum(passes) / 8, atol=1e-5)


def test_bad_configs_are_clear_errors():
    with pytest.raises(ValueError, match="block"):
        InpaintGenerator(InpaintConfig(block="gated"))
    with pytest.raises(ValueError, match="flips"):
        InpaintGenerator(InpaintConfig(flips=3))
