"""pix2pix (Isola et al. 2017) at Fashion-MNIST size: the edges of a shoe in, the shoe out.

    python -m gan_core.training --task pix2pix --out runs/pix2pix --steps 6000 --export pix2pix-shoes
    python -m gan_core.training --task pix2pix --out runs/pix2pix-l1 --adv-weight 0 --steps 6000 --export pix2pix-shoes-l1
    python -m gan_core.training --recipe pix2pix-shoes      # the same, as recipes/pix2pix_shoes.py says
    python -m gan_core.learn.pix2pix --evaluate pix2pix-shoes pix2pix-shoes-l1

A paired, conditional GAN: every training item is (edges, shoe), with edges made here by OpenCV's Canny
detector from Fashion-MNIST's footwear (sandals, sneakers, ankle boots). G is a small U-Net; D is a PatchGAN
that judges (edges, image) pairs, patch by patch. G minimises

    adversarial(D(edges, G(edges))) + lambda * |G(edges) - shoe|_1           (lambda = 100 as in the paper)

L1 alone gets the average of all shoes that fit the edges: the right shape, blurry inside. The adversarial
term pushes G to one sharp, plausible shoe instead. adv_weight = 0 trains the same G with L1 only, to show it.
The studio's photo inpainter is the same kind of model: a conditional G, a PatchGAN critic, L1 + adversarial.
"""
import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from gan_core.core import losses, registry
from gan_core.core.images import to_tensor, to_uint8
from gan_core.core.layers import DiscriminatorConfig, PatchDiscriminator
from gan_core.core.weights import load_parts
from gan_core.learn import classifier
from gan_core.training import cli
from gan_core.training import train as train_lib
from gan_core.training.train import RunConfig, known_fields, network_card, training_settings
from gan_core.training.trainer import Game, Trainer

FOOTWEAR = (5, 7, 9)          # Fashion-MNIST's sandal, sneaker, ankle boot
SIDE = 32                     # the networks see 28 px items padded to 32, so four halvings stay whole
PAD = (SIDE - 28) // 2
CANNY_LOW, CANNY_HIGH = 50, 150


@dataclass
class Pix2PixConfig(RunConfig):
    task: str = "pix2pix"
    out: str = "runs/pix2pix"
    base_channels: int = 32   # U-Net width at 16 x 16; doubled at 8 x 8, quadrupled below
    d_channels: int = 32      # PatchGAN width
    adv_weight: float = 1.0   # 0 = the L1-only model (D is not trained)
    l1_weight: float = 100.0  # lambda of the paper
    gan_loss: str = "nonsaturating"  # the paper's log loss, with G maximising log D(G(x))
    steps: int = 4000
    batch_size: int = 64
    lr: float = 2e-4          # Adam, beta1 0.5, as in the paper
    beta1: float = 0.5
    ema: float = 0.999        # G's moving average, which is what gets exported
    log_every: int = 20
    eval_every: int = 500     # L1 and FD on the held-out items, logged for the Learn tab's plots
    checkpoint_every: int = 200
    seed: int = 0
    threads: int = 1          # torch CPU threads: small models at 28 px gain little from more, and lose a lot
                              # (threads spinning while they wait) when other jobs share the CPU


TrainConfig = Pix2PixConfig  # the name the training loop looks for (gan_core.training.train.TRAINERS)


# ----------------------------------------------------------------------------------------------------
# Data: edges made here


def edges_of(images: np.ndarray) -> np.ndarray:
    """Canny edges (255 on a line, 0 elsewhere) of uint8 images (n, H, W)."""
    return np.stack([cv2.Canny(image, CANNY_LOW, CANNY_HIGH, L2gradient=True) for image in images])


def footwear(split: str) -> np.ndarray:
    """uint8 (n, 28, 28) sandals, sneakers and ankle boots of a Fashion-MNIST split."""
    images, labels = classifier.fashion_split(split)
    return images[np.isin(labels, FOOTWEAR)]


