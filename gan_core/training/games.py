"""What each kind of model brings to the one training loop of gan_core.training.train: its two networks, its data,
how a batch becomes a real and a fake for the critic, and what G pays for straying from the target.

    PhotoInpainting   photo with a hole + mask -> the photo; D sees the mask beside the image
    PhotoRestoration  degraded photo -> the clean photo (denoise, sr2, sr4)
    DCGAN             noise -> a Fashion-MNIST image; nothing to reconstruct

gan_core.core.tasks names each task's game; `for_task(cfg)` builds it. The loop itself never asks which task it
trains: it plays (1) update D, (2) update G with whatever the game hands it.
"""
import math
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
import torchvision.utils as vutils

from gan_core.photos import data as data_lib
from gan_core.core import losses
from gan_core.core import tasks
from gan_core.learn.dcgan import DCGANConfig, DCGANDiscriminator, DCGANGenerator
from gan_core.core.layers import DiscriminatorConfig, PatchDiscriminator
from gan_core.inpainting.model import InpaintConfig, InpaintGenerator
from gan_core.restoration.model import RestorationConfig, RestorationGenerator
from gan_core.core.weights import sha256_of


@dataclass
class Play:
    """One batch after G has played: what D is shown, and what the reconstruction compares."""
    real: torch.Tensor                    # the target images, which D should call real
    fake: torch.Tensor                    # what D should call fake (for inpainting: G's fill pasted into the photo)
    prediction: torch.Tensor | None       # G's raw output, compared with `real` by the reconstruction
    condition: torch.Tensor | None = None  # what D sees beside every image (inpainting: the hole mask)
    hole: torch.Tensor | None = None      # 1 where the photo was missing (inpainting only)


def psnr(error: float) -> float:
    """PSNR in dB of a mean squared error on images in [-1, 1] (peak-to-peak 2, so peak squared 4)."""
    return 10 * math.log10(4.0 / max(error, 1e-10))


class Game:
    """What every game does unless it says otherwise: D sees real and fake in one batch, every fake counts."""
    feature_matching = True   # a real image for every fake, so G can match D's features on it
    ships_story = False       # export copies the run's log and sample grids beside the weights (the Learn tab's story)

    def __init__(self, cfg):
        self.cfg = cfg

    @staticmethod
    def critic_input(image: torch.Tensor, condition: torch.Tensor | None) -> torch.Tensor:
        return image if condition is None else torch.cat([image, condition], 1)

    def judge(self, discriminator, real, fake, condition):
        """D's logits and features on real and fake stacked into one batch: one forward pass for both."""
        both = torch.cat([self.critic_input(real, condition), self.critic_input(fake, condition)])
        return discriminator(both)

    def fake_logits(self, logits: torch.Tensor, play: Play) -> torch.Tensor:
        """The logits on fakes that count: all of them, unless a game says otherwise."""
        return logits


class PhotoGame(Game):
    """What the photo tasks share: crops of photographs, a PatchGAN critic, L1 (+ SSIM) and feature matching."""
    d_in_channels = 3

    def sized(self, config, blocks_field: str):
        """The generator's config with the run's g_channels and g_blocks where they are set (0: its default)."""
        if self.cfg.g_channels:
            config.channels = self.cfg.g_channels
        if self.cfg.g_blocks:
            setattr(config, blocks_field, self.cfg.g_blocks)
        return config

    def discriminator(self) -> PatchDiscriminator:
        return PatchDiscriminator(DiscriminatorConfig(in_channels=self.d_in_channels, channels=self.cfg.d_channels))

    def data(self):
        """(training dataset, fixed validation batch as a tuple of tensors)."""
        cfg = self.cfg
        crop = data_lib.CropConfig(crop=cfg.crop, min_scale=cfg.min_scale, masks=cfg.masks, symmetries=cfg.symmetries)
        train = data_lib.PhotoCrops(data_lib.resolve_files(cfg.data), cfg.task, crop)
        val_files = data_lib.resolve_files(cfg.val_data) if cfg.val_data else train.files
        val = data_lib.PhotoCrops(val_files, cfg.task, crop, seed=cfg.seed + 12345)
        return train, data_lib.fixed_batch(val, min(cfg.batch_size, 8))

    def data_card(self) -> dict:
        """Where the training data came from, for the model card."""
        info = {"source": self.cfg.data}
        manifests = {"manifest:": data_lib.MANIFEST, "paintings:": data_lib.PAINTINGS_MANIFEST}
        prefix = self.cfg.data.split(":", 1)[0] + ":"
        if prefix in manifests:
            info.update(manifest=f"data/{manifests[prefix].name}", manifest_sha256=sha256_of(manifests[prefix]),
                        files=len(data_lib.resolve_files(self.cfg.data)))
        return info

    def reconstruction(self, play: Play) -> tuple[torch.Tensor, dict]:
        """(weighted loss, its terms for the log): L1 to the target, plus 1 - SSIM, grain and detail if they are weighted."""
        cfg = self.cfg
        l1 = losses.masked_l1(play.prediction.float(), play.real, play.hole)
        loss, stats = cfg.l1_weight * l1, {"l1": l1.item()}
        if cfg.ssim_weight > 0:
            ssim = losses.ssim_loss(play.fake.float(), play.real, play.hole)
            loss = loss + cfg.ssim_weight * ssim
            stats["ssim_loss"] = ssim.item()
        if cfg.grain_weight > 0 and play.hole is not None:
            grain = losses.grain_loss(play.fake.float(), play.real, play.hole)
            loss = loss + cfg.grain_weight * grain
            stats["grain"] = grain.item()
        if cfg.detail_weight > 0 and play.hole is not None:
            detail = losses.detail_loss(play.fake.float(), play.real, play.hole)
            loss = loss + cfg.detail_weight * detail
            stats["detail"] = detail.item()
        return loss, stats

    @torch.no_grad()
    def sample(self, generator, fixed_batch, path: Path, autocast) -> dict:
        """Save a grid of three rows (input, output, target) on the fixed batch; return validation numbers."""
        with autocast():
            play = self.play(generator, fixed_batch)
        shown_input, result, val = self.shown(play, fixed_batch)
        rows = torch.cat([shown_input, result, play.real])
        vutils.save_image(rows, path, nrow=play.real.shape[0], normalize=True, value_range=(-1, 1), padding=2)
        return val


