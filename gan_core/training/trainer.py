"""The one trainer: G, D, the moving average of G, two optimisers, the learning rates, and one round of the game.

Each step is the alternating game of Goodfellow et al. (2014):
  (1) update D: maximise log D(x) + log(1 - D(G(z)))   (or the hinge / least-squares version of it)
  (2) update G: minimise what the game charges it: being found out by D, and straying from the target
Every model trained here is a Game (below) played by this one Trainer: the game builds the networks and the
optimisers, says how a batch becomes a real and a fake, and what D and G each pay; the trainer plays the round.
A task without a critic (the classifier; pix2pix with L1 alone) is the same round without step (1).

An exponential moving average (EMA) of G's weights is what the photo, pix2pix and MRI games sample from and
export: it is smoother than the raw G, which jumps around with every step of the game.
"""
import copy

import torch
import torch.nn as nn

from gan_core.core.layers import update_ema
from gan_core.core.weights import load_parts


def linear_decay(step: int, decay_from: int, steps: int) -> float:
    """1 until step `decay_from`, then linearly down to 0 at `steps` (the pix2pix schedule): the last steps
    average out the noise of the updates. decay_from 0: always 1."""
    if not decay_from or step < decay_from:
        return 1.0
    return max(0.0, (steps - step) / max(1, steps - decay_from))


class Game:
    """What a model brings to the Trainer. A game has a config `cfg` (a dataclass; see gan_core.training.train)
    and fills in:

        generator(), discriminator()     the networks (discriminator None: a task without a critic)
        optimizers(g, d)                 their optimisers (d's None when there is no critic, or it is frozen)
        learning_rates(step)             (G's, D's) learning rate at a step
        play(generator, batch)           G's move: what D will judge and G will be charged for
        d_loss(critic, play)             (D's loss, numbers to log); critic(x) -> (logits, features)
        g_loss(critic, play)             (G's loss, numbers to log); critic is None before D has a say
        batches(step, rank, world_size)  training batches (tuples of tensors) from a step on, forever
        sample(trainer, step)            numbers (and a picture in the run folder) every sample_every steps
        evaluate(trainer)                the numbers the model card records, at the end of a run
        card(trainer), parts(trainer)    what the model card says of the networks; the networks exported
        start_from(trainer, path)        begin from exported weights (a recipe's start_from)
    """
    d_first = True            # (1) D, then (2) G; CycleGAN moves its generators first
    ema: float | None = None  # decay of G's moving average; None: G itself is exported
    bf16 = False              # bfloat16 autocast of the networks' forward passes
    sample_every = 0          # call sample() every this many steps (0: never)
    ships_story = False       # export copies the run's log (and sample grids) beside the weights

    def __init__(self, cfg):
        self.cfg = cfg

    def seed(self, rank: int) -> int | None:
        """The seed of torch's global generator before the networks are built (None: leave it as it is)."""
        return self.cfg.seed + rank

    def discriminator(self) -> nn.Module | None:
        return None

    def adversarial(self, step: int) -> bool:
        """Whether D plays at this step (a game may warm up on its reconstruction alone)."""
        return True

    def learning_rates(self, step: int) -> tuple[float, float | None]:
        raise NotImplementedError

    def sample(self, trainer, step: int) -> dict:
        return {}

    def evaluate(self, trainer) -> dict:
        return {}

    def parts(self, trainer) -> dict[str, nn.Module]:
        """The networks the weights file holds, by name: G's moving average (or G) and D."""
        generator = trainer.generator_ema if trainer.generator_ema is not None else trainer.generator
        parts = {"generator": generator}
        if trainer.discriminator is not None:
            parts["discriminator"] = trainer.discriminator
        return parts

    def start_from(self, trainer, path: str):
        """Begin from exported weights: every exported network goes back in its place, and G's exported
        average becomes G too (G, its average and the starting point are one)."""
        exported, _ = load_parts(path)
        for name, network in self.parts(trainer).items():
            network.load_state_dict(exported[name])
        if trainer.generator_ema is not None:
            trainer.generator.load_state_dict(trainer.generator_ema.state_dict())


