"""A 2D GAN playground: a tiny generator and discriminator play their game on point clouds you can see.

The generator G turns random noise z into points in the plane; the discriminator D gives every point a
score (a logit: high means "looks real"). They play the game of Goodfellow et al. (2014),

    min_G max_D  E_x[log D(x)] + E_z[log(1 - D(G(z)))],

one small step at a time: k updates of D, then one update of G (Algorithm 1 of the paper). Because the
data is 2D, the whole game fits in one picture, as in GAN Lab (Kahng et al. 2018): D's opinion of every
point as a background heatmap, the real and generated points, the direction each generated point is
pushed (-dLoss_G/dG(z)), and how G bends a regular grid of noise into the plane.

    gan = ToyGAN(PRESETS["Mode collapse: minimax loss on the ring"].config)
    gan.step(100)                                  # 100 rounds of the game
    image = render(gan.snapshot(), size=400)       # (400, 400, 3) uint8
    for stage in gan.slow_step():                  # the same round, stage by stage, with its numbers
        print(stage.name, stage.numbers)

Everything is small enough for a 2-core CPU: hundreds of steps per second and a frame in a few ms. The
words that explain the presets and the stages are the studio's (studio/lessons.py, in two languages).
"""
import copy
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn

from gan_core.core.device import one_thread  # tiny MLPs: one thread is fastest, far faster on a busy CPU
from gan_core.core.losses import GAN_LOSSES, d_loss, g_loss, gradient_penalty
from gan_core.learn.toy.render import history_table, render  # noqa: F401 (the playground's API)
from gan_core.learn.toy.targets import TARGET_STD, TARGETS, VIEW_LIMIT, js_bits, kl_bits, mode_centres, mode_stats, points_from_drawing, sample_target, smoothed_histogram

OPTIMIZERS = ("adam", "sgd")

# ----------------------------------------------------------------------------------------------------
# Configuration


@dataclass
class ToyConfig:
    # what the generator should learn to imitate
    target: str = "ring"              # one of TARGETS
    drawn_points: list = field(default_factory=list)  # [(x, y), ...] in view coordinates, for target="drawn"
    # the two players: MLPs with `depth` hidden layers of `hidden` ReLU units each
    noise_dim: int = 2                # size of z; with 2 we can draw G's whole input space as a grid
    hidden: int = 64
    depth: int = 2
    # the game
    loss: str = "nonsaturating"       # one of gan_core.core.losses.GAN_LOSSES; "wgan" adds a gradient penalty (WGAN-GP)
    gp_weight: float = 0.1            # lambda of the gradient penalty, used only when loss="wgan"
    optimizer: str = "adam"           # "adam" (beta1 = 0.5, as in DCGAN) or plain "sgd"
    lr_g: float = 1e-3                # generator learning rate
    lr_d: float = 1e-3                # discriminator learning rate
    d_steps: int = 2                  # D updates per G update (k in Algorithm 1); more keeps D ahead of G
    batch_size: int = 128             # real and fake points per update
    seed: int = 0                     # fixes the initial weights, the data and the noise
    metric_every: int = 10            # record JS / KL / modes covered every this many steps

    def __post_init__(self):
        self.validate()

    def validate(self) -> None:
        """Raise ValueError with a readable message if a setting cannot work."""
        if self.target not in TARGETS:
            raise ValueError(f"unknown target {self.target!r}; choose one of {TARGETS}")
        if self.target == "drawn":
            points = np.asarray(self.drawn_points, dtype=np.float32)
            if points.size == 0 or points.ndim != 2 or points.shape[1] != 2:
                raise ValueError("target 'drawn' needs drawn_points: a non-empty list of (x, y) pairs")
        if self.loss not in GAN_LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; choose one of {GAN_LOSSES}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; choose one of {OPTIMIZERS}")
        if self.noise_dim < 1:
            raise ValueError(f"noise_dim must be at least 1 (the generator needs some noise), got {self.noise_dim}")
        for name, least in (("hidden", 1), ("depth", 0), ("d_steps", 1), ("batch_size", 2), ("metric_every", 1)):
            if getattr(self, name) < least:
                raise ValueError(f"{name} must be at least {least}, got {getattr(self, name)}")
        if self.lr_g <= 0 or self.lr_d <= 0:
            raise ValueError(f"learning rates must be positive, got lr_g={self.lr_g}, lr_d={self.lr_d}")
        if self.gp_weight < 0:
            raise ValueError(f"gp_weight must be >= 0, got {self.gp_weight}")


