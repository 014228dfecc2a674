"""CycleGAN (Zhu et al. 2017) at Fashion-MNIST size: sandals (A) <-> sneakers (B), never paired.

    python -m gan_core.learn.cyclegan --out runs/cyclegan --steps 10000 --export cyclegan-shoes
    python -m gan_core.learn.cyclegan --evaluate cyclegan-shoes
    python -m gan_core.training --recipe cyclegan-shoes     # the same, as recipes/cyclegan_shoes.py says

Two generators, G_ab: A -> B and G_ba: B -> A, and two critics, D_b (real sneaker or G_ab's?) and D_a.
With unpaired data nothing says which sneaker a sandal should become; the cycle loss asks that the way back
returns the sandal, so the translation has to keep what it can (shape, size, position). G minimises

    LS-GAN: (D_b(G_ab(a)) - 1)^2 + (D_a(G_ba(b)) - 1)^2
    + cycle_weight * (|G_ba(G_ab(a)) - a|_1 + |G_ab(G_ba(b)) - b|_1)
    + identity_weight * (|G_ab(b) - b|_1 + |G_ba(a) - a|_1)      (optional: a sneaker is left a sneaker)

and each critic the least-squares loss (D(real) - 1)^2 + D(fake)^2, as in the paper. Left out for
brevity: the paper's pool of 50 past fakes for the critics, and its learning-rate decay.
"""
import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from gan_core.learn import classifier
from gan_core.core import losses
from gan_core.training import runs
from gan_core.core.layers import DiscriminatorConfig, PatchDiscriminator
from gan_core.core.weights import load_parts, named_weights, save_parts

CLASS_A, CLASS_B = 5, 7       # Fashion-MNIST's sandal and sneaker
DIRECTIONS = ("a2b", "b2a")


@dataclass
class CycleGANConfig(runs.RunConfig):
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


TrainConfig = CycleGANConfig  # the name a recipe's trainer module has (gan_core.training.recipes)


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


# ----------------------------------------------------------------------------------------------------
# Data


def class_items(split: str, label: int) -> np.ndarray:
    images, labels = classifier.fashion_split(split)
    return images[labels == label]


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """uint8 (n, H, W) -> (n, 1, H, W) in [-1, 1]."""
    return torch.from_numpy(np.array(images, dtype=np.float32))[:, None] / 127.5 - 1


def to_uint8(tensor: torch.Tensor) -> np.ndarray:
    return tensor[:, 0].clamp(-1, 1).add(1).mul(127.5).round().to(torch.uint8).numpy()


# ----------------------------------------------------------------------------------------------------
# Training


class CycleGAN:
    """The four networks and two optimisers (one for both generators, one for both critics)."""

    NETWORKS = ("g_ab", "g_ba", "d_a", "d_b")

    def __init__(self, cfg: CycleGANConfig):
        self.cfg = cfg
        self.g_ab, self.g_ba = ResnetGenerator(cfg), ResnetGenerator(cfg)
        self.d_a, self.d_b = build_discriminator(cfg), build_discriminator(cfg)
        betas = (cfg.beta1, 0.999)
        self.opt_g = torch.optim.Adam([*self.g_ab.parameters(), *self.g_ba.parameters()], lr=cfg.lr, betas=betas)
        self.opt_d = torch.optim.Adam([*self.d_a.parameters(), *self.d_b.parameters()], lr=cfg.lr, betas=betas)
        self.step_count = 0

    def step(self, real_a: torch.Tensor, real_b: torch.Tensor) -> dict:
        cfg = self.cfg
        critic = lambda d, x: d(x)[0]  # noqa: E731 - the PatchGAN's map of verdicts, without its features

        # (1) Update G_ab and G_ba: fool the critics, come back on the round trip, leave the target class alone
        self.d_a.requires_grad_(False)
        self.d_b.requires_grad_(False)
        fake_b, fake_a = self.g_ab(real_a), self.g_ba(real_b)
        adv = losses.g_loss("lsgan", critic(self.d_b, fake_b)) + losses.g_loss("lsgan", critic(self.d_a, fake_a))
        cycle = (self.g_ba(fake_b) - real_a).abs().mean() + (self.g_ab(fake_a) - real_b).abs().mean()
        loss_g = adv + cfg.cycle_weight * cycle
        stats = {"adv": adv.item(), "cycle": cycle.item()}
        if cfg.identity_weight > 0:
            identity = (self.g_ab(real_b) - real_b).abs().mean() + (self.g_ba(real_a) - real_a).abs().mean()
            loss_g = loss_g + cfg.identity_weight * identity
            stats["identity"] = identity.item()
        self.opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        self.opt_g.step()

        # (2) Update D_a and D_b: (D(real) - 1)^2 + D(fake)^2 each
        self.d_a.requires_grad_(True)
        self.d_b.requires_grad_(True)
        loss_d_a = losses.d_loss("lsgan", critic(self.d_a, real_a), critic(self.d_a, fake_a.detach()))
        loss_d_b = losses.d_loss("lsgan", critic(self.d_b, real_b), critic(self.d_b, fake_b.detach()))
        self.opt_d.zero_grad(set_to_none=True)
        (loss_d_a + loss_d_b).backward()
        self.opt_d.step()
        self.step_count += 1
        return {**stats, "loss_g": loss_g.item(), "loss_d_a": loss_d_a.item(), "loss_d_b": loss_d_b.item()}

    def state_dict(self) -> dict:
        state = {name: getattr(self, name).state_dict() for name in (*self.NETWORKS, "opt_g", "opt_d")}
        return {**state, "step": self.step_count}

    def load_state_dict(self, state: dict):
        for name in (*self.NETWORKS, "opt_g", "opt_d"):
            getattr(self, name).load_state_dict(state[name])
        self.step_count = state["step"]


