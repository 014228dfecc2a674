"""The inpainter learns the photo in front of it: test-time training on the photo's own known pixels.

A photo a person brings holds thousands of examples of its own textures and edges around the hole. Before it
fills, a copy of the shipped generator plays its own training game (gan_core.inpainting.game, with the loss
weights its model card records) on that photo alone: holes shaped like the user's are cut out of the known
pixels, G fills them, D judges, and G is charged for the pixels it hid. The user's hole itself is never a
target: its pixels are zeroed before anything sees the photo (and D is shown G's own fill there as "real"),
so nothing under the hole can leak into training, and an evaluation's ground truth stays unseen.

This is internal learning (Deep Image Prior, SinGAN, test-time adaptation) played by the one Trainer
(gan_core.training.trainer): adaptation has no training loop of its own.

    for step in adapt(generator, discriminator, card, photo, hole, AdaptConfig(steps=40)):
        step.generator   # the copy being adapted; fill with it at any step (gan_core.inpainting.fill)
"""
import copy
from collections.abc import Iterator
from dataclasses import dataclass, field, fields

import numpy as np
import torch
import torch.nn.functional as F

from gan_core.core import images, losses
from gan_core.core.device import cpu_has_bf16
from gan_core.inpainting.game import InpaintingGame
from gan_core.inpainting.masks import mask_of_size
from gan_core.photos.game import Play, TrainConfig
from gan_core.training import trainer as trainer_lib

DEFAULT_STEPS = 40     # adapt=True: the studio's budget (see docs/inpaint-adapt.md for its seconds)
CRITICS = ("adapted", "frozen", "none")
LOSSES = ("game", "l1")
HOLES = ("like", "strokes")
PRECISIONS = ("auto", "fp32", "bf16")


@dataclass
class AdaptConfig:
    """How the generator learns one photo."""
    steps: int = DEFAULT_STEPS
    lr_g: float = 5e-5           # Adam, betas (0.5, 0.99): a tenth of training's rate, so G keeps what it knows
    lr_d: float = 5e-5
    batch_size: int = 4
    crop: int = 192              # side of the training crops, at the scale the fill works at
    losses: str = "l1"           # "l1": L1 on the hidden pixels alone; "game": the weights' own training losses (card)
    critic: str = "none"         # with "game": D "adapted" alongside G, "frozen" (judges, never learns) or "none"
    holes: str = "like"          # "like": windows of the user's hole moved elsewhere; "strokes": random strokes
    keep_detail: float = 2.0     # > 0: fine detail above a Gaussian of this sigma (px) kept from the plain fill
    adv_weight: float | None = None   # weight of fooling D (None: the card's, as in training)
    fm_weight: float | None = None    # weight of D's feature matching (None: the card's)
    seed: int = 0
    precision: str = "auto"      # "auto": bfloat16 where native (AVX512-BF16, AMX, GPUs), else float32

    def __post_init__(self):
        for name, allowed in (("losses", LOSSES), ("critic", CRITICS), ("holes", HOLES), ("precision", PRECISIONS)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"unknown {name} {getattr(self, name)!r}; choose one of {', '.join(allowed)}")
        if self.steps < 0 or self.batch_size < 1 or self.crop < 64 or not (self.lr_g > 0 and self.lr_d > 0):
            raise ValueError("steps must be >= 0, batch_size >= 1, crop >= 64 and the learning rates > 0")


@dataclass
class AdaptStep:
    """Where adaptation is: after `step` of `steps` updates, with the losses of the last one."""
    step: int
    steps: int
    stats: dict = field(default_factory=dict)
    generator: torch.nn.Module | None = None


@dataclass
class AdaptPlay(Play):
    unknown: torch.Tensor | None = None   # 1 where the user's hole is: neither a target nor real for D


