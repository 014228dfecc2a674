"""A small Fashion-MNIST classifier, trained here, and the two numbers it gives about a generator.

    python -m gan_core.training --task classifier --out runs/classifier --steps 800 --export fashion-classifier
    python -m gan_core.training --recipe fashion-classifier      # the stages of the shipped model

1. Fréchet distance (FD): fit a Gaussian to the classifier's penultimate features of two image sets and
   measure how far apart the Gaussians are (Heusel et al. 2017's FID, with our own network in place of
   Inception, so nothing is downloaded):  FD = |mu_a - mu_b|^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)).
2. Class coverage: the share of images the classifier puts in each of the 10 classes. A generator that
   has collapsed onto a few modes piles its samples into a few classes.

Images are uint8 arrays (n, H, W): 28 px as in Fashion-MNIST, or 32 px as the DCGAN makes them (the 2-pixel
black border is cropped off); other sizes are resized to 28 px.
"""
import math
import sys
from dataclasses import dataclass

import cv2
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from gan_core.core import registry
from gan_core.core.weights import load_parts
from gan_core.photos.data import FASHION_CLASSES, find_fashion_mnist, read_idx
from gan_core.training import cli
from gan_core.training import train as train_lib
from gan_core.training.train import RunConfig, known_fields, network_card, training_settings
from gan_core.training.trainer import Game, Trainer

DEFAULT_WEIGHTS = "fashion-classifier"
MEAN, STD = 0.286, 0.353  # of Fashion-MNIST's training pixels in [0, 1]


@dataclass
class ClassifierConfig(RunConfig):
    task: str = "classifier"
    out: str = "runs/classifier"
    width: int = 16            # channels of the first two convolutions; doubled in the next two
    feature_dim: int = 128     # size of the penultimate layer: the space the Fréchet distance is measured in
    steps: int = 900           # batches of training (about 2 epochs at batch 128)
    schedule_steps: int = 0    # where the cosine reaches 0; 0 = at `steps` (a recipe stops stages short of it)
    batch_size: int = 128
    lr: float = 3e-3           # after a short warm-up; a cosine takes it to 0 at schedule_steps
    weight_decay: float = 5e-4
    log_every: int = 50
    checkpoint_every: int = 200
    seed: int = 0


TrainConfig = ClassifierConfig  # the name the training loop looks for (gan_core.training.train.TRAINERS)


def conv_bn_relu(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
                         nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))


class FashionClassifier(nn.Module):
    """Two blocks of two 3x3 convolutions with max pooling, one hidden layer (the features), a linear head."""

    def __init__(self, config: ClassifierConfig = ClassifierConfig()):
        super().__init__()
        self.config = config
        c = config.width
        self.body = nn.Sequential(
            # input is 1 x 28 x 28, normalised
            conv_bn_relu(1, c), conv_bn_relu(c, c), nn.MaxPool2d(2),
            # state size. (c) x 14 x 14
            conv_bn_relu(c, 2 * c), conv_bn_relu(2 * c, 2 * c), nn.MaxPool2d(2),
            # state size. (2c) x 7 x 7
            nn.Flatten(), nn.Linear(2 * c * 49, config.feature_dim), nn.ReLU(inplace=True),
            # state size. feature_dim: the penultimate features
        )
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(config.feature_dim, len(FASHION_CLASSES)))

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))


# ----------------------------------------------------------------------------------------------------
# Images in, tensors out


def as_images(images) -> np.ndarray:
    """uint8 (n, 28, 28) from uint8 (n, H, W) or one (H, W) image, with a plain error for anything else."""
    images = np.asarray(images)
    if images.ndim == 2:
        images = images[None]
    if images.ndim != 3 or images.dtype != np.uint8 or images.shape[0] == 0:
        raise ValueError(f"expected uint8 images of shape (n, H, W), got {images.dtype} {images.shape}")
    height, width = images.shape[1:]
    if (height, width) == (32, 32):  # the DCGAN's 28 px items padded by 2 px on every side
        return images[:, 2:30, 2:30]
    if (height, width) != (28, 28):
        return np.stack([cv2.resize(image, (28, 28), interpolation=cv2.INTER_AREA) for image in images])
    return images


