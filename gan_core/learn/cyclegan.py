"""CycleGAN (Zhu et al. 2017) at Fashion-MNIST size: sandals (A) <-> sneakers (B), never paired.

    python -m gan_core.training --task cyclegan --out runs/cyclegan --steps 10000 --export cyclegan-shoes
    python -m gan_core.training --recipe cyclegan-shoes     # the same, as recipes/cyclegan_shoes.py says
    python -m gan_core.learn.cyclegan --evaluate cyclegan-shoes

Two generators, G_ab: A -> B and G_ba: B -> A, and two critics, D_b (real sneaker or G_ab's?) and D_a.
With unpaired data nothing says which sneaker a sandal should become; the cycle loss asks that the way back
returns the sandal, so the translation has to keep what it can (shape, size, position). G minimises

    LS-GAN: (D_b(G_ab(a)) - 1)^2 + (D_a(G_ba(b)) - 1)^2
    + cycle_weight * (|G_ba(G_ab(a)) - a|_1 + |G_ab(G_ba(b)) - b|_1)
    + identity_weight * (|G_ab(b) - b|_1 + |G_ba(a) - a|_1)      (optional: a sneaker is left a sneaker)

and each critic the least-squares loss (D(real) - 1)^2 + D(fake)^2, as in the paper; the generators move
first in each round, then the critics. Left out for brevity: the paper's pool of 50 past fakes for the
critics, and its learning-rate decay.
"""
import argparse
import json
import sys
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn

from gan_core.core import losses, registry
from gan_core.core.images import to_tensor, to_uint8
from gan_core.core.layers import DiscriminatorConfig, PatchDiscriminator, count_parameters
from gan_core.core.weights import load_parts
from gan_core.learn import classifier
from gan_core.training import cli
from gan_core.training import train as train_lib
from gan_core.training.train import RunConfig, known_fields
from gan_core.training.trainer import Game, Trainer

CLASS_A, CLASS_B = 5, 7       # Fashion-MNIST's sandal and sneaker
DIRECTIONS = ("a2b", "b2a")


@dataclass
class CycleGANConfig(RunConfig):
    task: str = "cyclegan"
    out: str = "runs/cyclegan"
    base_channels: int = 16   # generator width at 28 x 28; 2x at 14 x 14, 4x in the residual blocks at 7 x 7
    n_blocks: int = 3         # residual blocks at 7 x 7
    d_channels: int = 16      # PatchGAN width
    cycle_weight: float = 10.0     # lambda of the paper
    identity_weight: float = 5.0   # the paper's 0.5 * lambda: G_ab leaves a sneaker alone; 0 = off, a third cheaper
    steps: int = 6000
    batch_size: int = 16      # the paper used 1; 16 steadies the critics at 28 px
    lr: float = 2e-4          # Adam, beta1 0.5, as in the paper
    beta1: float = 0.5
    log_every: int = 20
    eval_every: int = 500     # classifier verdicts and round-trip error on held-out items, for the Learn tab
    checkpoint_every: int = 200
    seed: int = 0
    threads: int = 1          # torch CPU threads: small models at 28 px gain little from more, and lose a lot
                              # (threads spinning while they wait) when other jobs share the CPU


TrainConfig = CycleGANConfig  # the name the training loop looks for (gan_core.training.train.TRAINERS)


# ----------------------------------------------------------------------------------------------------
# Networks