class AdaptGame(InpaintingGame):
    """The inpainter's own game, on crops of one photo.

    Batches are (photo crops, what G is told is missing, the known pixels it was made to fill, the user's hole);
    G is charged on the third only, and D calls real only the patches that do not see the user's hole."""
    feature_matching = True

    def __init__(self, train_cfg: TrainConfig, config: AdaptConfig, generator, discriminator,
                 photo: torch.Tensor, hole: torch.Tensor):
        super().__init__(train_cfg)
        self.config, self.shipped_g, self.shipped_d = config, generator, discriminator
        self.photo, self.hole = photo, hole   # (1, 3, H, W) in [-1, 1], (1, 1, H, W)
        self.ema, self.sample_every = None, 0
        self.bf16 = config.precision == "bf16" or (config.precision == "auto" and
                                                    (photo.device.type == "cuda" or cpu_has_bf16()))

    def generator(self):
        return copy.deepcopy(self.shipped_g).float().train().requires_grad_(True)

    def discriminator(self):
        if self.config.losses != "game" or self.config.critic == "none" or self.shipped_d is None:
            return None
        return copy.deepcopy(self.shipped_d).float().requires_grad_(True)

    def optimizers(self, generator, discriminator):
        betas = (0.5, 0.99)
        opt_d = None
        if discriminator is not None and self.config.critic == "adapted":
            opt_d = torch.optim.Adam(discriminator.parameters(), lr=self.config.lr_d, betas=betas)
        return torch.optim.Adam(generator.parameters(), lr=self.config.lr_g, betas=betas), opt_d

    def learning_rates(self, step: int):
        return self.config.lr_g, self.config.lr_d

    def adversarial(self, step: int) -> bool:
        return self.config.losses == "game"

    def batches(self, step: int, rank: int = 0, world_size: int = 1):
        """Crops of the photo near the hole, each with a training hole of the user's shape; forever."""
        rng = np.random.default_rng([self.config.seed, 28])
        while True:
            yield training_batch(self.photo, self.hole, self.config, rng)

    def play(self, generator, batch) -> AdaptPlay:
        real, seen, target, unknown = batch
        prediction = generator(real, seen)
        fake = prediction * seen + real * (1 - seen)
        # inside the user's hole the "real" photo is G's own fill: no pixel there can pull G either way
        real = real * (1 - unknown) + fake.detach() * unknown
        return AdaptPlay(real, fake, prediction, condition=seen, hole=target, unknown=unknown)

    def reconstruction(self, play: Play):
        if self.config.losses == "l1":
            l1 = losses.masked_l1(play.prediction.float(), play.real, play.hole)
            return l1, {"l1": l1.item()}
        return super().reconstruction(play)

    def d_loss(self, critic, play: AdaptPlay):
        """D's hinge (or the card's) loss: fakes are patches that see a training hole, reals those that see
        no hole at all (in the user's hole the "real" is G's own fill, not the photo)."""
        logits, features = self.judge(critic, play)
        play.real_features = [f.detach().chunk(2)[0] for f in features]
        d_real, d_fake = logits.chunk(2)
        seen_real = F.adaptive_max_pool2d(torch.maximum(play.unknown, play.condition), d_real.shape[-2:]) == 0
        if not seen_real.any():   # every patch sees a hole: a sure "real" logit, which costs D nothing
            seen_real, d_real = torch.ones(1, dtype=torch.bool), d_fake.detach().new_full((1,), 10.0)
        d_real, d_fake = d_real[seen_real], self.fake_logits(d_fake, play)
        loss_d = losses.d_loss(self.cfg.gan_loss, d_real, d_fake)
        return loss_d, {"loss_d": loss_d.item()}

    def g_loss(self, critic, play: AdaptPlay):
        if critic is not None and play.real_features is None:   # a frozen D has not looked at the real half
            with torch.no_grad():
                _, features = critic(self.critic_input(play.real, play.condition))
            play.real_features = [f.detach() for f in features]
        return super().g_loss(critic, play)