def at_item_size(images, translate, what: str = "images", threshold: int = 0) -> np.ndarray:
    """translate (uint8 (n, 28, 28) in and out) applied to uint8 images (H, W) or (n, H, W) of any size: others
    than 28 x 28 are shrunk to it (and made black and white again at `threshold`, if given), and what comes out
    is scaled back. Returns uint8 of the input's shape; the small models' translations all work this way."""
    images = np.asarray(images)
    single = images.ndim == 2
    images = images[None] if single else images
    if images.ndim != 3 or images.dtype != np.uint8 or images.shape[0] == 0:
        raise ValueError(f"expected uint8 {what} of shape (H, W) or (n, H, W), got {images.dtype} {images.shape}")
    height, width = images.shape[1:]
    if (height, width) != (28, 28):
        images = np.stack([cv2.resize(image, (28, 28), interpolation=cv2.INTER_AREA) for image in images])
        if threshold:
            images = np.where(images >= threshold, 255, 0).astype(np.uint8)
    out = translate(images)
    if (height, width) != (28, 28):
        out = np.stack([cv2.resize(image, (width, height), interpolation=cv2.INTER_CUBIC) for image in out])
    return out[0] if single else out


def to_input(images: np.ndarray) -> torch.Tensor:
    """uint8 (n, 28, 28) -> normalised float (n, 1, 28, 28)."""
    return (torch.from_numpy(np.array(images, dtype=np.float32))[:, None] / 255.0 - MEAN) / STD


def fashion_split(split: str) -> tuple[np.ndarray, np.ndarray]:
    """uint8 images (n, 28, 28) and int64 labels of a Fashion-MNIST split ("train" or "test")."""
    images_path, labels_path = find_fashion_mnist(split)
    return read_idx(images_path), read_idx(labels_path).astype(np.int64)


# ----------------------------------------------------------------------------------------------------
# The shipped classifier and what it measures


def build_classifier(path: str, device: str) -> FashionClassifier:
    """The classifier of a weights file, in eval mode (what registry.load caches)."""
    parts, card = load_parts(path)
    model = FashionClassifier(ClassifierConfig(**known_fields(ClassifierConfig, card["classifier"]["config"])))
    model.load_state_dict(parts["classifier"])
    return model.to(device).eval()


def load_classifier(weights: str = DEFAULT_WEIGHTS) -> FashionClassifier:
    """The classifier of weights/NAME.safetensors (or a path), in eval mode, cached per file version."""
    return registry.load(weights, build_classifier)


def resolve(model: FashionClassifier | str | None) -> FashionClassifier:
    return load_classifier() if model is None else load_classifier(model) if isinstance(model, str) else model.eval()


@torch.no_grad()
def features(images, model: FashionClassifier | str | None = None, batch_size: int = 1000) -> np.ndarray:
    """The penultimate features (n, feature_dim) of uint8 images (n, H, W), as float64."""
    model, images = resolve(model), as_images(images)
    chunks = [model.embed(to_input(images[i:i + batch_size])) for i in range(0, len(images), batch_size)]
    return torch.cat(chunks).double().numpy()


@torch.no_grad()
def predict(images, model: FashionClassifier | str | None = None, batch_size: int = 1000) -> np.ndarray:
    """The class index (n,) the classifier gives each image."""
    model, images = resolve(model), as_images(images)
    chunks = [model(to_input(images[i:i + batch_size])).argmax(1) for i in range(0, len(images), batch_size)]
    return torch.cat(chunks).numpy()


def class_coverage(images, model: FashionClassifier | str | None = None) -> np.ndarray:
    """The share of images put in each of the 10 classes (sums to 1)."""
    labels = predict(images, model)
    return np.bincount(labels, minlength=len(FASHION_CLASSES)) / len(labels)


