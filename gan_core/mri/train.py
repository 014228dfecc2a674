"""The MRI reconstruction GAN's game on mricron-data slices (python -m gan_core.training --task mri).

    python -m gan_core.training --recipe mri-recon                        # the first model, stage by stage
    python -m gan_core.training --recipe mri-unrolled                     # the one that generalises
    python -m gan_core.training --task mri --out runs/mri --minutes 20 --export mri-recon

Each step draws random crops of training slices, undersamples each with a fresh random mask (4x or 8x,
half each), and updates:
  (1) D, a PatchGAN on magnitude images: minimise (D(x) - 1)^2 + D(G(y))^2 (least squares, Mao et al. 2017);
  (2) G: minimise l1 |G(y) - x| + ssim (1 - SSIM(G(y), x)) + adv (D(G(y)) - 1)^2, the adversarial term
      small and switched on after a warm-up, since PSNR is what the reconstruction is judged on.
Every val_every steps the moving average of G is measured (PSNR) on a few validation slices; the export
measures it on all of them.

The generalising model (model="unrolled", data="mixed") is an unrolled cascade (gan_core.mri.unrolled) trained
on colin27 alone and on transfer views (gan_core.mri.transfer): photos, tiles and paintings as grey complex
images, and brain windows of any size 64-320 px, any angle and contrast, at accelerations drawn from 2x-8x.
It is validated on colin27's slab and on the held-out source (the macaque scan it never sees).
"""
from dataclasses import dataclass

import numpy as np
import torch

from gan_core.core.layers import DiscriminatorConfig, PatchDiscriminator
from gan_core.core.losses import d_loss, g_loss, masked_l1, ssim_loss
from gan_core.mri import slices as mri_data
from gan_core.mri import transfer
from gan_core.mri.classical import psnr01, tv_cs
from gan_core.mri.recon import (ACCELERATIONS, MRIReconConfig, MRIReconGenerator, column_mask, mri_reconstruct,
                                to_kspace, zero_filled)
from gan_core.mri.unrolled import UnrolledConfig, UnrolledRecon
from gan_core.training import train as train_lib
from gan_core.training.train import RunConfig, network_card
from gan_core.training.trainer import Game, linear_decay


@dataclass
class MRITrainConfig(RunConfig):
    task: str = "mri"
    out: str = "runs/mri"
    steps: int = 100000          # stop at this many steps in total
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
    log_every: int = 20
    # the generalising model (recipe mri-unrolled); the defaults above and here rebuild the first one
    model: str = "unet"          # "unet" (one U-Net, then data consistency) or "unrolled" (a cascade)
    cascades: int = 5
    shared: bool = False         # unrolled: one CNN for every cascade
    data: str = "brains"         # "brains" (128 px crops, 4x/8x) or "mixed" (transfer views, sizes, contrasts)
    transfer: float = 0.5        # mixed: share of views from photos, tiles and paintings
    held_out_source: bool = False  # train on colin27 alone and validate on the macaque scan too
    accelerations: str = "2-8"   # mixed: accelerations drawn uniformly from this range
    noise: float = 0.02          # mixed: k-space noise up to this share of the peak
    start: str = "zero-filled"   # unrolled: the first estimate, "zero-filled" or "tv" (TV compressed sensing)
    max_side: int = 320          # mixed: the largest view (TV starts cost time in the data pipeline)
    bf16: bool = False


TrainConfig = MRITrainConfig  # the name the training loop looks for (gan_core.training.train.TRAINERS)


def batch_of_crops(slices: list, cfg: MRITrainConfig, rng: np.random.Generator):
    """(kspace (B, H, W) complex64, mask (B, H, W) bool, target (B, 1, H, W) float32) of random crops."""
    images = [mri_data.random_crop(slices[rng.integers(len(slices))].image, cfg.crop, rng)
              for _ in range(cfg.batch_size)]
    masks = [column_mask(cfg.crop, cfg.crop, ACCELERATIONS[rng.integers(len(ACCELERATIONS))],
                         seed=int(rng.integers(2**31))) for _ in images]
    kspace = np.stack([to_kspace(image) * mask for image, mask in zip(images, masks)]).astype(np.complex64)
    return torch.from_numpy(kspace), torch.from_numpy(np.stack(masks)), torch.from_numpy(np.stack(images))[:, None]


