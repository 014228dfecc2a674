import json

import numpy as np
import pytest

from gan_core.learn import classifier
from gan_core.learn.classifier import ClassifierConfig
from gan_core.core.weights import WEIGHTS_DIR
from gan_core.training.train import read_log

TINY = dict(width=4, feature_dim=8, batch_size=16, log_every=1, checkpoint_every=2)


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def fashion():
    images, labels = classifier.fashion_split("test")
    return images[:600], labels[:600]


def test_frechet_distance_of_a_set_with_itself_is_zero_and_of_two_classes_positive(fashion, tiny_classifier):
    images, labels = fashion
    shirts, sneakers = images[labels == 6], images[labels == 7]
    assert classifier.frechet_distance(shirts, shirts, tiny_classifier) == pytest.approx(0.0, abs=1e-9)
    assert classifier.frechet_distance(shirts, sneakers, tiny_classifier) > 1e-5  # an untrained net's features are small


@pytest.mark.skipif(not (WEIGHTS_DIR / "fashion-classifier.safetensors").exists(), reason="classifier not shipped")
def test_shipped_classifier_puts_two_classes_far_further_apart_than_two_halves_of_one(fashion):
    images, labels = fashion
    shirts, sneakers = images[labels == 6], images[labels == 7]
    halves = classifier.frechet_distance(shirts[::2], shirts[1::2])
    assert classifier.frechet_distance(shirts, sneakers) > 10 * halves


def test_frechet_from_gaussians_matches_the_closed_form_for_diagonal_covariances():
    mean_a, mean_b = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    var_a, var_b = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
    expected = ((mean_a - mean_b) ** 2).sum() + ((np.sqrt(var_a) - np.sqrt(var_b)) ** 2).sum()
    assert classifier.frechet_from_gaussians(mean_a, np.diag(var_a), mean_b, np.diag(var_b)) == pytest.approx(expected)


def test_class_coverage_has_ten_shares_that_sum_to_one(fashion, tiny_classifier):
    coverage = classifier.class_coverage(fashion[0][:100], tiny_classifier)
    assert coverage.shape == (10,) and coverage.sum() == pytest.approx(1.0) and (coverage >= 0).all()


def test_32_pixel_images_lose_their_border_and_floats_are_refused(fashion):
    items = fashion[0][:3]
    padded = np.pad(items, ((0, 0), (2, 2), (2, 2)))
    assert np.array_equal(classifier.as_images(padded), items)
    assert classifier.as_images(items[0]).shape == (1, 28, 28)
    with pytest.raises(ValueError, match="uint8"):
        classifier.as_images(items.astype(np.float32))


def test_training_resumes_at_the_checkpoint_step_and_exports_a_card(fashion, tmp_path):
    images, labels = fashion
    data = (images[:500], labels[:500], images[500:], labels[500:])
    run, weights = str(tmp_path / "run"), str(tmp_path / "weights")
    classifier.train(ClassifierConfig(out=run, steps=2, **TINY), data=data)
    classifier.train(ClassifierConfig(out=run, steps=3, export="tiny-classifier", weights_dir=weights, **TINY),
                     data=data)
    steps = [r["step"] for r in read_log(run) if "loss" in r]
    assert steps == [1, 2, 3]
    path = tmp_path / "weights" / "tiny-classifier.safetensors"
    card = json.loads(path.with_suffix(".json").read_text())
    assert card["steps"] == 3 and "--width 4" in card["training_command"] and len(card["training_stages"]) == 2
    assert card["training_command"].startswith("python -m gan_core.training --task classifier")
    assert 0 <= card["evaluation"]["test_accuracy"] <= 1
    assert classifier.load_classifier(str(path)).config.width == 4
    assert classifier.load_classifier(str(path)) is classifier.load_classifier(str(path))   # one cache: core.registry


@pytest.mark.skipif(not (WEIGHTS_DIR / "fashion-classifier.safetensors").exists(), reason="classifier not shipped")
def test_shipped_classifier_is_right_on_at_least_90_percent_of_test_items(fashion):
    images, labels = fashion
    assert (classifier.predict(images) == labels).mean() >= 0.9
    assert json.loads((WEIGHTS_DIR / "fashion-classifier.json").read_text())["evaluation"]["test_accuracy"] >= 0.9