def hole_window(hole: np.ndarray, side: int, rng: np.random.Generator) -> np.ndarray:
    """A side x side window of the user's hole that holds some of it, flipped and turned at random."""
    height, width = hole.shape
    ys, xs = np.nonzero(hole)
    k = int(rng.integers(len(ys)))
    top = int(np.clip(ys[k] - rng.integers(side), 0, max(0, height - side)))
    left = int(np.clip(xs[k] - rng.integers(side), 0, max(0, width - side)))
    window = np.zeros((side, side), np.float32)
    part = hole[top:top + side, left:left + side]
    window[:part.shape[0], :part.shape[1]] = part
    return np.rot90(window[:, ::-1] if rng.random() < 0.5 else window, int(rng.integers(4))).copy()


def training_batch(photo: torch.Tensor, hole: torch.Tensor, config: AdaptConfig, rng: np.random.Generator):
    """(crops, seen holes, targets, user's hole) of one step: crops of the photo (near the user's hole half of
    the time), each hiding a training hole of the user's shape and the user's own hole."""
    _, _, height, width = photo.shape
    side = min(config.crop, height, width)
    hole_np = hole[0, 0].cpu().numpy()
    ys, xs = np.nonzero(hole_np)
    crops, seen, targets, unknown = [], [], [], []
    for _ in range(config.batch_size):
        if rng.random() < 0.5:   # around the hole, where the fill's own context is
            k = int(rng.integers(len(ys)))
            top = int(np.clip(ys[k] - rng.integers(side), 0, height - side))
            left = int(np.clip(xs[k] - rng.integers(side), 0, width - side))
        else:
            top, left = int(rng.integers(height - side + 1)), int(rng.integers(width - side + 1))
        user = hole[..., top:top + side, left:left + side]
        if config.holes == "like":
            train = hole_window(hole_np, side, rng)
        else:
            train = mask_of_size(side, side, "medium", rng)
        train = torch.from_numpy(train).to(photo.device)[None, None]
        crops.append(photo[..., top:top + side, left:left + side])
        seen.append(torch.maximum(train, user))
        targets.append(train * (1 - user))
        unknown.append(user)
    return tuple(torch.cat(t).contiguous(memory_format=torch.channels_last) for t in (crops, seen, targets, unknown))


def adapt(generator, discriminator, card: dict, photo: np.ndarray, hole: np.ndarray,
          config: AdaptConfig = AdaptConfig(), device: torch.device | None = None) -> Iterator[AdaptStep]:
    """Adapt a copy of `generator` to the 8-bit photo `photo` (HxWx3, at the scale the fill works at) whose
    hole (HxW, 1 = unknown) holds no information; yields an AdaptStep before the first update and after each.

    Seeded by config.seed: the same photo, hole, config and thread count give the same weights."""
    device = device or next(generator.parameters()).device
    if not (hole > 0).any():
        raise ValueError("the hole is empty: nothing to learn for")
    if (hole > 0).all():
        raise ValueError("the hole covers the whole photo: there are no known pixels to learn from")
    known = {f.name for f in fields(TrainConfig)}
    train_cfg = TrainConfig(**{k: v for k, v in card.get("training", {}).items() if k in known})
    for name in ("adv_weight", "fm_weight"):
        if getattr(config, name) is not None:
            setattr(train_cfg, name, getattr(config, name))
    photo_t = images.to_tensor(photo).permute(2, 0, 1)[None].to(device)
    hole_t = torch.from_numpy((hole > 0).astype(np.float32)).to(device)[None, None]
    game = AdaptGame(train_cfg, config, generator, discriminator, photo_t * (1 - hole_t), hole_t)
    trainer = trainer_lib.Trainer(game, device)
    trainer.generator.to(memory_format=torch.channels_last)
    yield AdaptStep(0, config.steps, {}, trainer.generator.eval())
    batches = game.batches(0)
    for step in range(1, config.steps + 1):
        stats = trainer.step(next(batches))
        yield AdaptStep(step, config.steps, stats, trainer.generator.eval())