def mixed_batch(slices: list, cfg: MRITrainConfig, rng: np.random.Generator):
    """A batch of transfer views and brain windows of one random size, each with its own mask and contrast."""
    count, side = transfer.batch_shape(rng, [size for size in transfer.SIZES if size <= cfg.max_side])
    low, high = (float(a) for a in cfg.accelerations.split("-"))
    images, masks, kspaces, starts = [], [], [], []
    for _ in range(count):
        image = transfer.mixed_view(slices, side, cfg.transfer, rng)
        acceleration = rng.uniform(low, high)
        mask = column_mask(side, side, acceleration, seed=int(rng.integers(2**31)), centre_fraction=0.32 / acceleration)
        kspace = to_kspace(transfer.complex_view(image, rng)).astype(np.complex64)
        kspace = transfer.kspace_noise(kspace, rng, cfg.noise * rng.uniform(0, 1) ** 2)
        images.append(image)
        masks.append(mask)
        kspaces.append(kspace * mask)
        if cfg.start == "tv":
            starts.append(tv_cs(kspace * mask, mask, complex_result=True).astype(np.complex64))
    batch = (torch.from_numpy(np.stack(kspaces)), torch.from_numpy(np.stack(masks)),
             torch.from_numpy(np.stack(images))[:, None])
    return batch + (torch.from_numpy(np.stack(starts)),) if starts else batch


class WorkerBatches(torch.utils.data.IterableDataset):
    """make(slices, cfg, rng) -> batch, forever, in a worker process: the data of a mixed batch (FBP, TV starts)
    costs about as much as the step, and the worker makes the next one while the network trains on this one."""

    def __init__(self, make, slices: list, cfg, seed: int):
        super().__init__()
        self.make, self.slices, self.cfg, self.seed = make, slices, cfg, seed

    def __iter__(self):
        rng = np.random.default_rng(self.seed)
        while True:
            yield self.make(self.slices, self.cfg, rng)


def worker_batches(make, slices: list, cfg, seed: int):
    return iter(torch.utils.data.DataLoader(WorkerBatches(make, slices, cfg, seed), batch_size=None, num_workers=1,
                                            prefetch_factor=2))


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


