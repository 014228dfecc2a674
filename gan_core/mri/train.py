"""Train the MRI reconstruction GAN on mricron-data slices, resume it, export it with its model card.

    python -m gan_core.mri.recon --out runs/mri --minutes 20 --export mri-recon
    python -m gan_core.training --recipe mri-recon      # the same, as recipes/mri_recon.py says

Each step draws random crops of training slices, undersamples each with a fresh random mask (4x or 8x,
half each), and updates:
  (1) D, a PatchGAN on magnitude images: minimise (D(x) - 1)^2 + D(G(y))^2 (least squares, Mao et al. 2017);
  (2) G: minimise l1 |G(y) - x| + ssim (1 - SSIM(G(y), x)) + adv (D(G(y)) - 1)^2, the adversarial term
      small and switched on after a warm-up, since PSNR is what the reconstruction is judged on.
Running the command again with the same --out resumes from run_dir/checkpoint.pt; --minutes is the budget
of this invocation. The log is run_dir/log.jsonl (one JSON object a line).
"""
import argparse
import copy
import dataclasses
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from gan_core.mri import slices as mri_data
from gan_core.training import runs
from gan_core.core.losses import d_loss, g_loss, masked_l1, ssim_loss
from gan_core.core.layers import DiscriminatorConfig, PatchDiscriminator, update_ema
from gan_core.mri.recon import ACCELERATIONS, MRIReconConfig, MRIReconGenerator, column_mask, generator_card, to_kspace
from gan_core.core.weights import save_weights


@dataclass
class MRITrainConfig:
    out: str = "runs/mri"
    minutes: float = 20.0        # wall-time budget of this invocation
    steps: int = 100000          # stop earlier at this many steps in total
    resume: bool = True          # go on from out/checkpoint.pt if there is one; --no-resume starts afresh
    batch_size: int = 4
    crop: int = 128              # training windows; validation uses whole slices
    channels: int = 32
    depth: int = 3
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    decay_from: int = 0          # from this step the learning rates fall linearly to 0 at `steps` (0: constant)
    ssim_weight: float = 0.5
    adv_weight: float = 0.01
    adv_start: int = 500         # steps of L1 + SSIM alone before D has a say
    ema: float = 0.999           # the exported generator is the moving average of the trained one
    val_every: int = 200
    val_slices: int = 8          # slices checked during training (the export checks all of them)
    seed: int = 0
    export: str = ""             # name under weights/ to export to at the end, e.g. mri-recon
    weights_dir: str = "weights"


TrainConfig = MRITrainConfig  # the name a recipe's trainer module has (gan_core.training.recipes)


def batch_of_crops(slices: list, cfg: MRITrainConfig, rng: np.random.Generator):
    """(kspace (B, H, W) complex64, mask (B, H, W) bool, target (B, 1, H, W) float32) of random crops."""
    images = [mri_data.random_crop(slices[rng.integers(len(slices))].image, cfg.crop, rng)
              for _ in range(cfg.batch_size)]
    masks = [column_mask(cfg.crop, cfg.crop, ACCELERATIONS[rng.integers(len(ACCELERATIONS))],
                         seed=int(rng.integers(2**31))) for _ in images]
    kspace = np.stack([to_kspace(image) * mask for image, mask in zip(images, masks)]).astype(np.complex64)
    return torch.from_numpy(kspace), torch.from_numpy(np.stack(masks)), torch.from_numpy(np.stack(images))[:, None]


def validation_cases(slices: list, count: int | None = None) -> list[tuple]:
    """(name, image, {acceleration: mask}) for evenly spaced validation slices, masks seeded by slice index."""
    chosen = range(len(slices)) if count is None else np.linspace(0, len(slices) - 1, count).round().astype(int)
    cases = []
    for index in dict.fromkeys(chosen):
        item = slices[index]
        masks = {a: column_mask(*item.image.shape, a, seed=1000 * a + int(index)) for a in ACCELERATIONS}
        cases.append((f"{item.scan}@{item.z_mm:+.1f}mm", item.image, masks))
    return cases