# ----------------------------------------------------------------------------------------------------
# The two players


def mlp(in_dim: int, out_dim: int, hidden: int, depth: int) -> nn.Sequential:
    """in_dim -> [Linear, ReLU] x depth -> out_dim. G is mlp(noise_dim, 2), D is mlp(2, 1) (a logit)."""
    layers, width = [], in_dim
    for _ in range(depth):
        layers += [nn.Linear(width, hidden), nn.ReLU()]
        width = hidden
    layers.append(nn.Linear(width, out_dim))
    return nn.Sequential(*layers)


def d_output(kind: str, logits: torch.Tensor) -> torch.Tensor:
    """What D says about a point: the probability it is real for the log-loss games, the raw score otherwise.

    Least squares, hinge and Wasserstein critics never pass their output through a sigmoid, so their
    score is what the loss sees (lsgan aims at 1 for real and 0 for fake, hinge at +1 and -1).
    """
    return torch.sigmoid(logits) if kind in ("minimax", "nonsaturating") else logits


# ----------------------------------------------------------------------------------------------------
# The playground

VIEW_SAMPLES = 1024       # fixed real points and noise vectors that every snapshot shows and measures
SURFACE_RES = 64          # D is evaluated on a SURFACE_RES x SURFACE_RES grid of cell centres for the heatmap
MANIFOLD_RES = 21         # G is applied to a MANIFOLD_RES x MANIFOLD_RES grid of noise over [-2, 2]^2
HISTORY_KEYS = ("step", "d_loss", "g_loss", "d_real", "d_fake", "g_grad")
METRIC_KEYS = ("step", "js", "kl", "modes_covered", "quality")
LIVE_SETTINGS = ("loss", "gp_weight", "optimizer", "lr_g", "lr_d", "d_steps", "batch_size", "metric_every")
SLOW_STAGES = ("sample", "generate", "classify", "losses", "gradients", "update")


@dataclass
class SlowStage:
    """One stage of a training step in slow motion, for a UI to show (and explain) one at a time."""
    name: str             # one of SLOW_STAGES
    numbers: dict         # what happened, by name: the numbers an explanation quotes
    view: dict            # a snapshot of this batch (what exists so far) that render() can draw