def padded(items: np.ndarray) -> torch.Tensor:
    """uint8 (n, 28, 28) -> (n, 1, 32, 32) in [-1, 1], padded with black (-1)."""
    return F.pad(to_tensor(items)[:, None], (PAD, PAD, PAD, PAD), value=-1.0)


def unpadded(tensor: torch.Tensor) -> np.ndarray:
    """(n, 1, 32, 32) in [-1, 1] -> uint8 (n, 28, 28), the padding cropped off."""
    return to_uint8(tensor[:, 0, PAD:SIDE - PAD, PAD:SIDE - PAD])


# ----------------------------------------------------------------------------------------------------
# Networks


def down(in_channels: int, out_channels: int, norm: bool = True) -> nn.Sequential:
    """4x4 stride-2 convolution: half the side (pix2pix's encoder block)."""
    layers = [nn.Conv2d(in_channels, out_channels, 4, 2, 1, bias=not norm)]
    return nn.Sequential(*layers, *([nn.BatchNorm2d(out_channels)] if norm else []), nn.LeakyReLU(0.2, True))


def up(in_channels: int, out_channels: int) -> nn.Sequential:
    """4x4 stride-2 transposed convolution: twice the side (pix2pix's decoder block)."""
    return nn.Sequential(nn.ConvTranspose2d(in_channels, out_channels, 4, 2, 1, bias=False),
                         nn.BatchNorm2d(out_channels), nn.ReLU(True))


class UNetGenerator(nn.Module):
    """Encoder-decoder with skips: each decoder level also sees the encoder's features at its size, so the
    edges' exact positions reach the output without squeezing through the 2 x 2 bottleneck.

    The paper's dropout (its only noise) is left out: G is deterministic, the same edges give the same shoe.
    """

    def __init__(self, config: Pix2PixConfig = Pix2PixConfig()):
        super().__init__()
        self.config = config
        c = config.base_channels
        self.down1 = down(1, c, norm=False)       # state size. (c) x 16 x 16
        self.down2 = down(c, 2 * c)               # state size. (2c) x 8 x 8
        self.down3 = down(2 * c, 4 * c)           # state size. (4c) x 4 x 4
        self.down4 = down(4 * c, 4 * c)           # state size. (4c) x 2 x 2
        self.up4 = up(4 * c, 4 * c)               # state size. (4c) x 4 x 4, then + down3
        self.up3 = up(8 * c, 2 * c)               # state size. (2c) x 8 x 8, then + down2
        self.up2 = up(4 * c, c)                   # state size. (c) x 16 x 16, then + down1
        self.up1 = nn.ConvTranspose2d(2 * c, 1, 4, 2, 1)  # state size. 1 x 32 x 32

    def forward(self, edges: torch.Tensor) -> torch.Tensor:
        d1 = self.down1(edges)
        d2 = self.down2(d1)
        d3 = self.down3(d2)
        d4 = self.down4(d3)
        u3 = torch.cat([self.up4(d4), d3], 1)
        u2 = torch.cat([self.up3(u3), d2], 1)
        u1 = torch.cat([self.up2(u2), d1], 1)
        return torch.tanh(self.up1(u1))


def build_discriminator(config: Pix2PixConfig) -> PatchDiscriminator:
    """The studio's PatchGAN on (edges, image) pairs: two halvings at 32 px give a 6 x 6 map of verdicts."""
    return PatchDiscriminator(DiscriminatorConfig(in_channels=2, channels=config.d_channels, n_layers=2))


# ----------------------------------------------------------------------------------------------------
# Training