def gaussian_of(feature_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of features (n, d)."""
    if len(feature_rows) < 2:
        raise ValueError("the Fréchet distance needs at least 2 images per set")
    return feature_rows.mean(0), np.cov(feature_rows, rowvar=False)


def frechet_from_gaussians(mean_a, cov_a, mean_b, cov_b) -> float:
    """|mu_a - mu_b|^2 + Tr(S_a) + Tr(S_b) - 2 Tr((S_a S_b)^(1/2)).

    S_a S_b is not symmetric, and a general matrix square root of it can come out complex from rounding.
    Tr((S_a S_b)^(1/2)) equals Tr((R S_b R)^(1/2)) with R = S_a^(1/2), and R S_b R is symmetric positive
    semi-definite, so two symmetric eigendecompositions give the trace without leaving the real numbers.
    """
    values, vectors = np.linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(values.clip(min=0))) @ vectors.T
    middle = root_a @ cov_b @ root_a
    trace_root = np.sqrt(np.linalg.eigvalsh((middle + middle.T) / 2).clip(min=0)).sum()
    distance = ((mean_a - mean_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_root
    return float(max(distance, 0.0))


def frechet_distance(images_a, images_b, model: FashionClassifier | str | None = None) -> float:
    """FD between two sets of uint8 images (n, H, W) in the classifier's features; 0 for a set and itself."""
    model = resolve(model)
    return frechet_from_gaussians(*gaussian_of(features(images_a, model)), *gaussian_of(features(images_b, model)))


# ----------------------------------------------------------------------------------------------------
# Training


def accuracy(model: FashionClassifier, images: np.ndarray, labels: np.ndarray) -> float:
    return float((predict(images, model) == labels).mean())


def learning_rate(cfg: ClassifierConfig, step: int) -> float:
    """A short linear warm-up, then a cosine down to 0 at cfg.schedule_steps (or cfg.steps): a function of the
    step alone, so a resumed run (or a later stage with more steps) picks up the schedule where it is."""
    length = cfg.schedule_steps or cfg.steps
    warmup = max(1, length // 20)
    return cfg.lr * min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(step, length) / length))


class ClassifierTask(Game):
    """The classifier on the one trainer: a task without a critic, so each round is step (2) alone, with G the
    classifier and its loss the cross-entropy (label smoothing 0.05). AdamW with a warm-up and a cosine."""

    def __init__(self, cfg: ClassifierConfig, data=None):
        super().__init__(cfg)
        self.data = data

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        if self.data is None:
            return fashion_split(name)
        return self.data[:2] if name == "train" else self.data[2:]

    def generator(self) -> FashionClassifier:
        return FashionClassifier(self.cfg)

    def optimizers(self, model, _):
        return torch.optim.AdamW(model.parameters(), lr=self.cfg.lr, weight_decay=self.cfg.weight_decay), None

    def learning_rates(self, step: int) -> tuple[float, None]:
        self.lr = learning_rate(self.cfg, step)
        return self.lr, None

    def batches(self, step: int, rank: int, world_size: int):
        """Random batches, mirrored at random (mirrored clothes are still the same class), from a generator seeded
        by the step (a resumed run draws fresh batches)."""
        images, labels = self.split("train")
        inputs, targets = to_input(images), torch.from_numpy(labels)
        random = torch.Generator().manual_seed(self.cfg.seed + step)
        while True:
            index = torch.randint(len(inputs), (self.cfg.batch_size,), generator=random)
            batch = inputs[index]
            flip = torch.rand(len(batch), generator=random) < 0.5
            yield torch.where(flip[:, None, None, None], batch.flip(-1), batch), targets[index]

    def play(self, model, batch):
        inputs, targets = batch
        return model(inputs), targets

    def g_loss(self, critic, play):
        logits, targets = play
        loss = F.cross_entropy(logits, targets, label_smoothing=0.05)
        return loss, {"loss": loss.item(), "lr": self.lr}

    def evaluate(self, trainer) -> dict:
        images, labels = self.split("test")
        return {"test_accuracy": round(accuracy(trainer.generator, images, labels), 4), "test_accuracy_images": len(labels)}

    def parts(self, trainer) -> dict:
        return {"classifier": trainer.generator}

    def card(self, trainer) -> dict:
        return {"what": "Fashion-MNIST classifier; its penultimate features measure generators (Fréchet distance, "
                        "class coverage)",
                "classifier": network_card(trainer.generator, training_settings(self.cfg)),
                "classes": FASHION_CLASSES,
                "data": {"source": "Fashion-MNIST train split (Debian package dataset-fashion-mnist)", "images": 60000,
                         "augmentation": "horizontal flips"}}


Game = ClassifierTask   # the name the training loop looks for


def train(cfg: ClassifierConfig, recipe: dict | None = None, data=None) -> Trainer:
    """Train (or go on from cfg.out's checkpoint) through the one loop, export if cfg.export says so; returns the
    trainer (its generator is the classifier). data = (train images, labels, test images, labels), or None for
    Fashion-MNIST."""
    return train_lib.run(ClassifierTask(cfg, data), recipe)


def main(argv=None):
    """The same as python -m gan_core.training --task classifier [flags]."""
    cli.main(["--task", "classifier", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
