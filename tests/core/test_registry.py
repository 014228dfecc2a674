"""The one model registry and the one cache of loaded models."""
import os
import time

import pytest

from gan_core.core import registry
from gan_core.inpainting.model import InpaintGenerator


def test_a_registered_class_is_built_from_its_card_and_an_unknown_one_is_a_clear_error():
    model = registry.build_from_card({"class": "InpaintGenerator", "config": {"channels": 8, "n_blocks": 1}})
    assert isinstance(model, InpaintGenerator) and model.config.channels == 8
    with pytest.raises(ValueError, match="unknown model class 'Nope'"):
        registry.build_from_card({"class": "Nope", "config": {}})


def test_load_caches_per_file_version_and_build(tiny_weights):
    first = registry.load(tiny_weights)
    assert registry.load(str(tiny_weights)) is first           # the same file: the same objects
    generator, critic, card = first
    assert card["task"] == "inpaint" and not generator.training and critic is not None

    def parameter_count(path, device):
        return sum(p.numel() for p in registry.load_models(path, device)[0].parameters())

    assert registry.load(tiny_weights, build=parameter_count) == sum(p.numel() for p in generator.parameters())
    later = time.time() + 5
    os.utime(tiny_weights, (later, later))                      # a re-exported file is read again
    assert registry.load(tiny_weights) is not first


def test_a_missing_file_names_what_was_looked_for(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing-here"):
        registry.load("nothing-here", folder=tmp_path)