@torch.no_grad()
def run(generator: ResnetGenerator, images: np.ndarray, batch_size: int = 500) -> np.ndarray:
    generator.eval()
    return np.concatenate([to_uint8(generator(to_tensor(images[i:i + batch_size])))
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
          model=None) -> CycleGAN:
    """Train (or resume from cfg.out/checkpoint.pt), export if cfg.export says so, and return the game.
    recipe: {"name", "stage"} for the card; items default to the train split's sandals and sneakers, drawn
    independently (never paired); eval_items = (A, B) default to 500 test items each."""
    run_dir, state = runs.start_run(cfg)
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    items_a = class_items("train", CLASS_A) if items_a is None else items_a
    items_b = class_items("train", CLASS_B) if items_b is None else items_b
    eval_a, eval_b = eval_items or (held_out(CLASS_A), held_out(CLASS_B))
    real_a, real_b = to_tensor(items_a), to_tensor(items_b)
    game = CycleGAN(cfg)

    def play_step(random):
        index_a = torch.randint(len(real_a), (cfg.batch_size,), generator=random)
        index_b = torch.randint(len(real_b), (cfg.batch_size,), generator=random)
        game.g_ab.train(), game.g_ba.train()
        return game.step(real_a[index_a], real_b[index_b])

    runs.train_game(cfg, game, state, play_step, lambda: measure(game.g_ab, game.g_ba, eval_a, eval_b, model))
    if cfg.export:
        numbers = measure(game.g_ab, game.g_ba, eval_a, eval_b, model)
        path = export(game, {f"held_out_{len(eval_a)}_each": numbers}, recipe)
        print("exported", path, numbers)
    return game


def export(game: CycleGAN, evaluation: dict | None = None, recipe: dict | None = None) -> Path:
    """cfg.weights_dir/NAME.safetensors (both generators and both critics) and its card."""
    cfg = game.cfg
    card = {
        "name": cfg.export, "task": "cyclegan",
        "what": "sandals (A) <-> sneakers (B), 28 x 28 grey, trained without pairs",
        "parameters": {n: sum(p.numel() for p in getattr(game, n).parameters()) for n in game.NETWORKS},
        "data": {"source": "Fashion-MNIST train split: 6,000 sandals (class 5) and 6,000 sneakers (class 7), "
                           "batches drawn independently"},
        **runs.card_training(cfg, runs.load_checkpoint(cfg.out), "gan_core.learn.cyclegan", recipe),
        "evaluation": evaluation or {},
    }
    path = save_parts(Path(cfg.weights_dir) / f"{cfg.export}.safetensors",
                      {n: getattr(game, n) for n in game.NETWORKS}, card)
    runs.ship_log(cfg.out, cfg.weights_dir, cfg.export)
    return path


# ----------------------------------------------------------------------------------------------------
# Using a shipped model


@functools.lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> dict:
    parts, card = load_parts(path)
    if card.get("task") != "cyclegan":
        raise ValueError(f"{path} is a {card.get('task')!r} model, not a CycleGAN")
    generators = {}
    for name in ("g_ab", "g_ba"):
        generators[name] = ResnetGenerator(CycleGANConfig(**card["training"]))
        generators[name].load_state_dict(parts[name])
        generators[name].eval()
    return generators


def load_generators(weights: str = "cyclegan-shoes") -> dict:
    path = named_weights(weights)
    return _load(str(path), path.stat().st_mtime)


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
    runs.main(__doc__, CycleGANConfig, train, argv, evaluate)


if __name__ == "__main__":
    main()
