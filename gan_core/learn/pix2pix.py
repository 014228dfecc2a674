"""pix2pix (Isola et al. 2017) at Fashion-MNIST size: the edges of a shoe in, the shoe out.

    python -m gan_core.learn.pix2pix --out runs/pix2pix --steps 6000 --export pix2pix-shoes
    python -m gan_core.learn.pix2pix --out runs/pix2pix-l1 --adv-weight 0 --steps 6000 --export pix2pix-shoes-l1
    python -m gan_core.learn.pix2pix --evaluate pix2pix-shoes pix2pix-shoes-l1
    python -m gan_core.training --recipe pix2pix-shoes      # the same, as recipes/pix2pix_shoes.py says

A paired, conditional GAN: every training item is (edges, shoe), with edges made here by OpenCV's Canny
detector from Fashion-MNIST's footwear (sandals, sneakers, ankle boots). G is a small U-Net; D is a PatchGAN
that judges (edges, image) pairs, patch by patch. G minimises

    adversarial(D(edges, G(edges))) + lambda * |G(edges) - shoe|_1           (lambda = 100 as in the paper)

L1 alone gets the average of all shoes that fit the edges: the right shape, blurry inside. The adversarial
term pushes G to one sharp, plausible shoe instead. adv_weight = 0 trains the same G with L1 only, to show it.
The studio's photo inpainter is the same kind of model: a conditional G, a PatchGAN critic, L1 + adversarial.
"""
import copy
import dataclasses
import functools
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from gan_core.learn import classifier
from gan_core.core import losses
from gan_core.training import runs
from gan_core.core.layers import DiscriminatorConfig, PatchDiscriminator, update_ema
from gan_core.core.weights import load_parts, named_weights, save_parts

FOOTWEAR = (5, 7, 9)          # Fashion-MNIST's sandal, sneaker, ankle boot
SIDE = 32                     # the networks see 28 px items padded to 32, so four halvings stay whole
CANNY_LOW, CANNY_HIGH = 50, 150


@dataclass
class Pix2PixConfig(runs.RunConfig):
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


TrainConfig = Pix2PixConfig  # the name a recipe's trainer module has (gan_core.training.recipes)


# ----------------------------------------------------------------------------------------------------
# Data: edges made here


def edges_of(images: np.ndarray) -> np.ndarray:
    """Canny edges (255 on a line, 0 elsewhere) of uint8 images (n, H, W)."""
    return np.stack([cv2.Canny(image, CANNY_LOW, CANNY_HIGH, L2gradient=True) for image in images])


def footwear(split: str) -> np.ndarray:
    """uint8 (n, 28, 28) sandals, sneakers and ankle boots of a Fashion-MNIST split."""
    images, labels = classifier.fashion_split(split)
    return images[np.isin(labels, FOOTWEAR)]


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """uint8 (n, 28, 28) -> (n, 1, 32, 32) in [-1, 1], padded with black (-1)."""
    tensor = torch.from_numpy(np.array(images, dtype=np.float32))[:, None] / 127.5 - 1
    pad = (SIDE - tensor.shape[-1]) // 2
    return F.pad(tensor, (pad, pad, pad, pad), value=-1.0)


def to_uint8(tensor: torch.Tensor) -> np.ndarray:
    """(n, 1, 32, 32) in [-1, 1] -> uint8 (n, 28, 28), the padding cropped off."""
    pad = (SIDE - 28) // 2
    return tensor[:, 0, pad:SIDE - pad, pad:SIDE - pad].clamp(-1, 1).add(1).mul(127.5).round().to(torch.uint8).numpy()


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


class Pix2Pix:
    """G, its moving average, D and their optimisers; `step` plays one round of the game."""

    def __init__(self, cfg: Pix2PixConfig):
        if cfg.gan_loss not in losses.GAN_LOSSES:
            raise ValueError(f"unknown GAN loss {cfg.gan_loss!r}; choose one of {losses.GAN_LOSSES}")
        self.cfg = cfg
        self.generator = UNetGenerator(cfg)
        self.generator_ema = copy.deepcopy(self.generator).eval().requires_grad_(False)
        self.discriminator = build_discriminator(cfg)
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=cfg.lr, betas=(cfg.beta1, 0.999))
        self.opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=cfg.lr, betas=(cfg.beta1, 0.999))
        self.step_count = 0

    def step(self, edges: torch.Tensor, real: torch.Tensor) -> dict:
        cfg, stats = self.cfg, {}
        fake = self.generator(edges)
        adversarial = cfg.adv_weight > 0

        # (1) Update D: maximise log D(edges, shoe) + log(1 - D(edges, G(edges)))
        if adversarial:
            self.discriminator.requires_grad_(True)
            d_real, _ = self.discriminator(torch.cat([edges, real], 1))
            d_fake, _ = self.discriminator(torch.cat([edges, fake.detach()], 1))
            loss_d = losses.d_loss(cfg.gan_loss, d_real, d_fake)
            self.opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            self.opt_d.step()
            stats.update(loss_d=loss_d.item(), d_real=torch.sigmoid(d_real).mean().item(),
                         d_fake=torch.sigmoid(d_fake).mean().item())

        # (2) Update G: fool D on the pair, and stay close to the true shoe (L1)
        l1 = (fake - real).abs().mean()
        loss_g = cfg.l1_weight * l1
        if adversarial:
            self.discriminator.requires_grad_(False)
            adv = losses.g_loss(cfg.gan_loss, self.discriminator(torch.cat([edges, fake], 1))[0])
            loss_g = loss_g + cfg.adv_weight * adv
            stats["adv"] = adv.item()
        self.opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        self.opt_g.step()
        update_ema(self.generator_ema, self.generator, cfg.ema, self.step_count)
        self.step_count += 1
        return {**stats, "l1": l1.item(), "loss_g": loss_g.item()}

    def state_dict(self) -> dict:
        return {"generator": self.generator.state_dict(), "generator_ema": self.generator_ema.state_dict(),
                "discriminator": self.discriminator.state_dict(), "opt_g": self.opt_g.state_dict(),
                "opt_d": self.opt_d.state_dict(), "step": self.step_count}

    def load_state_dict(self, state: dict):
        for name in ("generator", "generator_ema", "discriminator", "opt_g", "opt_d"):
            getattr(self, name).load_state_dict(state[name])
        self.step_count = state["step"]


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
    return np.concatenate([to_uint8(generator(to_tensor(edges[i:i + batch_size])))
                           for i in range(0, len(edges), batch_size)])


