"""Why CycleGAN needs its cycle, in 2D: two point clouds, two small generators, the round trip as arrows.

Cloud A is a ring, cloud B a bar. G_ab moves points of A onto B and G_ba moves points of B onto A; each
is judged by a least-squares critic of its target cloud. The critics only ask that the moved cloud *looks*
like the target, which many maps achieve, most of them scrambling which point goes where. The cycle loss
|G_ba(G_ab(a)) - a| asks that the way back returns each point: arrows from a to its round trip are then
short. Run with cycle_weight = 0 to see them grow long.

    result = train_toy_cycle(ToyCycleConfig(cycle_weight=0.0))
    result["round_trip_arrows"]   # (n, 2, 2): for each point of A, [start, end of its round trip]
"""
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn

from gan_core.core import losses
from gan_core.core.device import one_thread


@dataclass
class ToyCycleConfig:
    steps: int = 800
    batch_size: int = 128
    hidden: int = 64          # width of every generator and critic (two hidden layers)
    lr: float = 2e-3
    cycle_weight: float = 5.0  # 0 = no cycle loss: the clouds still match, the round trips do not
    n_points: int = 200       # points of each cloud returned for the plot
    seed: int = 0


def cloud_a(n: int, random: torch.Generator) -> torch.Tensor:
    """A ring of radius 0.5 around (-0.7, 0)."""
    angle = torch.rand(n, generator=random) * 2 * torch.pi
    radius = 0.5 + 0.04 * torch.randn(n, generator=random)
    return torch.stack([radius * angle.cos() - 0.7, radius * angle.sin()], 1)


def cloud_b(n: int, random: torch.Generator) -> torch.Tensor:
    """A vertical bar around (0.8, 0), 1.4 long."""
    return torch.stack([0.8 + 0.06 * torch.randn(n, generator=random), 1.4 * torch.rand(n, generator=random) - 0.7], 1)


def mlp(out_dim: int, hidden: int) -> nn.Sequential:
    """2 -> hidden -> hidden -> out_dim: a generator (out_dim 2, a point) or a critic (out_dim 1, a score)."""
    return nn.Sequential(nn.Linear(2, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, hidden), nn.LeakyReLU(0.2),
                         nn.Linear(hidden, out_dim))


def train_toy_cycle(config: ToyCycleConfig = ToyCycleConfig()) -> dict:
    """Train the toy and return points and arrows for a plot (numpy arrays) and the loss history."""
    with one_thread():  # tiny networks: one thread is fastest, and far faster on a busy CPU
        return _train(config)


def _train(config: ToyCycleConfig) -> dict:
    torch.manual_seed(config.seed)
    random = torch.Generator().manual_seed(config.seed)
    g_ab, g_ba = mlp(2, config.hidden), mlp(2, config.hidden)
    d_a, d_b = mlp(1, config.hidden), mlp(1, config.hidden)
    opt_g = torch.optim.Adam([*g_ab.parameters(), *g_ba.parameters()], lr=config.lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam([*d_a.parameters(), *d_b.parameters()], lr=config.lr, betas=(0.5, 0.999))
    history = {"step": [], "adv": [], "cycle": []}
    for step in range(config.steps):
        real_a, real_b = cloud_a(config.batch_size, random), cloud_b(config.batch_size, random)
        # (1) generators: look like the other cloud (least squares), and come back (cycle)
        fake_b, fake_a = g_ab(real_a), g_ba(real_b)
        adv = losses.g_loss("lsgan", d_b(fake_b)) + losses.g_loss("lsgan", d_a(fake_a))
        cycle = (g_ba(fake_b) - real_a).norm(dim=1).mean() + (g_ab(fake_a) - real_b).norm(dim=1).mean()
        opt_g.zero_grad(set_to_none=True)
        (adv + config.cycle_weight * cycle).backward()
        opt_g.step()
        # (2) critics: (D(real) - 1)^2 + D(fake)^2
        loss_d = (losses.d_loss("lsgan", d_a(real_a), d_a(fake_a.detach()))
                  + losses.d_loss("lsgan", d_b(real_b), d_b(fake_b.detach())))
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        if step % 10 == 0 or step == config.steps - 1:
            history["step"].append(step + 1)
            history["adv"].append(adv.item())
            history["cycle"].append(cycle.item())

    with torch.no_grad():
        points_a, points_b = cloud_a(config.n_points, random), cloud_b(config.n_points, random)
        fake_b, fake_a = g_ab(points_a), g_ba(points_b)
        back_a, back_b = g_ba(fake_b), g_ab(fake_a)
    to_numpy = lambda t: t.numpy().astype(np.float32)  # noqa: E731
    return {
        "points_a": to_numpy(points_a), "points_b": to_numpy(points_b),
        "fake_b": to_numpy(fake_b), "fake_a": to_numpy(fake_a),          # A moved onto B, B moved onto A
        "round_trip_a": to_numpy(back_a), "round_trip_b": to_numpy(back_b),
        "round_trip_arrows": np.stack([to_numpy(points_a), to_numpy(back_a)], 1),  # (n, 2, 2): start, end
        "mean_round_trip": float((back_a - points_a).norm(dim=1).mean()),
        "history": history,
    }