class Pix2PixGame(Game):
    """G and its moving average, D on (edges, image) pairs; no critic is trained when adv_weight is 0."""

    def __init__(self, cfg: Pix2PixConfig, items: np.ndarray | None = None, eval_items: np.ndarray | None = None,
                 model=None):
        if cfg.gan_loss not in losses.GAN_LOSSES:
            raise ValueError(f"unknown GAN loss {cfg.gan_loss!r}; choose one of {losses.GAN_LOSSES}")
        super().__init__(cfg)
        self.ema, self.sample_every = cfg.ema, cfg.eval_every
        self.items, self.eval_items, self.model = items, eval_items, model

    def generator(self) -> UNetGenerator:
        return UNetGenerator(self.cfg)

    def discriminator(self) -> PatchDiscriminator:
        return build_discriminator(self.cfg)

    def optimizers(self, generator, discriminator):
        betas = (self.cfg.beta1, 0.999)
        return (torch.optim.Adam(generator.parameters(), lr=self.cfg.lr, betas=betas),
                torch.optim.Adam(discriminator.parameters(), lr=self.cfg.lr, betas=betas))

    def learning_rates(self, step: int) -> tuple[float, float]:
        return self.cfg.lr, self.cfg.lr

    def adversarial(self, step: int) -> bool:
        return self.cfg.adv_weight > 0   # 0: the L1-only model, whose D is never trained

    def batches(self, step: int, rank: int, world_size: int):
        """Random (edges, shoe) pairs, from a generator seeded by the step (a resumed run draws fresh batches)."""
        items = footwear("train") if self.items is None else self.items
        edges, real = padded(edges_of(items)), padded(items)
        random = torch.Generator().manual_seed(self.cfg.seed + step)
        while True:
            index = torch.randint(len(items), (self.cfg.batch_size,), generator=random)
            yield edges[index], real[index]

    def play(self, generator, batch):
        edges, real = batch
        return edges, real, generator(edges)

    def d_loss(self, critic, play):
        """Maximise log D(edges, shoe) + log(1 - D(edges, G(edges)))."""
        edges, real, fake = play
        d_real, _ = critic(torch.cat([edges, real], 1))
        d_fake, _ = critic(torch.cat([edges, fake.detach()], 1))
        loss_d = losses.d_loss(self.cfg.gan_loss, d_real, d_fake)
        return loss_d, {"loss_d": loss_d.item(), "d_real": torch.sigmoid(d_real).mean().item(),
                        "d_fake": torch.sigmoid(d_fake).mean().item()}

    def g_loss(self, critic, play):
        """Fool D on the pair, and stay close to the true shoe (L1)."""
        edges, real, fake = play
        l1 = (fake - real).abs().mean()
        loss_g, stats = self.cfg.l1_weight * l1, {}
        if critic is not None:
            adv = losses.g_loss(self.cfg.gan_loss, critic(torch.cat([edges, fake], 1))[0])
            loss_g = loss_g + self.cfg.adv_weight * adv
            stats["adv"] = adv.item()
        return loss_g, {**stats, "l1": l1.item(), "loss_g": loss_g.item()}

    def held_out(self) -> np.ndarray:
        return held_out() if self.eval_items is None else self.eval_items

    def sample(self, trainer, step: int) -> dict:
        """L1 and FD on the held-out items, logged for the Learn tab's plots."""
        return {f"eval_{k}": v for k, v in measure(trainer.generator_ema, self.held_out(), self.model).items()}

    def evaluate(self, trainer) -> dict:
        items = self.held_out()
        return {f"held_out_{len(items)}": measure(trainer.generator_ema, items, self.model)}

    def card(self, trainer) -> dict:
        cfg = self.cfg
        return {
            "what": "edges of a shoe (255 on a line) -> the shoe, 28 x 28 grey"
                    + (" (L1 only, no adversarial term)" if cfg.adv_weight == 0 else " (L1 + adversarial)"),
            "generator": network_card(trainer.generator, training_settings(cfg)),
            "discriminator": network_card(trainer.discriminator),
            "data": {"source": "Fashion-MNIST train split, sandals + sneakers + ankle boots (18,000 items)",
                     "edges": f"cv2.Canny(item, {CANNY_LOW}, {CANNY_HIGH}, L2gradient=True)"},
        }