def held_out(n: int = 500, seed: int = 0) -> np.ndarray:
    """n test footwear items, the same ones every time."""
    items = footwear("test")
    return items[np.sort(np.random.default_rng(seed).choice(len(items), n, replace=False))]


def train(cfg: Pix2PixConfig, recipe: dict | None = None, items: np.ndarray | None = None,
          eval_items: np.ndarray | None = None, model=None) -> Pix2Pix:
    """Train (or resume from cfg.out/checkpoint.pt), export if cfg.export says so, and return the game.
    recipe: {"name", "stage"} for the card; items default to the train split's footwear, eval_items to 500
    held-out test items, model to the shipped classifier (tests pass tiny ones)."""
    run_dir, state = runs.start_run(cfg)
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    items = footwear("train") if items is None else items
    eval_items = held_out() if eval_items is None else eval_items
    edges, real = to_tensor(edges_of(items)), to_tensor(items)
    game = Pix2Pix(cfg)

    def play_step(random):
        index = torch.randint(len(items), (cfg.batch_size,), generator=random)
        game.generator.train()
        return game.step(edges[index], real[index])

    runs.train_game(cfg, game, state, play_step, lambda: measure(game.generator_ema, eval_items, model))
    if cfg.export:
        numbers = measure(game.generator_ema, eval_items, model)
        path = export(game, {f"held_out_{len(eval_items)}": numbers}, recipe)
        print("exported", path, numbers)
    return game


def export(game: Pix2Pix, evaluation: dict | None = None, recipe: dict | None = None) -> Path:
    """cfg.weights_dir/NAME.safetensors (EMA generator + D) and its card, with the training command."""
    cfg = game.cfg
    state = runs.load_checkpoint(cfg.out)
    card = {
        "name": cfg.export, "task": "pix2pix",
        "what": "edges of a shoe (255 on a line) -> the shoe, 28 x 28 grey"
                + (" (L1 only, no adversarial term)" if cfg.adv_weight == 0 else " (L1 + adversarial)"),
        "generator": {"class": "UNetGenerator", "config": runs.training_settings(cfg),
                      "parameters": sum(p.numel() for p in game.generator.parameters())},
        "discriminator": {"class": "PatchDiscriminator", "config": dataclasses.asdict(game.discriminator.config),
                          "parameters": sum(p.numel() for p in game.discriminator.parameters())},
        "data": {"source": "Fashion-MNIST train split, sandals + sneakers + ankle boots (18,000 items)",
                 "edges": f"cv2.Canny(item, {CANNY_LOW}, {CANNY_HIGH}, L2gradient=True)"},
        **runs.card_training(cfg, state, "gan_core.learn.pix2pix", recipe), "evaluation": evaluation or {},
    }
    return save_parts(Path(cfg.weights_dir) / f"{cfg.export}.safetensors",
                      {"generator": game.generator_ema, "discriminator": game.discriminator}, card)


# ----------------------------------------------------------------------------------------------------
# Using a shipped model


@functools.lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> UNetGenerator:
    parts, card = load_parts(path)
    if card.get("task") != "pix2pix":
        raise ValueError(f"{path} is a {card.get('task')!r} model, not pix2pix")
    generator = UNetGenerator(Pix2PixConfig(**card["generator"]["config"]))
    generator.load_state_dict(parts["generator"])
    return generator.eval()


def load_generator(weights: str = "pix2pix-shoes") -> UNetGenerator:
    path = named_weights(weights)
    return _load(str(path), path.stat().st_mtime)


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
    runs.main(__doc__, Pix2PixConfig, train, argv, evaluate, "+")


if __name__ == "__main__":
    main()