class ResidualBlock(nn.Module):
    """x + conv(relu(conv(x))): the block keeps what it is not asked to change."""

    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1, padding_mode="reflect"), nn.InstanceNorm2d(channels),
            nn.ReLU(True),
            nn.Conv2d(channels, channels, 3, padding=1, padding_mode="reflect"), nn.InstanceNorm2d(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


def conv_norm_relu(in_channels: int, out_channels: int, kernel: int, stride: int = 1) -> list[nn.Module]:
    return [nn.Conv2d(in_channels, out_channels, kernel, stride, kernel // 2, padding_mode="reflect"),
            nn.InstanceNorm2d(out_channels), nn.ReLU(True)]


class ResnetGenerator(nn.Module):
    """The paper's generator, small: 7x7 in, two halvings, residual blocks, two doublings, 7x7 out.
    Instance norm (per image statistics), so training and use behave the same."""

    def __init__(self, config: CycleGANConfig = CycleGANConfig()):
        super().__init__()
        self.config = config
        c = config.base_channels
        self.main = nn.Sequential(
            *conv_norm_relu(1, c, 7),                           # state size. (c) x 28 x 28
            *conv_norm_relu(c, 2 * c, 3, stride=2),             # state size. (2c) x 14 x 14
            *conv_norm_relu(2 * c, 4 * c, 3, stride=2),         # state size. (4c) x 7 x 7
            *[ResidualBlock(4 * c) for _ in range(config.n_blocks)],
            nn.ConvTranspose2d(4 * c, 2 * c, 3, 2, 1, output_padding=1), nn.InstanceNorm2d(2 * c), nn.ReLU(True),
            # state size. (2c) x 14 x 14
            nn.ConvTranspose2d(2 * c, c, 3, 2, 1, output_padding=1), nn.InstanceNorm2d(c), nn.ReLU(True),
            # state size. (c) x 28 x 28
            nn.Conv2d(c, 1, 7, padding=3, padding_mode="reflect"), nn.Tanh())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.main(x)


def build_discriminator(config: CycleGANConfig) -> PatchDiscriminator:
    """The studio's PatchGAN on one image: two halvings at 28 px give a 5 x 5 map of verdicts."""
    return PatchDiscriminator(DiscriminatorConfig(in_channels=1, channels=config.d_channels, n_layers=2))


class Generators(nn.Module):
    """G_ab: A -> B and G_ba: B -> A, one player of the game (one optimiser moves both)."""

    def __init__(self, config: CycleGANConfig):
        super().__init__()
        self.g_ab, self.g_ba = ResnetGenerator(config), ResnetGenerator(config)


class Critics(nn.Module):
    """D_a and D_b, the other player; forward(image, "a" or "b") asks the critic of that domain."""

    def __init__(self, config: CycleGANConfig):
        super().__init__()
        self.d_a, self.d_b = build_discriminator(config), build_discriminator(config)

    def forward(self, image: torch.Tensor, domain: str):
        return (self.d_a if domain == "a" else self.d_b)(image)


# ----------------------------------------------------------------------------------------------------
# Data


def class_items(split: str, label: int) -> np.ndarray:
    images, labels = classifier.fashion_split(split)
    return images[labels == label]


# ----------------------------------------------------------------------------------------------------
# Training


class CycleGANGame(Game):
    """The generators move first (1), then the critics (2), as in the paper's code; nothing is averaged."""
    d_first = False
    ships_story = True        # the run's log goes beside the weights: the Learn tab draws its curves

    def __init__(self, cfg: CycleGANConfig, items_a=None, items_b=None, eval_items=None, model=None):
        super().__init__(cfg)
        self.sample_every = cfg.eval_every
        self.items_a, self.items_b, self.eval_items, self.model = items_a, items_b, eval_items, model

    def generator(self) -> Generators:
        return Generators(self.cfg)

    def discriminator(self) -> Critics:
        return Critics(self.cfg)

    def optimizers(self, generators, critics):
        betas = (self.cfg.beta1, 0.999)
        return (torch.optim.Adam(generators.parameters(), lr=self.cfg.lr, betas=betas),
                torch.optim.Adam(critics.parameters(), lr=self.cfg.lr, betas=betas))

    def learning_rates(self, step: int) -> tuple[float, float]:
        return self.cfg.lr, self.cfg.lr

    def batches(self, step: int, rank: int, world_size: int):
        """A batch of sandals and a batch of sneakers, drawn independently (never paired), from a generator seeded
        by the step (a resumed run draws fresh batches)."""
        real_a = to_tensor(class_items("train", CLASS_A) if self.items_a is None else self.items_a)[:, None]
        real_b = to_tensor(class_items("train", CLASS_B) if self.items_b is None else self.items_b)[:, None]
        random = torch.Generator().manual_seed(self.cfg.seed + step)
        while True:
            index_a = torch.randint(len(real_a), (self.cfg.batch_size,), generator=random)
            index_b = torch.randint(len(real_b), (self.cfg.batch_size,), generator=random)
            yield real_a[index_a], real_b[index_b]

    def play(self, generators: Generators, batch) -> dict:
        """Both translations, both round trips and (if weighted) both identities."""
        real_a, real_b = batch
        fake_b, fake_a = generators.g_ab(real_a), generators.g_ba(real_b)
        play = dict(real_a=real_a, real_b=real_b, fake_b=fake_b, fake_a=fake_a,
                    back_a=generators.g_ba(fake_b), back_b=generators.g_ab(fake_a))
        if self.cfg.identity_weight > 0:
            play.update(same_b=generators.g_ab(real_b), same_a=generators.g_ba(real_a))
        return play

    def g_loss(self, critic, play: dict):
        """Fool the critics, come back on the round trip, leave the target class alone."""
        p = play
        adv = losses.g_loss("lsgan", critic(p["fake_b"], "b")[0]) + losses.g_loss("lsgan", critic(p["fake_a"], "a")[0])
        cycle = (p["back_a"] - p["real_a"]).abs().mean() + (p["back_b"] - p["real_b"]).abs().mean()
        loss_g = adv + self.cfg.cycle_weight * cycle
        stats = {"adv": adv.item(), "cycle": cycle.item()}
        if self.cfg.identity_weight > 0:
            identity = (p["same_b"] - p["real_b"]).abs().mean() + (p["same_a"] - p["real_a"]).abs().mean()
            loss_g = loss_g + self.cfg.identity_weight * identity
            stats["identity"] = identity.item()
        return loss_g, {**stats, "loss_g": loss_g.item()}

    def d_loss(self, critic, play: dict):
        """(D(real) - 1)^2 + D(fake)^2 for each critic."""
        p = play
        loss_d_a = losses.d_loss("lsgan", critic(p["real_a"], "a")[0], critic(p["fake_a"].detach(), "a")[0])
        loss_d_b = losses.d_loss("lsgan", critic(p["real_b"], "b")[0], critic(p["fake_b"].detach(), "b")[0])
        return loss_d_a + loss_d_b, {"loss_d_a": loss_d_a.item(), "loss_d_b": loss_d_b.item()}

    def measure(self, trainer) -> dict:
        eval_a, eval_b = self.eval_items or (held_out(CLASS_A), held_out(CLASS_B))
        generators = trainer.generator
        return measure(generators.g_ab, generators.g_ba, eval_a, eval_b, self.model)

    def sample(self, trainer, step: int) -> dict:
        """Classifier verdicts and round-trip error on held-out items, for the Learn tab."""
        return {f"eval_{k}": v for k, v in self.measure(trainer).items()}

    def evaluate(self, trainer) -> dict:
        eval_a = self.eval_items[0] if self.eval_items else held_out(CLASS_A)
        return {f"held_out_{len(eval_a)}_each": self.measure(trainer)}

    def parts(self, trainer) -> dict:
        generators, critics = trainer.generator, trainer.discriminator
        return {"g_ab": generators.g_ab, "g_ba": generators.g_ba, "d_a": critics.d_a, "d_b": critics.d_b}

    def card(self, trainer) -> dict:
        return {"what": "sandals (A) <-> sneakers (B), 28 x 28 grey, trained without pairs",
                "parameters": {name: count_parameters(network) for name, network in self.parts(trainer).items()},
                "data": {"source": "Fashion-MNIST train split: 6,000 sandals (class 5) and 6,000 sneakers (class 7), "
                                   "batches drawn independently"}}


Game = CycleGANGame   # the name the training loop looks for


@torch.no_grad()
def run(generator: ResnetGenerator, images: np.ndarray, batch_size: int = 500) -> np.ndarray:
    generator.eval()
    return np.concatenate([to_uint8(generator(to_tensor(images[i:i + batch_size])[:, None]))[:, 0]
                           for i in range(0, len(images), batch_size)])


def measure(g_ab: ResnetGenerator, g_ba: ResnetGenerator, items_a: np.ndarray, items_b: np.ndarray,
            model=None) -> dict:
    """How often the classifier takes a translation for the target class, and the round trips' mean
    absolute error (pixels in [0, 1]), each way."""
    fake_b, fake_a = run(g_ab, items_a), run(g_ba, items_b)
    back_a, back_b = run(g_ba, fake_b), run(g_ab, fake_a)
    mae = lambda x, y: float(np.abs(x.astype(np.float32) - y).mean() / 255)  # noqa: E731
    numbers = {"round_trip_mae_a": mae(back_a, items_a), "round_trip_mae_b": mae(back_b, items_b)}
    try:
        numbers["a2b_taken_for_b"] = float((classifier.predict(fake_b, model) == CLASS_B).mean())
        numbers["b2a_taken_for_a"] = float((classifier.predict(fake_a, model) == CLASS_A).mean())
    except FileNotFoundError:  # no classifier shipped yet: round trips only
        pass
    return numbers


def held_out(label: int, n: int = 500) -> np.ndarray:
    """The first n test items of a class: the same ones every time."""
    return class_items("test", label)[:n]


def train(cfg: CycleGANConfig, recipe: dict | None = None, items_a=None, items_b=None, eval_items=None,
          model=None) -> Trainer:
    """Train (or go on from cfg.out's checkpoint) through the one loop, export if cfg.export says so; returns the
    trainer. items default to the train split's sandals and sneakers, eval_items = (A, B) to 500 test items each,
    model to the shipped classifier."""
    return train_lib.run(CycleGANGame(cfg, items_a, items_b, eval_items, model), recipe)


# ----------------------------------------------------------------------------------------------------
# Using a shipped model


def build_generators(path: str, device: str) -> dict:
    """{"g_ab", "g_ba"} of a CycleGAN weights file, in eval mode (what registry.load caches)."""
    parts, card = load_parts(path)
    if card.get("task") != "cyclegan":
        raise ValueError(f"{path} is a {card.get('task')!r} model, not a CycleGAN")
    config = CycleGANConfig(**known_fields(CycleGANConfig, card["training"]))
    generators = {}
    for name in ("g_ab", "g_ba"):
        generators[name] = ResnetGenerator(config)
        generators[name].load_state_dict(parts[name])
        generators[name].to(device).eval()
    return generators


def load_generators(weights: str = "cyclegan-shoes") -> dict:
    return registry.load(weights, build_generators)


def translate(images, weights: str = "cyclegan-shoes", direction: str = "a2b") -> np.ndarray:
    """Sandals to sneakers ("a2b") or back ("b2a"): uint8 (n, H, W) or (H, W) in, the same shape out.

    Images of another size than 28 x 28 are translated at 28 x 28 and scaled back.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
    network = "g_ab" if direction == "a2b" else "g_ba"
    return classifier.at_item_size(images, lambda small: run(load_generators(weights)[network], small))


def evaluate(weights: str = "cyclegan-shoes", n: int = 500) -> dict:
    """The Done-when numbers: classifier verdicts on n test items each way, round-trip MAE."""
    generators = load_generators(weights)
    return measure(generators["g_ab"], generators["g_ba"], held_out(CLASS_A, n), held_out(CLASS_B, n))


def main(argv=None):
    """--evaluate [NAME]: measure a shipped model; anything else trains, as python -m gan_core.training --task cyclegan."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--evaluate", nargs="?", const="cyclegan-shoes", metavar="NAME",
                        help="measure a shipped model instead of training")
    args, rest = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    if args.evaluate:
        print(json.dumps(evaluate(args.evaluate), indent=2))
    else:
        cli.main(["--task", "cyclegan", *rest])


if __name__ == "__main__":
    main()
