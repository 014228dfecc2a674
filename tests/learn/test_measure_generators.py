import json

import pytest
import torch

from gan_core.learn import classifier
from gan_core.learn import measure_generators
from gan_core.learn.dcgan import DCGANConfig, DCGANGenerator
from gan_core.core.weights import WEIGHTS_DIR

pytestmark = pytest.mark.skipif(not (WEIGHTS_DIR / "fashion-classifier.safetensors").exists(),
                                reason="classifier not shipped")


def test_real_images_are_close_to_the_test_set_and_cover_every_class():
    images = classifier.fashion_split("train")[0][:1000]
    numbers = measure_generators.measure_images(images)
    assert numbers["classes_covered"] == 10 and sum(numbers["coverage"]) == pytest.approx(1.0, abs=1e-3)
    assert numbers["fd"] < 5


def test_a_run_checkpoint_is_measured_into_its_metrics_log(tmp_path):
    torch.manual_seed(0)
    torch.save({"generator_ema": DCGANGenerator(DCGANConfig()).state_dict(), "step": 7}, tmp_path / "checkpoint.pt")
    numbers = measure_generators.measure_run(tmp_path, n=200)
    logged = json.loads((tmp_path / "metrics.jsonl").read_text().splitlines()[-1])
    assert logged == numbers and logged["step"] == 7
    assert logged["fd"] > 5  # an untrained generator draws noise, far from clothes
