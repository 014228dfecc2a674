"""The restorers' game: a degraded photo in, the clean photo out (python -m gan_core.training --task denoise,
sr2 or sr4). D judges the output alone; G pays L1 (+ SSIM) to the clean photo. The degradations are those of
gan_core.photos.data.degrade (a light Real-ESRGAN model); the settings are the photo games' TrainConfig.
"""
import torch
import torch.nn.functional as F

from gan_core.core import tasks
from gan_core.core.images import to_tensor
from gan_core.photos.data import degrade
from gan_core.photos.game import PhotoGame, Play, TrainConfig, psnr
from gan_core.restoration.model import RestorationConfig, RestorationGenerator

__all__ = ["Degraded", "Game", "RestorationGame", "TrainConfig"]


class Degraded:
    """A crop and its degraded version for a task: (degraded (3, h, w), clean (3, H, W)), both in [-1, 1]."""

    def __init__(self, task: str):
        if task not in tasks.RESTORE_TASKS:
            raise ValueError(f"{task!r} is not a restoration task; choose one of: {', '.join(tasks.RESTORE_TASKS)}")
        self.task = task

    def __call__(self, crop, rng) -> tuple[torch.Tensor, torch.Tensor]:
        return to_tensor(degrade(crop, self.task, rng)).permute(2, 0, 1), to_tensor(crop).permute(2, 0, 1)


class RestorationGame(PhotoGame):
    def pair(self) -> Degraded:
        return Degraded(self.cfg.task)

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
