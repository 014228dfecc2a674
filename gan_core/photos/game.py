"""What the photo games share (inpainting, gan_core.inpainting.game; restoration, gan_core.restoration.game):
their settings, crops of photographs, a PatchGAN critic, L1 (+ SSIM) and feature matching.

The DCGAN (gan_core.learn.dcgan_game) trains with the same settings, its photo fields unused: it was trained as one
more task of this trainer, and its model cards list these settings.
"""
import math
from dataclasses import dataclass
from pathlib import Path

import torch
import torchvision.utils as vutils

from gan_core.core import losses
from gan_core.core.layers import DiscriminatorConfig, PatchDiscriminator
from gan_core.core.weights import sha256_of
from gan_core.photos import data as data_lib
from gan_core.training.train import RunConfig, infinite_batches, network_card
from gan_core.training.trainer import Game, linear_decay


@dataclass
class TrainConfig(RunConfig):
    task: str = "inpaint"            # inpaint, denoise, sr2, sr4 (or dcgan)
    data: str = "manifest:train"     # folder of images, a .txt list, manifest:train or paintings:train; ignored for dcgan
    val_data: str = ""               # folder or manifest:val for the fixed sample batch; "" = a seeded batch of `data`
    out: str = "runs/inpaint"        # run folder: log, samples, checkpoint
    steps: int = 20_000              # stop at this step
    batch_size: int = 8
    crop: int = 256                  # training crop side for photo tasks
    min_scale: float = 0.25          # crops cover min_scale..1 of a photo's short side before resizing
    masks: str = "photo"             # inpainting holes: "photo" (strokes, boxes, objects, borders), "wide" (the same
                                     # and a quarter dense strokes), "strokes" (the mix up to inpaint-photo) or "damage"
    symmetries: int = 2              # crops mirrored left-right at random (2), or turned to any of the square's 8
    lr_g: float = 2e-4
    lr_d: float = 2e-4               # Adam defaults of the DCGAN paper
    decay_from: int = 0              # from this step both learning rates fall linearly to 0 at `steps` (0: constant)
    beta1: float = 0.5
    beta2: float = 0.999
    gan_loss: str = "hinge"          # one of losses.GAN_LOSSES
    adv_weight: float = 0.1          # weight of G's adversarial loss
    l1_weight: float = 10.0          # weight of L1 (mean over hole pixels for inpainting, all pixels otherwise)
    fm_weight: float = 1.0           # discriminator feature matching
    ssim_weight: float = 0.0         # 1 - SSIM over the hole (inpainting) or the image: sharp where the structure is known
    grain_weight: float = 0.0        # inpainting: fine energy beyond the photo's on the calm half of the hole (levels)
    detail_weight: float = 0.0       # inpainting: local fine luminance energy short of the photo's on the busy half
    adv_start: int = 0               # steps of reconstruction-only warm-up before the adversarial terms start
    ema: float = 0.999               # decay of the exponential moving average of G
    g_channels: int = 0              # 0 = the model config's default
    g_blocks: int = 0                # 0 = default (inpaint: residual blocks; restore: conv layers)
    g_block: str = "ffc"             # inpaint: "ffc" or "dilated"
    g_skips: bool = False            # restoration: residual blocks instead of a plain conv stack
    setting: str = "mixed"           # restoration: how crops are degraded (photos.data.degrade): clean, real or mixed
    g_refine: int = 0                # inpaint: width of the full-resolution refinement (0 = none)
    g_refine_known: bool = False     # inpaint: the refinement sees the image's known pixels, not G's guess of them
    g_refine_blocks: int = 0         # inpaint: dilated residual blocks inside the refinement (a wider full-res view)
    g_flips: int = 0                 # inpaint: fills averaged over 2, 4 or 8 symmetries out of training (0 = 1: none)
    d_channels: int = 32
    bf16: bool = False               # bfloat16 autocast: ~1.7x faster on CPUs with AVX512-BF16/AMX, far slower without
    workers: int = 1                 # data loader worker processes
    sample_every: int = 500          # a grid of the fixed batch (and its validation numbers) every this many steps
    progress: bool = True            # tqdm progress bar