class PhotoInpainting(PhotoGame):
    """Fill a hole in a photo. Only the hole is generated: known pixels are pasted back before D looks, and D
    is told where the hole is (it sees the mask as a fourth channel)."""
    d_in_channels = 4

    def generator(self) -> InpaintGenerator:
        config = InpaintConfig(block=self.cfg.g_block, refine=self.cfg.g_refine, refine_known=self.cfg.g_refine_known,
                               refine_blocks=self.cfg.g_refine_blocks, flips=self.cfg.g_flips or 1)
        return InpaintGenerator(self.sized(config, "n_blocks"))

    def play(self, generator, batch) -> Play:
        real, hole = batch
        prediction = generator(real, hole)
        fake = prediction * hole + real * (1 - hole)  # known pixels are given, only the hole is generated
        return Play(real, fake, prediction, condition=hole, hole=hole)

    def fake_logits(self, logits: torch.Tensor, play: Play) -> torch.Tensor:
        """Only D's patches that see a hole pixel are fakes; the rest are real photo (LaMa's masked loss)."""
        return logits[F.adaptive_max_pool2d(play.hole, logits.shape[-2:]) > 0]

    def shown(self, play: Play, batch):
        result = play.prediction.float().clamp(-1, 1) * play.hole + play.real * (1 - play.hole)
        error = ((result - play.real) ** 2 * play.hole).sum() / (play.hole.sum() * 3)
        return play.real * (1 - play.hole) + play.hole, result, {"val_psnr_hole": psnr(error.item())}


class PhotoRestoration(PhotoGame):
    """Denoise or enlarge a photo: a degraded photo in, the clean photo out, D judges the output alone."""

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


class DCGAN(Game):
    """The classic DCGAN on Fashion-MNIST: noise in, an image out, judged by D alone. Nothing is
    reconstructed, and a fake has no matching real image, so there is no feature matching either."""
    feature_matching = False
    ships_story = True        # the run's log and sample grids go beside the exported weights
    measured_samples = 5000   # FD and coverage at each sample grid on this many samples (as the Done-when counts)

    def __init__(self, cfg):
        super().__init__(cfg)
        self.config = DCGANConfig()

    def generator(self) -> DCGANGenerator:
        return DCGANGenerator(self.config)

    def discriminator(self) -> DCGANDiscriminator:
        return DCGANDiscriminator(self.config)

    def data(self):
        images, _ = data_lib.fashion_mnist("train")
        test_images, _ = data_lib.fashion_mnist("test")
        fixed_noise = torch.randn(64, self.config.noise_dim, generator=torch.Generator().manual_seed(1234))
        return torch.utils.data.TensorDataset(images), (fixed_noise, test_images[:64])

    def data_card(self) -> dict:
        return {"source": "Fashion-MNIST train split (Debian package dataset-fashion-mnist)", "images": 60000}

    def play(self, generator, batch) -> Play:
        (real,) = batch
        noise = torch.randn(real.shape[0], self.config.noise_dim, device=real.device)
        return Play(real, generator(noise), None)

    def judge(self, discriminator, real, fake, condition):
        """DCGAN's D has batch norm: in a batch of real and fake together it tells them apart by the batch
        statistics, and then misjudges the all-fake batch of step (2). Two batches, as in the PyTorch
        example, so D sees the same kind of batch in (1) and (2)."""
        outputs = [discriminator(real), discriminator(fake)]
        logits = torch.cat([o[0] for o in outputs])
        features = [torch.cat(fs) for fs in zip(*[o[1] for o in outputs])]
        return logits, features

    def reconstruction(self, play: Play) -> tuple[torch.Tensor, dict]:
        return torch.zeros((), device=play.real.device), {}

    @torch.no_grad()
    def sample(self, generator, fixed_batch, path: Path, autocast) -> dict:
        """The grid of the fixed noise, and the classifier's FD and class coverage on 5,000 samples: the
        log then holds the curve the Learn tab draws along training (without a classifier: the grid only)."""
        from gan_core.learn.measure_generators import measure_generator   # the classifier's module imports this one's
        noise, _ = fixed_batch
        vutils.save_image(generator(noise), path, nrow=8, normalize=True, value_range=(-1, 1))
        try:
            return measure_generator(generator, self.measured_samples)
        except FileNotFoundError:    # weights/fashion-classifier is not there (tests, a bare checkout)
            return {}


GAMES = {"inpaint": PhotoInpainting, "restore": PhotoRestoration, "dcgan": DCGAN}


def for_task(cfg):
    """The game of cfg.task, as gan_core.core.tasks names it."""
    return GAMES[tasks.get(cfg.task).game](cfg)