class Trainer:
    """Holds a game's networks, optimisers and step counter; `step(batch)` plays one round of the game."""

    def __init__(self, game: Game, device: torch.device = torch.device("cpu"), rank: int = 0, world_size: int = 1):
        self.game, self.device, self.rank, self.world_size = game, device, rank, world_size
        self.generator = game.generator().to(device)
        discriminator = game.discriminator()
        self.discriminator = discriminator.to(device) if discriminator is not None else None
        self.generator_ema = None
        if game.ema is not None:
            self.generator_ema = copy.deepcopy(self.generator).eval().requires_grad_(False)
        self.opt_g, self.opt_d = game.optimizers(self.generator, self.discriminator)
        self.step_count, self.wall_seconds = 0, 0.0
        self.g_train, self.d_train = self.generator, self.discriminator
        if world_size > 1:  # gradients are averaged across processes by DDP
            ddp = torch.nn.parallel.DistributedDataParallel
            ids = [device.index] if device.type == "cuda" else None
            self.g_train = ddp(self.generator, device_ids=ids)
            if self.discriminator is not None:
                self.d_train = ddp(self.discriminator, device_ids=ids)

    def autocast(self):
        return torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.game.bf16)

    def critic(self, discriminator: nn.Module):
        """D as the games call it: run under autocast, its logits handed back in float32, its features as they are."""
        def judge(*inputs):
            with self.autocast():
                logits, features = discriminator(*inputs)
            return logits.float(), features
        return judge

    def set_learning_rates(self):
        lr_g, lr_d = self.game.learning_rates(self.step_count)
        for optimiser, lr in ((self.opt_g, lr_g), (self.opt_d, lr_d)):
            if optimiser is not None:
                for group in optimiser.param_groups:
                    group["lr"] = lr

    def step(self, batch) -> dict:
        """One round of the game on a batch (a tuple of tensors); returns the numbers to log."""
        game = self.game
        self.set_learning_rates()
        batch = [t.to(self.device, non_blocking=True) for t in batch]
        self.generator.train()
        with self.autocast():
            play = game.play(self.g_train, batch)   # G's move: real x and fake G(z), and what the losses need
        adversarial = self.discriminator is not None and game.adversarial(self.step_count)
        d_learns = adversarial and self.opt_d is not None   # a frozen critic (no optimiser) only judges
        stats = {}
        if d_learns and game.d_first:
            stats.update(self.update_d(play))
        stats.update(self.update_g(play, adversarial))
        if d_learns and not game.d_first:
            stats.update(self.update_d(play))
        if self.generator_ema is not None:
            update_ema(self.generator_ema, self.generator, game.ema, self.step_count)
        self.step_count += 1
        return stats

    def update_d(self, play) -> dict:
        """(1) Update D: maximise log D(x) + log(1 - D(G(z))), i.e. minimise the game's critic loss."""
        self.discriminator.requires_grad_(True)
        loss_d, stats = self.game.d_loss(self.critic(self.d_train), play)
        self.opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        self.opt_d.step()
        return stats

    def update_g(self, play, adversarial: bool) -> dict:
        """(2) Update G: minimise the game's generator loss; D only judges here (no gradients of its own, and
        the raw module, so that DDP does not synchronise D in this half)."""
        if self.discriminator is not None:
            self.discriminator.requires_grad_(False)
        critic = self.critic(self.discriminator) if adversarial else None
        loss_g, stats = self.game.g_loss(critic, play)
        self.opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        self.opt_g.step()
        return stats

    # -- checkpoints: what train.py writes and reads -------------------------------------------------------

    NETWORKS = ("generator", "discriminator", "generator_ema", "opt_g", "opt_d")

    def state_dict(self) -> dict:
        state = {name: getattr(self, name).state_dict() for name in self.NETWORKS if getattr(self, name) is not None}
        return {**state, "step": self.step_count, "wall_seconds": self.wall_seconds}

    def load_state_dict(self, state: dict):
        for name in self.NETWORKS:
            if getattr(self, name) is not None:
                getattr(self, name).load_state_dict(state[name])
        self.step_count, self.wall_seconds = int(state["step"]), float(state["wall_seconds"])