@dataclass
class Play:
    """One batch after G has played: what D is shown, and what the reconstruction compares."""
    real: torch.Tensor                    # the target images, which D should call real
    fake: torch.Tensor                    # what D should call fake (for inpainting: G's fill pasted into the photo)
    prediction: torch.Tensor | None       # G's raw output, compared with `real` by the reconstruction
    condition: torch.Tensor | None = None  # what D sees beside every image (inpainting: the hole mask)
    hole: torch.Tensor | None = None      # 1 where the photo was missing (inpainting only)
    real_features: list | None = None     # D's features on the real half in (1), feature-matching targets in (2)


def psnr(error: float) -> float:
    """PSNR in dB of a mean squared error on images in [-1, 1] (peak-to-peak 2, so peak squared 4)."""
    return 10 * math.log10(4.0 / max(error, 1e-10))


class AdversarialGame(Game):
    """The game of these settings, whatever G makes: Adam for G and D, the linear decay of both learning rates,
    D on real and fake in one batch, the adversarial term of cfg.gan_loss and feature matching."""
    feature_matching = True   # a real image for every fake, so G can match D's features on it

    def __init__(self, cfg: TrainConfig):
        if cfg.gan_loss not in losses.GAN_LOSSES:
            raise ValueError(f"unknown GAN loss {cfg.gan_loss!r}; choose one of {losses.GAN_LOSSES}")
        super().__init__(cfg)
        self.ema, self.bf16, self.sample_every = cfg.ema, cfg.bf16, cfg.sample_every

    def optimizers(self, generator, discriminator):
        betas = (self.cfg.beta1, self.cfg.beta2)
        return (torch.optim.Adam(generator.parameters(), lr=self.cfg.lr_g, betas=betas),
                torch.optim.Adam(discriminator.parameters(), lr=self.cfg.lr_d, betas=betas))

    def learning_rates(self, step: int) -> tuple[float, float]:
        scale = linear_decay(step, self.cfg.decay_from, self.cfg.steps)
        return self.cfg.lr_g * scale, self.cfg.lr_d * scale

    def adversarial(self, step: int) -> bool:
        return step >= self.cfg.adv_start   # before adv_start: reconstruction only

    @staticmethod
    def critic_input(image: torch.Tensor, condition: torch.Tensor | None) -> torch.Tensor:
        return image if condition is None else torch.cat([image, condition], 1)

    def judge(self, critic, play: Play):
        """D's logits and features on real and fake stacked into one batch: one forward pass for both."""
        return critic(torch.cat([self.critic_input(play.real, play.condition),
                                 self.critic_input(play.fake.detach(), play.condition)]))

    def fake_logits(self, logits: torch.Tensor, play: Play) -> torch.Tensor:
        """The logits on fakes that count: all of them, unless a game says otherwise."""
        return logits

    def d_loss(self, critic, play: Play):
        """The critic's loss of cfg.gan_loss: real x -> real, G(z) -> fake."""
        logits, features = self.judge(critic, play)
        # D's features on the real half, reused as feature-matching targets in (2): saves a forward pass
        play.real_features = [f.detach().chunk(2)[0] for f in features]
        d_real, d_fake = logits.chunk(2)
        d_fake = self.fake_logits(d_fake, play)  # inpainting: only the patches that see the hole
        loss_d = losses.d_loss(self.cfg.gan_loss, d_real, d_fake)
        return loss_d, {"loss_d": loss_d.item(), "d_real": torch.sigmoid(d_real).mean().item(),
                        "d_fake": torch.sigmoid(d_fake).mean().item()}

    def g_loss(self, critic, play: Play):
        """l1_weight * L1(G(z), x) [+ ssim, grain, detail]      stay close
           + adv_weight * the generator's loss of cfg.gan_loss    fool D
           + fm_weight * |D's features on G(z) - on x|            match D's view of x"""
        cfg = self.cfg
        loss_g, stats = self.reconstruction(play)
        if critic is not None:
            g_logits, fake_features = critic(self.critic_input(play.fake, play.condition))
            adv = losses.g_loss(cfg.gan_loss, self.fake_logits(g_logits, play))
            loss_g = loss_g + cfg.adv_weight * adv
            stats["adv"] = adv.item()
            if cfg.fm_weight > 0 and self.feature_matching:
                fm = losses.feature_matching([f.float() for f in fake_features], [f.float() for f in play.real_features])
                loss_g = loss_g + cfg.fm_weight * fm
                stats["fm"] = fm.item()
        return loss_g, {**stats, "loss_g": loss_g.item()}

    def batches(self, step: int, rank: int, world_size: int):
        """Shuffled batches of the training set, one epoch after another (torch's global generator draws them,
        seeded by the run; a DistributedSampler shares them out under torchrun)."""
        cfg, dataset = self.cfg, self.dataset()
        sampler = torch.utils.data.DistributedSampler(dataset, seed=cfg.seed) if world_size > 1 else None
        loader = torch.utils.data.DataLoader(
            dataset, batch_size=cfg.batch_size, shuffle=sampler is None, sampler=sampler, drop_last=True,
            num_workers=cfg.workers, persistent_workers=cfg.workers > 0, pin_memory=torch.cuda.is_available())
        return infinite_batches(loader)

    def card(self, trainer) -> dict:
        return {"generator": network_card(trainer.generator), "discriminator": network_card(trainer.discriminator),
                "data": self.data_card()}

    def evaluate(self, trainer) -> dict:
        """The last grid and its numbers."""
        return {"fixed_batch": self.sample(trainer, trainer.step_count)}

    def grid_path(self, step: int) -> Path:
        path = Path(self.cfg.out) / "samples" / f"step_{step:07d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        return path