class MRIGame(Game):
    """Undersampled k-space in, the slice out; D judges magnitude images mapped to [-1, 1]."""

    def __init__(self, cfg: MRITrainConfig, slices: dict | None = None):
        super().__init__(cfg)
        self.ema, self.sample_every, self.bf16 = cfg.ema, cfg.val_every, cfg.bf16
        self._slices = dict(slices or {})   # {"train": [...], "val": [...]}: read once (tests bring their own)

    def slices(self, split: str) -> list:
        """"train", "val" (colin27's slab and, with held_out_source, the macaque's) or "source" (the macaque)."""
        if split not in self._slices:
            if split == "source":
                self._slices[split] = mri_data.source_slices(every=4)
            else:
                held_out = self.cfg.held_out_source   # then colin27 alone: the macaque is the held-out source
                self._slices[split] = (mri_data.load_slices(split, scans=mri_data.TRAINING_SOURCES) if held_out
                                       else mri_data.load_slices(split))
        return self._slices[split]

    def generator(self):
        if self.cfg.model == "unrolled":
            return UnrolledRecon(UnrolledConfig(cascades=self.cfg.cascades, channels=self.cfg.channels,
                                                depth=self.cfg.depth, shared=self.cfg.shared, start=self.cfg.start))
        return MRIReconGenerator(MRIReconConfig(channels=self.cfg.channels, depth=self.cfg.depth))

    def discriminator(self) -> PatchDiscriminator:
        return PatchDiscriminator(DiscriminatorConfig(in_channels=1, channels=32, n_layers=3))

    def optimizers(self, generator, discriminator):
        return (torch.optim.Adam(generator.parameters(), lr=self.cfg.lr_g, betas=(0.5, 0.999)),
                torch.optim.Adam(discriminator.parameters(), lr=self.cfg.lr_d, betas=(0.5, 0.999)))

    def learning_rates(self, step: int) -> tuple[float, float]:
        scale = linear_decay(step, self.cfg.decay_from, self.cfg.steps)  # the last steps' noise averages out: PSNR notices
        return self.cfg.lr_g * scale, self.cfg.lr_d * scale

    def adversarial(self, step: int) -> bool:
        return step >= self.cfg.adv_start and self.cfg.adv_weight > 0

    def batches(self, step: int, rank: int, world_size: int):
        """Random crops of the training slices (or mixed views), from a generator seeded by the step (a resumed run
        draws anew)."""
        slices = self.slices("train")
        if self.cfg.data == "mixed":   # made in a worker process: TV starts cost about a second each
            return worker_batches(mixed_batch, slices, self.cfg, self.cfg.seed + step)
        return self.crops(slices, np.random.default_rng(self.cfg.seed + step))

    def crops(self, slices: list, rng: np.random.Generator):
        while True:
            yield batch_of_crops(slices, self.cfg, rng)

    def play(self, generator, batch):
        kspace, mask, target, *start = batch                                     # start: TV estimates, if any
        return target, generator(kspace, mask, *start)                           # (B, 1, H, W) in [0, ~1]

    def d_loss(self, critic, play):
        """Real slices -> 1, reconstructions -> 0."""
        target, fake = play
        d_real, _ = critic(target * 2 - 1)
        d_fake, _ = critic(fake.detach() * 2 - 1)
        loss_d = d_loss("lsgan", d_real, d_fake)
        return loss_d, {"loss_d": loss_d.item(), "d_real": d_real.mean().item(), "d_fake": d_fake.mean().item()}

    def g_loss(self, critic, play):
        """Close to the slice in L1 and SSIM, and (after adv_start) judged real by D."""
        target, fake = play
        loss_l1 = masked_l1(fake, target)
        loss_ssim = ssim_loss(fake * 2 - 1, target * 2 - 1)
        loss_g, stats = loss_l1 + self.cfg.ssim_weight * loss_ssim, {}
        if critic is not None:
            loss_adv = g_loss("lsgan", critic(fake * 2 - 1)[0])
            loss_g = loss_g + self.cfg.adv_weight * loss_adv
            stats["loss_adv"] = loss_adv.item()
        return loss_g, {**stats, "loss_l1": loss_l1.item(), "loss_ssim": loss_ssim.item()}

    def sample(self, trainer, step: int) -> dict:
        if not hasattr(self, "_cases"):
            self._cases = validation_cases(self.slices("val"), self.cfg.val_slices)
            if self.cfg.held_out_source:
                self._source_cases = validation_cases(self.slices("source"), self.cfg.val_slices)
        numbers = validate(trainer.generator_ema, self._cases)
        if self.cfg.held_out_source:
            numbers.update({f"source_{k}": v for k, v in validate(trainer.generator_ema, self._source_cases).items()})
        return numbers

    def evaluate(self, trainer) -> dict:
        numbers = {"validation_psnr_all_slices": validate(trainer.generator_ema, validation_cases(self.slices("val")))}
        if self.cfg.held_out_source:
            numbers["held_out_source_psnr"] = validate(trainer.generator_ema, validation_cases(self.slices("source")))
        return numbers

    def card(self, trainer) -> dict:
        held_out = self.cfg.held_out_source
        data = {"source": "Debian package mricron-data (BSD-3-Clause), /usr/share/mricron/templates",
                "scans": mri_data.TRAINING_SOURCES if held_out else mri_data.SCANS,
                "train_slices": len(self.slices("train")), "val_slices": len(self.slices("val")),
                "split": {"validation_scans": list(mri_data.VALIDATION_SCANS),
                          "validation_slabs_mm": mri_data.VALIDATION_SLABS, "guard_mm": mri_data.GUARD_MM,
                          "rule": "axial slices inside each brain's slab are validation (from one scan per "
                                  "brain); the slab and the guard band are removed from every scan of that brain"}}
        if held_out:
            data["held_out_source"] = {"scans": mri_data.HELD_OUT_SOURCE, "rule": "never trained on; measured on "
                                       "every 4th slice with foreground"}
        if self.cfg.data == "mixed":
            data["transfer"] = {"share": self.cfg.transfer, "images": "the training split of data/photos.csv (photos "
                                "and texture tiles) and of data/paintings.csv, grey, with a smooth random phase half "
                                "the time", "count": len(transfer.transfer_images())}
            masks = (f"random Cartesian columns at accelerations {self.cfg.accelerations}x, a fully sampled centre of "
                     "0.32 / acceleration of the columns; views of 64-320 px at any angle, contrast varied (T2-like "
                     f"inversion, gamma 0.5-2), k-space noise up to {self.cfg.noise} of the peak")
        else:
            masks = ("random Cartesian columns, fully sampled centre band (8% of the columns at 4x, 4% at 8x), "
                     "kspace = fftshift(fft2(image, norm='ortho')) * mask")
        brains = "one human brain (colin27)" if held_out else "two brains (one human, one macaque)"
        return {"generator": network_card(trainer.generator_ema), "discriminator": network_card(trainer.discriminator),
                "data": data, "masks": masks,
                "note": f"A teaching demo trained on {brains}, not a medical device."}


Game = MRIGame   # the name the training loop looks for (gan_core.training.train.TRAINERS)


def train(cfg: MRITrainConfig, recipe: dict | None = None, slices: dict | None = None):
    """Train (or go on from cfg.out's checkpoint) through the one loop, export if cfg.export says so; returns the
    trainer. slices: {"train": [...], "val": [...]} instead of the mricron-data slices (tests)."""
    return train_lib.run(MRIGame(cfg, slices), recipe)

