"""Latent-search inpainting with a small untrained DCGAN: fast, and needs no data set except where marked."""
import dataclasses
import json

import numpy as np
import pytest
import torch

from gan_core.photos import data as data_lib
from gan_core.learn.dcgan import DCGANConfig, DCGANDiscriminator, DCGANGenerator
from gan_core.learn.latent_search import LatentSearchConfig, importance_weights, latent_inpaint, mean_image_fill, paste, poisson_blend

SMALL = DCGANConfig(g_width=8, d_width=8)
FAST = LatentSearchConfig(steps=30, restarts=4, lr=0.1, callback_every=10)


def has_fashion_mnist() -> bool:
    try:
        data_lib.find_fashion_mnist("test")
        return True
    except FileNotFoundError:
        return False


needs_fashion_mnist = pytest.mark.skipif(
    not has_fashion_mnist(), reason="Fashion-MNIST is not installed in /usr/share/datasets/fashion-mnist; "
                                    "run `bash scripts/get_data.sh` (Debian package dataset-fashion-mnist)")


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """The tensors here are tiny: one thread is fastest, and far faster when other jobs hold the cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def calibrate_batch_norm(model: torch.nn.Module, batch: torch.Tensor) -> None:
    """Set batch norm's running statistics to those of one batch, then switch to eval mode."""
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None  # cumulative average: after one batch, exactly its statistics
    with torch.no_grad():
        model.train()(batch)
    model.eval()


@pytest.fixture(scope="module")
def models():
    """An untrained small DCGAN with batch-norm statistics from one batch, so that in eval mode its images
    vary with z as a trained one's do (with the initial statistics they are nearly flat)."""
    torch.manual_seed(0)
    generator, discriminator = DCGANGenerator(SMALL), DCGANDiscriminator(SMALL)
    calibrate_batch_norm(generator, torch.randn(256, SMALL.noise_dim))
    with torch.no_grad():
        calibrate_batch_norm(discriminator, generator(torch.randn(256, SMALL.noise_dim)))
    return generator, discriminator


@pytest.fixture(scope="module")
def target(models):
    """An image the generator can make (from a z the search does not start at) and a square hole in it."""
    generator, _ = models
    with torch.no_grad():
        image = generator(torch.randn(1, SMALL.noise_dim, generator=torch.Generator().manual_seed(99)))[0]
    mask = torch.zeros(1, 32, 32)
    mask[:, 10:22, 8:20] = 1.0
    return image, mask


def test_search_lowers_the_context_loss(models, target):
    result = latent_inpaint(*models, *target, FAST)
    contexts = [h["context"] for h in result.history]
    assert len(contexts) == FAST.steps
    assert contexts[-1] < 0.7 * contexts[0]
    assert result.filled.shape == result.generated.shape == (1, 32, 32)
    assert result.z.shape == (SMALL.noise_dim,)
    assert torch.allclose(result.z.norm(), torch.tensor(SMALL.noise_dim ** 0.5), rtol=1e-4)


def test_search_is_repeatable_and_leaves_the_models_as_it_found_them(models, target):
    generator, discriminator = models
    generator.train()  # a UI might hand over a model in either mode
    before = [p.clone() for p in generator.parameters()]
    first = latent_inpaint(generator, discriminator, *target, dataclasses.replace(FAST, steps=5))
    assert generator.training and all(p.requires_grad for p in generator.parameters())
    assert all(p.grad is None for p in generator.parameters())
    assert all(torch.equal(a, b) for a, b in zip(before, generator.parameters()))
    generator.eval()
    second = latent_inpaint(generator, discriminator, *target, dataclasses.replace(FAST, steps=5))
    assert torch.equal(first.filled, second.filled)


@pytest.mark.parametrize("blend", ["poisson", "paste"])
def test_fill_keeps_known_pixels_exactly(models, target, blend):
    image, mask = target
    result = latent_inpaint(*models, image, mask, dataclasses.replace(FAST, steps=3, blend=blend))
    known = mask == 0
    assert torch.equal(result.filled[known], image[known])
    assert not torch.equal(result.filled[~known], image[~known])


def test_poisson_blend_removes_a_brightness_offset():
    """If G(z) is the image plus a constant, Poisson blending bends it back to the image exactly."""
    image = torch.linspace(-0.8, 0.8, 32 * 32).view(1, 1, 32, 32)
    mask = torch.zeros(1, 1, 32, 32)
    mask[..., 12:20, 12:20] = 1.0
    blended = poisson_blend(image, image + 0.3, mask)
    assert torch.allclose(blended, image, atol=1e-3)
    pasted = paste(image, image + 0.3, mask)
    assert torch.allclose((pasted - image)[mask > 0], torch.tensor(0.3))


def test_importance_weights_favour_known_pixels_next_to_the_hole():
    mask = torch.zeros(1, 1, 32, 32)
    mask[..., 12:20, 12:20] = 1.0
    weights = importance_weights(mask, 7)
    assert (weights[mask > 0] == 0).all()
    assert weights[0, 0, 11, 15] > weights[0, 0, 9, 15] > 0  # next to the hole > three pixels away
    assert weights[0, 0, 0, 0] == 0                           # beyond the window: ignored, as in Yeh et al.
    assert torch.equal(importance_weights(mask, 0), 1 - mask)


def test_callback_sees_the_search_as_it_runs(models, target):
    calls = []
    latent_inpaint(*models, *target, dataclasses.replace(FAST, steps=25),
                   callback=lambda step, image, loss: calls.append((step, image.shape, loss)))
    assert [c[0] for c in calls] == [10, 20, 25]
    assert all(shape == (1, 32, 32) and isinstance(loss, float) and loss >= 0 for _, shape, loss in calls)