class PhotoGame(AdversarialGame):
    """Crops of photographs in, a PatchGAN critic, L1 (+ SSIM) to the photo. A subclass says how a crop
    becomes a training pair (pair, a picklable callable (crop, rng) -> tensors), what G is, and what it shows."""
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

    def crop_config(self) -> data_lib.CropConfig:
        return data_lib.CropConfig(crop=self.cfg.crop, min_scale=self.cfg.min_scale, symmetries=self.cfg.symmetries)

    def dataset(self) -> data_lib.PhotoCrops:
        return data_lib.PhotoCrops(data_lib.resolve_files(self.cfg.data), self.pair(), self.crop_config())

    def fixed_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The batch every grid shows: seeded crops of the validation photos (or of the training ones)."""
        if not hasattr(self, "_fixed"):
            cfg = self.cfg
            files = data_lib.resolve_files(cfg.val_data or cfg.data)
            val = data_lib.PhotoCrops(files, self.pair(), self.crop_config(), seed=cfg.seed + 12345)
            self._fixed = data_lib.fixed_batch(val, min(cfg.batch_size, 8))
        return self._fixed

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
    def sample(self, trainer, step: int) -> dict:
        """Save a grid of three rows (input, output, target) of the EMA generator on the fixed batch; return
        validation numbers on it."""
        batch = [t.to(trainer.device) for t in self.fixed_batch()]
        with trainer.autocast():
            play = self.play(trainer.generator_ema, batch)
        shown_input, result, val = self.shown(play, batch)
        rows = torch.cat([shown_input, result, play.real])
        vutils.save_image(rows, self.grid_path(step), nrow=play.real.shape[0], normalize=True, value_range=(-1, 1),
                          padding=2)
        return val

    def shown(self, play: Play, batch):
        raise NotImplementedError