class ToyGAN:
    """A generator, a discriminator, their optimisers, and the record of the game they play."""

    def __init__(self, config: ToyConfig | None = None):
        self.config = copy.deepcopy(config) if config is not None else ToyConfig()
        self.reset()

    def reset(self) -> None:
        """Fresh networks, optimisers and history; everything random follows config.seed."""
        cfg = self.config
        cfg.validate()
        self.rng = torch.Generator().manual_seed(cfg.seed)          # data and noise
        with torch.random.fork_rng(devices=[]):                     # initial weights, without touching global state
            torch.manual_seed(cfg.seed)
            self.G = mlp(cfg.noise_dim, 2, cfg.hidden, cfg.depth)
            self.D = mlp(2, 1, cfg.hidden, cfg.depth)
            self.torch_random_state = torch.get_rng_state()         # continues in _own_random_state
        self._make_optimizers()
        self.drawn_points = np.asarray(cfg.drawn_points, dtype=np.float32).reshape(-1, 2)
        # Fixed samples for the view and the metrics: the picture changes only because the networks do.
        self.view_real = self.sample_real(VIEW_SAMPLES)
        self.view_noise = self.sample_noise(VIEW_SAMPLES)
        self.real_density = smoothed_histogram(self.sample_real(20000).numpy())
        self.steps = 0
        self.history = {key: [] for key in HISTORY_KEYS}
        self.metric_history = {key: [] for key in METRIC_KEYS}
        self._record_metrics()

    def _make_optimizers(self) -> None:
        cfg = self.config
        if cfg.optimizer == "adam":
            self.opt_g = torch.optim.Adam(self.G.parameters(), lr=cfg.lr_g, betas=(0.5, 0.999))
            self.opt_d = torch.optim.Adam(self.D.parameters(), lr=cfg.lr_d, betas=(0.5, 0.999))
        else:
            self.opt_g = torch.optim.SGD(self.G.parameters(), lr=cfg.lr_g)
            self.opt_d = torch.optim.SGD(self.D.parameters(), lr=cfg.lr_d)

    def configure(self, **changes) -> bool:
        """Change settings. Those in LIVE_SETTINGS apply to the running game (try switching the loss
        mid-training); any other change (target, sizes, seed...) restarts it. Returns True if it restarted."""
        new = copy.deepcopy(self.config)
        for name, value in changes.items():
            if not hasattr(new, name):
                raise ValueError(f"unknown setting {name!r}")
            setattr(new, name, value)
        new.validate()
        restart = any(not np.array_equal(getattr(new, name), getattr(self.config, name))
                      for name in changes if name not in LIVE_SETTINGS)
        optimizer_changed = new.optimizer != self.config.optimizer
        self.config = new
        if restart:
            self.reset()
        elif optimizer_changed:
            self._make_optimizers()
        else:
            for group in self.opt_g.param_groups:
                group["lr"] = new.lr_g
            for group in self.opt_d.param_groups:
                group["lr"] = new.lr_d
        return restart

    @contextmanager
    def _own_random_state(self, advance: bool = True):
        """Give torch's global random numbers (the gradient penalty draws some) from this game's own stream,
        so a run depends only on config.seed, not on what else the process drew. advance=False peeks."""
        with torch.random.fork_rng(devices=[]):
            torch.set_rng_state(self.torch_random_state)
            yield
            if advance:
                self.torch_random_state = torch.get_rng_state()

    def sample_real(self, n: int) -> torch.Tensor:
        return sample_target(self.config.target, n, self.rng, self.drawn_points)

    def sample_noise(self, n: int) -> torch.Tensor:
        """z ~ N(0, I), shape (n, noise_dim)."""
        return torch.randn(n, self.config.noise_dim, generator=self.rng)

    # --- training -----------------------------------------------------------------------------------

    def _update_d(self, real: torch.Tensor, noise: torch.Tensor) -> dict:
        """One gradient step for D on a batch: score real points high and G(z) low."""
        cfg = self.config
        with torch.no_grad():
            fake = self.G(noise)
        d_real, d_fake = self.D(real), self.D(fake)
        loss = d_loss(cfg.loss, d_real, d_fake)
        if cfg.loss == "wgan" and cfg.gp_weight > 0:
            loss = loss + cfg.gp_weight * gradient_penalty(self.D, real, fake)
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        return {"d_loss": loss.item(), "d_real": d_output(cfg.loss, d_real).mean().item(),
                "d_fake": d_output(cfg.loss, d_fake).mean().item()}

    def _update_g(self, noise: torch.Tensor) -> dict:
        """One gradient step for G: move G(z) to where the (just updated) D scores it as real."""
        fake = self.G(noise)
        fake.retain_grad()
        loss = g_loss(self.config.loss, self.D(fake))
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        # The loss is a mean over the batch; times the batch size it is the push on each single point.
        push = fake.grad.norm(dim=1).mean().item() * len(noise)
        return {"g_loss": loss.item(), "g_grad": push}

    def _finish_step(self, d_stats: dict, g_stats: dict) -> None:
        self.steps += 1
        for key, value in {"step": self.steps, **d_stats, **g_stats}.items():
            self.history[key].append(value)
        if self.steps % self.config.metric_every == 0:
            self._record_metrics()

    def step(self, n: int = 1) -> None:
        """Play n rounds: each is k = d_steps updates of D on fresh batches, then one of G (Algorithm 1)."""
        cfg = self.config
        with one_thread(), self._own_random_state():
            for _ in range(n):
                for _ in range(cfg.d_steps):
                    real, noise = self.sample_real(cfg.batch_size), self.sample_noise(cfg.batch_size)
                    d_stats = self._update_d(real, noise)
                g_stats = self._update_g(noise)      # G's turn, on the noise of D's last batch
                self._finish_step(d_stats, g_stats)

    # --- looking at the game ------------------------------------------------------------------------

    def metrics(self, fake: np.ndarray | None = None) -> dict:
        """JS and KL(real || fake) between smoothed histograms, in bits, plus mode_stats for ring / grid."""
        if fake is None:
            with one_thread(), torch.no_grad():
                fake = self.G(self.view_noise).numpy()
        fake_density = smoothed_histogram(fake)
        return {"js": js_bits(self.real_density, fake_density), "kl": kl_bits(self.real_density, fake_density),
                **mode_stats(fake, self.config.target)}

    def _record_metrics(self) -> None:
        values = {"step": self.steps, **self.metrics()}
        for key in METRIC_KEYS:
            self.metric_history[key].append(values[key])

    def snapshot(self) -> dict:
        """Everything a view needs, as numpy arrays and lists, for the fixed view samples."""
        return self._view(self.view_real, self.view_noise)

    def _view(self, real: torch.Tensor, noise: torch.Tensor) -> dict:
        cfg = self.config
        with one_thread():
            # G's points and the push on each: -dLoss_G/dG(z), scaled by N so it does not shrink with N.
            fake = self.G(noise).detach().requires_grad_(True)
            push = -torch.autograd.grad(g_loss(cfg.loss, self.D(fake)) * len(fake), fake)[0]
            with torch.no_grad():
                # D's opinion on a grid of cell centres; row i is y = coords[i] (y grows upward).
                coords = (torch.arange(SURFACE_RES) + 0.5) * (2 * VIEW_LIMIT / SURFACE_RES) - VIEW_LIMIT
                grid_y, grid_x = torch.meshgrid(coords, coords, indexing="ij")
                surface = d_output(cfg.loss, self.D(torch.stack([grid_x, grid_y], -1).reshape(-1, 2)))
                surface = surface.reshape(SURFACE_RES, SURFACE_RES)
                real_score = d_output(cfg.loss, self.D(real)).mean().item()
                fake_score = d_output(cfg.loss, self.D(fake)).mean().item()
                manifold = self.G(self._manifold_noise()).reshape(-1, MANIFOLD_RES, 2)
        fake_np = fake.detach().numpy()
        return {
            "step": self.steps,
            "loss": cfg.loss,
            "target": cfg.target,
            "real": real.numpy(),                       # (N, 2)
            "fake": fake_np,                            # (M, 2)
            "fake_grad": push.numpy(),                  # (M, 2): the direction G's loss pushes each fake point
            "surface": surface.numpy(),                 # (SURFACE_RES, SURFACE_RES): D(x) as in d_output
            "surface_coords": coords.numpy(),           # (SURFACE_RES,): x of columns and y of rows
            "surface_range": self._surface_range(real_score, fake_score),  # values mapped to fake..real colours
            "manifold": manifold.numpy(),               # (rows, MANIFOLD_RES, 2): G of a grid of noise
            "modes": mode_centres(cfg.target),          # (K, 2), empty for moons / spiral / drawn
            "mode_std": TARGET_STD[cfg.target],
            "mean_d_real": real_score,
            "mean_d_fake": fake_score,
            "metrics": self.metrics(fake_np),
            "history": {key: list(values) for key, values in self.history.items()},
            "metric_history": {key: list(values) for key, values in self.metric_history.items()},
        }

    def _manifold_noise(self) -> torch.Tensor:
        """A regular grid over the first two noise dimensions (a line if noise_dim is 1); others stay 0."""
        ticks = torch.linspace(-2.0, 2.0, MANIFOLD_RES)
        if self.config.noise_dim == 1:
            return ticks[:, None]
        zy, zx = torch.meshgrid(ticks, ticks, indexing="ij")
        noise = torch.zeros(MANIFOLD_RES * MANIFOLD_RES, self.config.noise_dim)
        noise[:, 0], noise[:, 1] = zx.reshape(-1), zy.reshape(-1)
        return noise

    def _surface_range(self, real_score: float, fake_score: float) -> tuple[float, float]:
        """Which D values mean "surely fake" and "surely real" for the heatmap colours."""
        if self.config.loss in ("minimax", "nonsaturating", "lsgan"):
            return (0.0, 1.0)
        if self.config.loss == "hinge":
            return (-1.0, 1.0)
        # A Wasserstein critic has no fixed scale (adding a constant changes nothing): centre it between
        # its mean score on fake and on real points.
        middle, half = 0.5 * (real_score + fake_score), max(abs(real_score - fake_score), 1e-3)
        return (middle - half, middle + half)

    # --- slow motion --------------------------------------------------------------------------------

    def slow_step(self):
        """One round of step(), yielded as SlowStage objects in the order of SLOW_STAGES.

        The game advances at the final "update" stage, exactly as step(1) would (same random numbers).
        """
        cfg = self.config
        kind, batch = cfg.loss, cfg.batch_size
        with one_thread(), self._own_random_state():
            for _ in range(cfg.d_steps - 1):      # D's extra practice rounds, as in step()
                self._update_d(self.sample_real(batch), self.sample_noise(batch))
        real, noise = self.sample_real(batch), self.sample_noise(batch)
        view = self._view(real, noise)
        no_points = np.zeros((0, 2), dtype=np.float32)
        early = {**view, "fake": no_points, "fake_grad": no_points}
        without_arrows = {**view, "fake_grad": no_points}
        yield SlowStage("sample", {"batch_size": batch, "noise_dim": cfg.noise_dim}, early)

        fake = torch.from_numpy(view["fake"])
        centre = fake.mean(dim=0)
        nearest_real = torch.cdist(fake, real).min(dim=1).values.mean().item()
        yield SlowStage("generate", {"fake_centre_x": centre[0].item(), "fake_centre_y": centre[1].item(),
                                     "distance_to_nearest_real": nearest_real}, without_arrows)

        yield SlowStage("classify", {"mean_d_real": view["mean_d_real"], "mean_d_fake": view["mean_d_fake"]},
                        without_arrows)

        with one_thread(), self._own_random_state(advance=False):   # the real update below draws again
            fake_logits = self.D(fake)
            loss_d = d_loss(kind, self.D(real), fake_logits)
            if kind == "wgan" and cfg.gp_weight > 0:
                loss_d = loss_d + cfg.gp_weight * gradient_penalty(self.D, real, fake)
            loss_g = g_loss(kind, fake_logits)
        yield SlowStage("losses", {"d_loss": loss_d.item(), "g_loss": loss_g.item()}, without_arrows)

        with one_thread():
            d_grads = torch.autograd.grad(loss_d, list(self.D.parameters()))
        d_grad_norm = torch.cat([g.flatten() for g in d_grads]).norm().item()
        push = np.linalg.norm(view["fake_grad"], axis=1).mean()   # -dLoss_G/dG(z): how hard each point is pushed
        yield SlowStage("gradients", {"g_push": float(push), "d_grad_norm": d_grad_norm,
                                      "mean_d_fake": view["mean_d_fake"]}, view)

        before = view["fake"]
        with one_thread(), self._own_random_state():
            d_stats = self._update_d(real, noise)
            g_stats = self._update_g(noise)
            self._finish_step(d_stats, g_stats)
        after = self._view(real, noise)
        moved = float(np.linalg.norm(after["fake"] - before, axis=1).mean())   # for the same z
        yield SlowStage("update", {"moved": moved, "step": self.steps, **d_stats, **g_stats},
                        {**after, "fake_grad": no_points})


