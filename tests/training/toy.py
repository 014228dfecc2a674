"""A game small enough to train in milliseconds: G moves 2-D noise towards the point (1, 2), D is a linear critic.
The trainer and run-loop tests play it, so they test the round and the loop, not a model."""
from dataclasses import dataclass

import torch
import torch.nn as nn

from gan_core.core import losses
from gan_core.training.train import RunConfig, network_card
from gan_core.training.trainer import Game

TARGET = torch.tensor([1.0, 2.0])


@dataclass
class ToyConfig(RunConfig):
    task: str = "toy"
    out: str = "runs/toy"
    steps: int = 6
    lr: float = 0.05
    adv_start: int = 0
    log_every: int = 1
    checkpoint_every: int = 100


class Critic(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, x):
        return self.linear(x)[:, 0], [x]


class ToyGame(Game):
    def __init__(self, cfg: ToyConfig, critic: bool = True, d_first: bool = True, ema: float | None = 0.9):
        super().__init__(cfg)
        self.critic, self.d_first, self.ema, self.sample_every = critic, d_first, ema, 0
        self.moves = []   # "D" and "G" in the order the trainer played them

    def generator(self) -> nn.Module:
        return nn.Linear(2, 2)

    def discriminator(self):
        return Critic() if self.critic else None

    def optimizers(self, generator, discriminator):
        return (torch.optim.Adam(generator.parameters(), lr=self.cfg.lr),
                torch.optim.Adam(discriminator.parameters(), lr=self.cfg.lr) if discriminator is not None else None)

    def learning_rates(self, step):
        return self.cfg.lr, self.cfg.lr

    def adversarial(self, step):
        return step >= self.cfg.adv_start

    def batches(self, step, rank, world_size):
        random = torch.Generator().manual_seed(self.cfg.seed + step)
        while True:
            yield (torch.randn(8, 2, generator=random),)

    def play(self, generator, batch):
        (noise,) = batch
        return TARGET + 0.1 * noise, generator(noise)

    def d_loss(self, critic, play):
        self.moves.append("D")
        real, fake = play
        loss = losses.d_loss("hinge", critic(real)[0], critic(fake.detach())[0])
        return loss, {"loss_d": loss.item()}

    def g_loss(self, critic, play):
        self.moves.append("G")
        real, fake = play
        loss = (fake - real).abs().mean()
        if critic is not None:
            loss = loss + 0.1 * losses.g_loss("hinge", critic(fake)[0])
        return loss, {"loss_g": loss.item()}

    def evaluate(self, trainer):
        return {"distance": (trainer.generator(torch.zeros(1, 2))[0] - TARGET).norm().item()}

    def card(self, trainer):
        return {"generator": network_card(trainer.generator, {})}
