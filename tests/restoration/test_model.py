"""The restoration generator: every scale, the signal kept through its depth."""
import pytest
import torch

from gan_core.restoration.model import RestorationConfig, RestorationGenerator


@pytest.mark.parametrize("skips", [False, True])
@pytest.mark.parametrize("scale", [1, 2, 4])
def test_restoration_generator_scales(scale, skips):
    generator = RestorationGenerator(RestorationConfig(scale=scale, channels=8, n_convs=2, skips=skips))
    image = torch.rand(1, 3, 37, 61) * 2 - 1
    out = generator(image)
    assert out.shape == (1, 3, 37 * scale, 61 * scale)
    if scale == 1:  # the zero-initialised last layer: an untrained denoiser returns its input
        assert torch.allclose(out, image)


def test_restoration_body_keeps_the_signal_through_its_depth():
    """With PyTorch's default init the activations shrank ~10x per few layers and G learned nothing for
    hundreds of steps; He init for PReLU keeps them at the input's scale."""
    for skips in (False, True):
        generator = RestorationGenerator(RestorationConfig(scale=4, skips=skips))
        x = torch.randn(2, 3, 32, 32) * 0.5
        features = generator.body[:-1](x)
        assert features.std() > 0.25 * x.std()


def test_a_scale_other_than_1_2_or_4_is_a_clear_error():
    with pytest.raises(ValueError, match="scale"):
        RestorationGenerator(RestorationConfig(scale=3))