# ----------------------------------------------------------------------------------------------------
# Presets: settings that show one lesson reliably (the lessons themselves are in studio/lessons.py)


@dataclass
class ToyPreset:
    config: ToyConfig
    steps: int            # roughly how many steps until the lesson is visible


PRESETS = {
    "Mode collapse: minimax loss on the ring": ToyPreset(
        ToyConfig(target="ring", loss="minimax", lr_g=5e-3, lr_d=1e-3, d_steps=1), 1500),
    "Fixed: non-saturating loss + 5 D steps on the ring": ToyPreset(
        ToyConfig(target="ring", loss="nonsaturating", lr_g=5e-3, lr_d=1e-3, d_steps=5), 500),
    "Fixed: WGAN-GP on the ring": ToyPreset(
        ToyConfig(target="ring", loss="wgan", lr_g=5e-3, lr_d=1e-3, d_steps=5), 500),
    "Vanishing gradients: minimax against a perfect discriminator": ToyPreset(
        ToyConfig(target="ring", loss="minimax", optimizer="sgd", lr_g=3e-3, lr_d=1.0, d_steps=10), 300),
    "Grid with WGAN-GP": ToyPreset(ToyConfig(target="grid", loss="wgan", d_steps=5), 2000),
    "Two moons: least squares GAN": ToyPreset(ToyConfig(target="moons", loss="lsgan", d_steps=1), 1500),
    "Spiral: hinge loss": ToyPreset(ToyConfig(target="spiral", loss="hinge", lr_d=2e-3, d_steps=3), 2000),
}
