"""The restorers' game: a degraded photo in, the clean photo out (python -m gan_core.training --task denoise,
sr2 or sr4). D judges the output alone; G pays L1 (+ SSIM) to the clean photo. The degradations are those of
gan_core.photos.data.degrade in the run's setting (clean, real, or the first models' mix); the settings are the
photo games' TrainConfig.
"""
import torch
import torch.nn.functional as F

from gan_core.core import tasks
from gan_core.core.images import to_tensor
from gan_core.core.weights import load_parts
from gan_core.photos.data import SETTINGS, degrade
from gan_core.photos.game import PhotoGame, Play, TrainConfig, psnr
from gan_core.restoration.model import RestorationConfig, RestorationGenerator

__all__ = ["Degraded", "Game", "RestorationGame", "TrainConfig"]


class Degraded:
    """A crop and its degraded version for a task and setting: (degraded (3, h, w), clean (3, H, W)), in [-1, 1]."""

    def __init__(self, task: str, setting: str = "mixed"):
        if task not in tasks.RESTORE_TASKS:
            raise ValueError(f"{task!r} is not a restoration task; choose one of: {', '.join(tasks.RESTORE_TASKS)}")
        if setting not in SETTINGS:
            raise ValueError(f"unknown setting {setting!r}; choose one of {SETTINGS}")
        self.task, self.setting = task, setting

    def __call__(self, crop, rng) -> tuple[torch.Tensor, torch.Tensor]:
        degraded = degrade(crop, self.task, rng, self.setting)
        return to_tensor(degraded).permute(2, 0, 1), to_tensor(crop).permute(2, 0, 1)


class RestorationGame(PhotoGame):
    def start_from(self, trainer, path: str):
        """Begin from exported weights, also those of another scale (EDSR starts its 4x model from its 2x one):
        every tensor whose shape fits goes back in its place; G's last layer, whose size is the scale's, then
        starts at zero, so the model begins as plain bilinear enlargement with the features the other scale learnt."""
        exported, card = load_parts(path)
        if card.get("task") == self.cfg.task:
            return super().start_from(trainer, path)
        for name, network in self.parts(trainer).items():
            own = network.state_dict()
            fitting = {k: v for k, v in exported.get(name, {}).items() if k in own and own[k].shape == v.shape}
            network.load_state_dict({**own, **fitting})
        if trainer.generator_ema is not None:
            trainer.generator.load_state_dict(trainer.generator_ema.state_dict())

    def pair(self) -> Degraded:
        return Degraded(self.cfg.task, self.cfg.setting)

    def generator(self) -> RestorationGenerator:
        config = RestorationConfig(scale=tasks.get(self.cfg.task).scale, skips=self.cfg.g_skips)
        return RestorationGenerator(self.sized(config, "n_convs"))

    def play(self, generator, batch) -> Play:
        degraded, real = batch
        prediction = generator(degraded)
        return Play(real, prediction, prediction)

    def shown(self, play: Play, batch):
        result = play.prediction.float().clamp(-1, 1)
        error = ((result - play.real) ** 2).mean()
        shown_input = F.interpolate(batch[0], size=play.real.shape[-2:], mode="nearest")
        return shown_input, result, {"val_psnr": psnr(error.item())}


Game = RestorationGame   # the name the training loop looks for (gan_core.training.train.TRAINERS)
