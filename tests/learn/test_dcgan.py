"""gan_core.learn.dcgan's helpers for showing samples: the latent walk and the picture of a batch (make_grid)."""
import numpy as np
import torch

from gan_core.learn import dcgan
from gan_core.learn.dcgan import DCGANConfig, DCGANDiscriminator, DCGANGenerator


def test_to_picture_lays_out_a_grid_on_grey():
    images = torch.stack([torch.full((1, 4, 4), value) for value in (-1.0, 0.0, 1.0)])
    picture = dcgan.to_picture(images, columns=2, padding=1)
    assert picture.shape == (2 * 5 + 1, 2 * 5 + 1, 3) and picture.dtype == np.uint8
    assert (picture[1:5, 1:5] == 0).all() and (picture[1:5, 6:10] == 128).all() and (picture[6:10, 1:5] == 255).all()
    assert (picture[0] == 60).all() and (picture[6:10, 6:10] == 60).all()   # the gaps and the empty cell
    assert dcgan.to_picture(images[0]).shape == (4, 4, 3)


def test_walk_starts_and_ends_at_the_seeded_samples():
    generator = DCGANGenerator(DCGANConfig(g_width=8))
    frames = dcgan.walk(generator, 1, 2, [0.0, 0.5, 1.0])
    ends = dcgan.generate(generator, dcgan.project_to_sphere(torch.cat([dcgan.seeded_noise(1, 1),
                                                                        dcgan.seeded_noise(2, 1)])))
    assert frames.shape == (3, 1, 32, 32)
    assert torch.allclose(frames[0], ends[0], atol=1e-5) and torch.allclose(frames[2], ends[1], atol=1e-5)


def test_dcgan_shapes():
    generator, critic = DCGANGenerator(), DCGANDiscriminator()
    images = generator(torch.randn(5, 100))
    assert images.shape == (5, 1, 32, 32) and images.abs().max() <= 1
    logits, _ = critic(images)
    assert logits.shape == (5,)


def test_dcgan_noise_and_interpolation():
    from gan_core.learn import dcgan
    z_a, z_b = dcgan.seeded_noise(1, 1), dcgan.seeded_noise(2, 1)
    assert torch.equal(z_a, dcgan.seeded_noise(1, 1)) and not torch.equal(z_a, z_b)
    path = dcgan.interpolate(z_a, z_b, torch.tensor([0.0, 0.5, 1.0]))
    assert torch.allclose(path.norm(dim=1), torch.full((3,), 10.0), atol=1e-4)  # on the sphere |z| = sqrt(100)
    assert torch.allclose(path[0], dcgan.project_to_sphere(z_a)[0], atol=1e-5)
    images = dcgan.generate(DCGANGenerator(), path)
    assert images.shape == (3, 1, 32, 32) and images.abs().max() <= 1