Game = Pix2PixGame   # the name the training loop looks for


@torch.no_grad()
def measure(generator: UNetGenerator, items: np.ndarray, model=None) -> dict:
    """L1 to the truth (pixels in [0, 1]) and, if the classifier is shipped, FD to the true items."""
    outputs = translate_edges(generator, edges_of(items))
    numbers = {"l1": float(np.abs(outputs.astype(np.float32) - items).mean() / 255)}
    try:
        numbers["fd"] = classifier.frechet_distance(outputs, items, model)
    except FileNotFoundError:  # no classifier yet: L1 alone
        pass
    return numbers


@torch.no_grad()
def translate_edges(generator: UNetGenerator, edges: np.ndarray, batch_size: int = 500) -> np.ndarray:
    generator.eval()
    return np.concatenate([unpadded(generator(padded(edges[i:i + batch_size])))
                           for i in range(0, len(edges), batch_size)])


def held_out(n: int = 500, seed: int = 0) -> np.ndarray:
    """n test footwear items, the same ones every time."""
    items = footwear("test")
    return items[np.sort(np.random.default_rng(seed).choice(len(items), n, replace=False))]


def train(cfg: Pix2PixConfig, recipe: dict | None = None, items: np.ndarray | None = None,
          eval_items: np.ndarray | None = None, model=None) -> Trainer:
    """Train (or go on from cfg.out's checkpoint) through the one loop, export if cfg.export says so; returns the
    trainer. items default to the train split's footwear, eval_items to 500 held-out test items, model to the
    shipped classifier (tests pass tiny ones)."""
    return train_lib.run(Pix2PixGame(cfg, items, eval_items, model), recipe)


def export(trainer: Trainer, evaluation: dict | None = None, recipe: dict | None = None) -> Path:
    """cfg.weights_dir/NAME.safetensors (EMA generator + D) and its card, with the training command."""
    return train_lib.export(trainer, trainer.game.cfg.export, evaluation, recipe)


# ----------------------------------------------------------------------------------------------------
# Using a shipped model


def build_generator(path: str, device: str) -> UNetGenerator:
    """The generator of a pix2pix weights file, in eval mode (what registry.load caches)."""
    parts, card = load_parts(path)
    if card.get("task") != "pix2pix":
        raise ValueError(f"{path} is a {card.get('task')!r} model, not pix2pix")
    generator = UNetGenerator(Pix2PixConfig(**known_fields(Pix2PixConfig, card["generator"]["config"])))
    generator.load_state_dict(parts["generator"])
    return generator.to(device).eval()


def load_generator(weights: str = "pix2pix-shoes") -> UNetGenerator:
    return registry.load(weights, build_generator)


def sketch_to_shoe(edges, weights: str = "pix2pix-shoes") -> np.ndarray:
    """The shoe a pix2pix model draws for edges: uint8, 255 on a line, 0 elsewhere, (H, W) or (n, H, W).

    Returns uint8 of the same shape. Sketches of another size than 28 x 28 are shrunk to it (a pixel counts
    as a line if a quarter of it is covered), and the shoe is scaled back to the sketch's size.
    """
    return classifier.at_item_size(edges, lambda small: translate_edges(load_generator(weights), small), "edges",
                                   threshold=64)


def evaluate(names=("pix2pix-shoes", "pix2pix-shoes-l1"), n: int = 500) -> dict:
    """L1 to the truth and FD (classifier) of each model on the same n held-out test items."""
    items = held_out(n)
    return {name: measure(load_generator(name), items) for name in names}


def main(argv=None):
    """--evaluate NAME...: measure shipped models; anything else trains, as python -m gan_core.training --task pix2pix."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--evaluate", nargs="+", metavar="NAME", help="measure shipped models instead of training")
    args, rest = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    if args.evaluate:
        print(json.dumps(evaluate(args.evaluate), indent=2))
    else:
        cli.main(["--task", "pix2pix", *rest])


if __name__ == "__main__":
    main()
