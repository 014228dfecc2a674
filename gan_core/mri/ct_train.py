"""The sparse-view CT network's game (python -m gan_core.training --recipe ct-recon).

The project has no CT scans, so the network learns what streaks are, not what a body looks like: its slices
are the same views the generalising MRI model learns from (gan_core.mri.transfer: photos, texture tiles and
paintings as grey images, and colin27's brain windows at any size, angle and contrast), each cut to its
inscribed circle, projected at 24-96 angles (skimage's radon) and reconstructed by FBP. The macaque scan is
the held-out source. The game is the MRI one (L1 + SSIM, a small least-squares adversarial term after a
warm-up, a moving average of G); only the move and the numbers differ.
"""
from dataclasses import dataclass

import numpy as np
import torch

from gan_core.mri import transfer
from gan_core.mri.classical import psnr01
from gan_core.mri.ct import (VIEWS, CTReconConfig, CTReconGenerator, angles_for, ct_reconstruct, fbp, inscribed_circle,
                             sinogram_of, square_slice)
from gan_core.mri.train import MRIGame, MRITrainConfig, worker_batches
from gan_core.training import train as train_lib
from gan_core.training.train import network_card

CT_SIZES = (64, 96, 128, 160, 192, 256)


@dataclass
class CTTrainConfig(MRITrainConfig):
    task: str = "ct"
    out: str = "runs/ct"
    views: str = "24-96"         # projections per slice, drawn uniformly from this range
    transfer: float = 0.5        # share of views from photos, tiles and paintings
    held_out_source: bool = True
    data: str = "mixed"
    bf16: bool = True


TrainConfig = CTTrainConfig


def ct_batch(slices: list, cfg: CTTrainConfig, rng: np.random.Generator):
    """(fbp (B, 1, H, W), views (B,), target (B, 1, H, W)) of one random size, each with its own angle count."""
    count, side = transfer.batch_shape(rng, CT_SIZES)
    low, high = (int(v) for v in cfg.views.split("-"))
    circle = inscribed_circle(side)
    starts, views, targets = [], [], []
    for _ in range(count):
        image = transfer.mixed_view(slices, side, cfg.transfer, rng) * circle
        count_views = int(rng.integers(low, high + 1))
        angles = angles_for(count_views) + rng.uniform(0, 180 / count_views)   # the gantry starts anywhere
        starts.append(fbp(sinogram_of(image, angles), angles))
        views.append(count_views)
        targets.append(image.astype(np.float32))
    return (torch.from_numpy(np.stack(starts))[:, None], torch.tensor(views, dtype=torch.float32),
            torch.from_numpy(np.stack(targets))[:, None])


def ct_cases(slices: list, count: int | None = None) -> list[tuple]:
    """(name, square slice) for evenly spaced slices."""
    chosen = range(len(slices)) if count is None else np.linspace(0, len(slices) - 1, count).round().astype(int)
    return [(f"{slices[i].scan}@{slices[i].z_mm:+.1f}mm", square_slice(slices[i].image)) for i in dict.fromkeys(chosen)]


def validate_ct(generator: CTReconGenerator, cases: list) -> dict:
    """Mean PSNR (dB, data range 1) of the generator and of FBP at each view count."""
    numbers = {}
    for views in VIEWS:
        gan, plain = [], []
        for _, image in cases:
            angles = angles_for(views)
            sinogram = sinogram_of(image, angles)
            gan.append(psnr01(image, ct_reconstruct(sinogram, angles, generator)))
            plain.append(psnr01(image, fbp(sinogram, angles)))
        numbers[f"psnr_gan_{views}v"] = round(float(np.mean(gan)), 3)
        numbers[f"psnr_fbp_{views}v"] = round(float(np.mean(plain)), 3)
    return numbers


class CTGame(MRIGame):
    """The FBP image in, the slice out; D judges slices mapped to [-1, 1] (the MRI game's losses)."""

    def generator(self) -> CTReconGenerator:
        return CTReconGenerator(CTReconConfig(channels=self.cfg.channels, depth=self.cfg.depth))

    def batches(self, step: int, rank: int, world_size: int):
        return worker_batches(ct_batch, self.slices("train"), self.cfg, self.cfg.seed + step)

    def play(self, generator, batch):
        start, views, target = batch
        return target, generator(start, views)

    def sample(self, trainer, step: int) -> dict:
        if not hasattr(self, "_cases"):
            self._cases = ct_cases(self.slices("val"), self.cfg.val_slices)
            self._source_cases = ct_cases(self.slices("source"), self.cfg.val_slices)
        numbers = validate_ct(trainer.generator_ema, self._cases)
        numbers.update({f"source_{k}": v for k, v in validate_ct(trainer.generator_ema, self._source_cases).items()})
        return numbers

    def evaluate(self, trainer) -> dict:
        return {"validation_psnr_all_slices": validate_ct(trainer.generator_ema, ct_cases(self.slices("val"))),
                "held_out_source_psnr": validate_ct(trainer.generator_ema, ct_cases(self.slices("source")))}

    def card(self, trainer) -> dict:
        card = super().card(trainer)
        card["generator"] = network_card(trainer.generator_ema)
        card["masks"] = (f"sparse-view CT: slices cut to their inscribed circle, sinogram = skimage radon(image, "
                         f"theta, circle=True) at {self.cfg.views} evenly spread angles (random start), FBP (ramp) in")
        card["note"] = ("A teaching demo trained without any CT scan (photos, paintings and one human brain's MR "
                        "slices as phantoms), not a medical device.")
        return card


Game = CTGame


def train(cfg: CTTrainConfig, recipe: dict | None = None, slices: dict | None = None):
    """Train (or go on from cfg.out's checkpoint) through the one loop; slices as in gan_core.mri.train.train."""
    return train_lib.run(CTGame(cfg, slices), recipe)
