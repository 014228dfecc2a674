"""The one model registry and the one cache of loaded models.

A model card names the classes of its networks ("InpaintGenerator", "PatchDiscriminator", ...). Each model
module registers its classes with @register(ConfigClass) where it defines them, so this core module can build
any of them without importing an application. Every loaded model, of whatever kind, comes through load(): one
cache, per file version and device, so a re-exported file is read again and a second request costs nothing.
"""
import functools
import threading
from pathlib import Path

import torch

from gan_core.core.layers import DiscriminatorConfig, PatchDiscriminator
from gan_core.core.paths import WEIGHTS_DIR
from gan_core.core.weights import load_state, named_weights

# class name -> (model class, its config dataclass); the applications' classes are added by @register
MODEL_CLASSES: dict[str, tuple[type, type]] = {"PatchDiscriminator": (PatchDiscriminator, DiscriminatorConfig)}


def register(config_class):
    """Class decorator: a model card that names this class is built from config_class(**card config)."""
    def add(model_class):
        MODEL_CLASSES[model_class.__name__] = (model_class, config_class)
        return model_class
    return add


def build_from_card(part: dict) -> torch.nn.Module:
    """Instantiate a model from the card's {"class": ..., "config": {...}}."""
    if part["class"] not in MODEL_CLASSES:
        raise ValueError(f"unknown model class {part['class']!r} in model card (import the module that defines it)")
    model_class, config_class = MODEL_CLASSES[part["class"]]
    return model_class(config_class(**part["config"]))


def load_models(path: str | Path, device: str | torch.device = "cpu"
                ) -> tuple[torch.nn.Module, torch.nn.Module | None, dict]:
    """(generator, discriminator or None, card), in eval mode, from a weights file and its card; not cached."""
    generator_state, discriminator_state, card = load_state(path)
    generator = build_from_card(card["generator"])
    generator.load_state_dict(generator_state)
    discriminator = None
    if discriminator_state and "discriminator" in card:
        discriminator = build_from_card(card["discriminator"])
        discriminator.load_state_dict(discriminator_state)
        discriminator = discriminator.to(device).eval()
    return generator.to(device).eval(), discriminator, card


_lock = threading.Lock()   # concurrent first requests must not each build the model


@functools.lru_cache(maxsize=16)
def _built(path: str, mtime: float, device: str, build):
    return build(path, device)


def load(weights: str | Path, build=load_models, device: str | torch.device = "cpu", folder: str | Path = WEIGHTS_DIR):
    """What build(path, device) makes of a weights file (a name in `folder` or a path to a .safetensors file),
    cached per file version and device. build is a module-level function, so the cache can tell builds apart;
    the default gives (generator, discriminator or None, card)."""
    path = named_weights(weights, folder)
    with _lock:
        return _built(str(path), path.stat().st_mtime, str(device), build)