def test_mean_image_fill():
    image, mean = torch.full((1, 32, 32), 0.5), torch.full((1, 32, 32), -0.2)
    mask = torch.zeros(1, 32, 32)
    mask[:, 4:8, 4:8] = 1
    filled = mean_image_fill(image, mask, mean)
    assert (filled[mask > 0] == -0.2).all() and (filled[mask == 0] == 0.5).all()


@pytest.mark.parametrize("field, value, words", [
    ("steps", 0, "steps must be an integer >= 1"),
    ("restarts", 0, "restarts must be an integer >= 1"),
    ("lr", 0.0, "lr must be > 0"),
    ("prior_weight", -1.0, "prior_weight must be >= 0"),
    ("window", 4, "window must be 0 or an odd integer"),
    ("blend", "feather", "blend must be one of"),
    ("prior_loss", "bce", "prior_loss must be one of"),
    ("callback_every", 0, "callback_every must be an integer >= 1"),
])
def test_config_errors_say_what_is_wrong(field, value, words):
    with pytest.raises(ValueError, match=words):
        LatentSearchConfig(**{field: value})


def test_input_errors_say_what_is_wrong(models, target):
    generator, discriminator = models
    image, mask = target
    with pytest.raises(ValueError, match="needs the discriminator"):
        latent_inpaint(generator, None, image, mask, FAST)
    latent_inpaint(generator, None, image, mask, dataclasses.replace(FAST, steps=2, prior_weight=0.0))  # fine
    with pytest.raises(ValueError, match="no hole pixels"):
        latent_inpaint(generator, discriminator, image, torch.zeros(1, 32, 32), FAST)
    with pytest.raises(ValueError, match="no known pixels"):
        latent_inpaint(generator, discriminator, image, torch.ones(1, 32, 32), FAST)
    with pytest.raises(ValueError, match="generator makes"):
        latent_inpaint(generator, discriminator, torch.zeros(3, 32, 32), mask, FAST)
    with pytest.raises(ValueError, match="do not match"):
        latent_inpaint(generator, discriminator, image, torch.zeros(1, 28, 28), FAST)


@needs_fashion_mnist
def test_evaluation_runs_on_fashion_mnist(models, tmp_path):
    """The evaluation end to end on two test items, with the small untrained DCGAN saved as weights."""
    from gan_core.eval import latent as evaluate_latent
    from gan_core.core.weights import save_weights
    generator, discriminator = models
    card = {"name": "tiny-dcgan", "task": "dcgan",
            "generator": {"class": "DCGANGenerator", "config": dataclasses.asdict(SMALL)},
            "discriminator": {"class": "DCGANDiscriminator", "config": dataclasses.asdict(SMALL)}}
    weights = save_weights(tmp_path / "tiny-dcgan.safetensors", generator, discriminator, card)
    out = tmp_path / "latent.json"
    evaluate_latent.main(["--weights", str(weights), "--n", "2", "--steps", "3", "--restarts", "2",
                          "--json", str(out), "--grid", str(tmp_path / "grid.png")])
    numbers = json.loads(out.read_text())["methods"]
    assert set(numbers) == {"mean_image", "latent_search"}
    assert all(0 <= row["l1_hole"] <= 1 and row["n"] == 2 for row in numbers.values())
    assert (tmp_path / "grid.png").exists()


def test_square_holes_stay_inside_the_garment_area():
    from gan_core.learn.latent_search import square_holes
    masks = square_holes(200, 32, np.random.default_rng(0))
    sides = masks.flatten(1).sum(1).sqrt()
    assert sides.min() >= 10 and sides.max() <= 16
    assert masks[..., :2, :].sum() == 0 and masks[..., -2:, :].sum() == 0
    assert masks[..., :, :2].sum() == 0 and masks[..., :, -2:].sum() == 0


def test_hole_l1_measures_only_the_hole_on_the_0_1_scale():
    from gan_core.learn.latent_search import hole_l1
    original = torch.zeros(2, 1, 8, 8)
    result = original.clone()
    masks = torch.zeros(2, 1, 8, 8)
    masks[:, :, 2:4, 2:4] = 1
    result[0, :, 2:4, 2:4] = 1.0      # half the range off inside the hole
    result[1, :, 6:, 6:] = -1.0       # wrong only outside the hole
    assert torch.allclose(hole_l1(result, original, masks), torch.tensor([0.5, 0.0]))


def test_latent_mask_is_a_seeded_square_or_the_painted_strokes_shrunk():
    from gan_core.learn.latent_search import latent_mask
    assert torch.equal(latent_mask(seed=5), latent_mask(seed=5))
    assert 100 <= latent_mask(seed=5).sum() <= 256
    painted = np.zeros((256, 256), bool)
    painted[0:8, 0:8] = True          # one 32-px pixel's worth, at 8x
    painted[100, 200] = True          # a single touched pixel counts too
    hole = latent_mask(painted=painted)
    assert hole.shape == (1, 32, 32) and hole[0, 0, 0] == 1 and hole[0, 12, 25] == 1 and hole.sum() == 2
    with pytest.raises(ValueError, match="empty"):
        latent_mask(painted=np.zeros((64, 64), bool))


@needs_fashion_mnist
def test_latent_data_is_read_once_with_the_mean_training_image():
    from gan_core.learn.latent_search import latent_data
    images, labels, mean = latent_data()
    assert images.shape[1:] == (1, 32, 32) and len(labels) == len(images) and mean.shape == (1, 32, 32)
    assert latent_data()[0] is images