def validate(generator: MRIReconGenerator, cases: list) -> dict:
    """Mean PSNR (dB, data range 1) of the generator and of zero-filling at each acceleration."""
    from gan_core.eval.mri import psnr01
    from gan_core.mri.recon import mri_reconstruct, zero_filled

    numbers = {}
    for acceleration in ACCELERATIONS:
        gan, zf = [], []
        for _, image, masks in cases:
            kspace = to_kspace(image) * masks[acceleration]
            gan.append(psnr01(image, mri_reconstruct(kspace, masks[acceleration], generator)))
            zf.append(psnr01(image, zero_filled(kspace)))
        numbers[f"psnr_gan_{acceleration}x"] = round(float(np.mean(gan)), 3)
        numbers[f"psnr_zf_{acceleration}x"] = round(float(np.mean(zf)), 3)
    return numbers


class MRITrainer:
    def __init__(self, cfg: MRITrainConfig):
        self.cfg = cfg
        torch.manual_seed(cfg.seed)
        self.generator = MRIReconGenerator(MRIReconConfig(channels=cfg.channels, depth=cfg.depth))
        self.generator_ema = copy.deepcopy(self.generator).eval().requires_grad_(False)
        self.discriminator = PatchDiscriminator(DiscriminatorConfig(in_channels=1, channels=32, n_layers=3))
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=cfg.lr_g, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=cfg.lr_d, betas=(0.5, 0.999))
        self.step_count, self.wall_seconds = 0, 0.0

    def learning_rate_scale(self) -> float:
        """1 until cfg.decay_from, then linearly down to 0 at cfg.steps (the pix2pix schedule): the last
        steps average out the noise of the updates, which PSNR notices."""
        cfg = self.cfg
        if not cfg.decay_from or self.step_count < cfg.decay_from:
            return 1.0
        return max(0.0, (cfg.steps - self.step_count) / max(1, cfg.steps - cfg.decay_from))

    def step(self, kspace, mask, target) -> dict:
        scale = self.learning_rate_scale()
        for optimiser, lr in ((self.opt_g, self.cfg.lr_g), (self.opt_d, self.cfg.lr_d)):
            for group in optimiser.param_groups:
                group["lr"] = lr * scale
        fake = self.generator(kspace, mask)                                        # (B, 1, H, W) in [0, ~1]
        adversarial = self.step_count >= self.cfg.adv_start and self.cfg.adv_weight > 0
        logs = {}
        if adversarial:  # (1) update D: real slices -> 1, reconstructions -> 0
            d_real, _ = self.discriminator(target * 2 - 1)
            d_fake, _ = self.discriminator(fake.detach() * 2 - 1)
            loss_d = d_loss("lsgan", d_real, d_fake)
            self.opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            self.opt_d.step()
            logs.update(loss_d=loss_d.item(), d_real=d_real.mean().item(), d_fake=d_fake.mean().item())
        # (2) update G: close to the slice in L1 and SSIM, and (later) judged real by D
        loss_l1 = masked_l1(fake, target)
        loss_ssim = ssim_loss(fake * 2 - 1, target * 2 - 1)
        loss_g = loss_l1 + self.cfg.ssim_weight * loss_ssim
        if adversarial:
            loss_adv = g_loss("lsgan", self.discriminator(fake * 2 - 1)[0])
            loss_g = loss_g + self.cfg.adv_weight * loss_adv
            logs["loss_adv"] = loss_adv.item()
        self.opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        self.opt_g.step()
        update_ema(self.generator_ema, self.generator, self.cfg.ema, self.step_count)
        self.step_count += 1
        return {**logs, "loss_l1": loss_l1.item(), "loss_ssim": loss_ssim.item()}

    def state_dict(self) -> dict:
        return {"generator": self.generator.state_dict(), "generator_ema": self.generator_ema.state_dict(),
                "discriminator": self.discriminator.state_dict(), "opt_g": self.opt_g.state_dict(),
                "opt_d": self.opt_d.state_dict(), "step": self.step_count, "wall_seconds": self.wall_seconds}

    def load_state_dict(self, state: dict):
        self.generator.load_state_dict(state["generator"])
        self.generator_ema.load_state_dict(state["generator_ema"])
        self.discriminator.load_state_dict(state["discriminator"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        self.step_count, self.wall_seconds = int(state["step"]), float(state["wall_seconds"])


def train(cfg: MRITrainConfig, recipe: dict | None = None) -> MRITrainer:
    """Train (or resume) in cfg.out for cfg.minutes, export if cfg.export says so (recipe: {"name", "stage"}
    for the card); return the trainer."""
    run_dir = Path(cfg.out)
    run_dir.mkdir(parents=True, exist_ok=True)
    trainer = MRITrainer(cfg)
    checkpoint = run_dir / "checkpoint.pt"
    if cfg.resume and checkpoint.exists():
        trainer.load_state_dict(torch.load(checkpoint, map_location="cpu", weights_only=True))
        print(f"resumed at step {trainer.step_count}", file=sys.stderr)
    train_slices = mri_data.load_slices("train")
    cases = validation_cases(mri_data.load_slices("val"), cfg.val_slices)
    rng = np.random.default_rng(cfg.seed + trainer.step_count)  # a resumed run does not replay its batches
    log = (run_dir / "log.jsonl").open("a")
    start, last_save = time.monotonic(), time.monotonic()
    base_seconds = trainer.wall_seconds
    while trainer.step_count < cfg.steps and time.monotonic() - start < cfg.minutes * 60:
        logs = trainer.step(*batch_of_crops(train_slices, cfg, rng))
        trainer.wall_seconds = base_seconds + time.monotonic() - start
        if trainer.step_count % cfg.val_every == 0 or trainer.step_count == 1:
            logs.update(validate(trainer.generator_ema, cases))
            print(json.dumps({"step": trainer.step_count, **{k: round(v, 4) for k, v in logs.items()}}), file=sys.stderr)
        if trainer.step_count % 20 == 0 or "psnr_gan_4x" in logs:
            log.write(json.dumps({"step": trainer.step_count, "seconds": round(trainer.wall_seconds, 1),
                                  **{k: round(v, 5) for k, v in logs.items()}}) + "\n")
            log.flush()
        if time.monotonic() - last_save > 300:
            torch.save(trainer.state_dict(), checkpoint)
            last_save = time.monotonic()
    torch.save(trainer.state_dict(), checkpoint)
    log.close()
    if cfg.export:
        print(f"exported {export(trainer, cfg.export, recipe)}", file=sys.stderr)
    return trainer


def export(trainer: MRITrainer, name: str, recipe: dict | None = None) -> Path:
    """weights/NAME.safetensors (EMA generator + D) and its card, with the numbers on every validation slice."""
    cfg = trainer.cfg
    val_slices = mri_data.load_slices("val")
    card = {
        "name": name, "task": "mri",
        "generator": generator_card(trainer.generator_ema),
        "discriminator": {"class": "PatchDiscriminator", "config": dataclasses.asdict(trainer.discriminator.config),
                          "parameters": sum(p.numel() for p in trainer.discriminator.parameters())},
        "data": {"source": "Debian package mricron-data (BSD-3-Clause), /usr/share/mricron/templates",
                 "scans": mri_data.SCANS, "train_slices": len(mri_data.load_slices("train")),
                 "val_slices": len(val_slices),
                 "split": {"validation_scans": list(mri_data.VALIDATION_SCANS),
                           "validation_slabs_mm": mri_data.VALIDATION_SLABS, "guard_mm": mri_data.GUARD_MM,
                           "rule": "axial slices inside each brain's slab are validation (from one scan per brain); "
                                   "the slab and the guard band are removed from every scan of that brain"}},
        "masks": "random Cartesian columns, fully sampled centre band (8% of the columns at 4x, 4% at 8x), "
                 "kspace = fftshift(fft2(image, norm='ortho')) * mask",
        "steps": trainer.step_count, "wall_time_hours": round(trainer.wall_seconds / 3600, 3),
        "training": runs.training_settings(cfg), "training_command": runs.command_line("gan_core.mri.recon", cfg),
        "device": "cpu", "torch": torch.__version__,
        "evaluation": {"validation_psnr_all_slices": validate(trainer.generator_ema, validation_cases(val_slices))},
        "note": "A teaching demo trained on two brains (one human, one macaque), not a medical device.",
    }
    if recipe:
        card["recipe"] = recipe
    return save_weights(Path(cfg.weights_dir) / f"{name}.safetensors", trainer.generator_ema,
                        trainer.discriminator, card)


def parse_args(argv=None) -> MRITrainConfig:
    parser = argparse.ArgumentParser(prog="python -m gan_core.mri.recon", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    runs.add_config_flags(parser, MRITrainConfig)
    return runs.config_from_args(MRITrainConfig, parser.parse_args(argv))


def main(argv=None):
    torch.set_num_threads(2)
    train(parse_args(argv))


if __name__ == "__main__":
    main()
