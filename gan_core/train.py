"""One training loop for every model in the studio: inpainting, denoising, super-resolution, DCGAN.

    python -m gan_core.train --task inpaint --data manifest:train --out runs/inpaint --minutes 60
    python -m gan_core.train --out runs/inpaint --resume --minutes 60          # go on where it stopped
    torchrun --nproc_per_node=2 -m gan_core.train --task inpaint ...          # data-parallel, gloo on CPU

Each step is the alternating game of Goodfellow et al.:
  (1) update D: maximise log D(x) + log(1 - D(G(z)))   (or the hinge / least-squares version)
  (2) update G: minimise the adversarial loss + weighted L1 reconstruction + feature matching
An exponential moving average (EMA) of G's weights is what we sample from and export: it is smoother
than the raw G, which jumps around with every step of the game.

Everything about a run is in TrainConfig; run directories hold log.jsonl, samples/step_*.png and
checkpoint.pt (plus config.json). --export NAME writes weights/NAME.safetensors and its model card.
"""
import argparse
import copy
import dataclasses
import json
import math
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn.functional as F
import torchvision.utils as vutils
from tqdm import tqdm

from . import data as data_lib
from . import losses
from .dcgan import DCGANConfig, DCGANDiscriminator, DCGANGenerator
from .models import (DiscriminatorConfig, InpaintConfig, InpaintGenerator, PatchDiscriminator,
                     RestorationConfig, RestorationGenerator)
from .weights import read_card, save_weights, sha256_of

TASKS = ("inpaint", "denoise", "sr2", "sr4", "dcgan")


@dataclass
class TrainConfig:
    task: str = "inpaint"            # one of TASKS
    data: str = "manifest:train"     # folder of images, or manifest:train; ignored for dcgan (Fashion-MNIST)
    val_data: str = ""               # folder or manifest:val for the fixed sample batch; "" = a seeded batch of `data`
    out: str = "runs/inpaint"        # run directory: log, samples, checkpoint
    steps: int = 20_000              # stop at this step
    minutes: float = 0.0             # stop (with a checkpoint) after this much wall time; 0 = no limit
    batch_size: int = 8
    crop: int = 256                  # training crop side for photo tasks
    min_scale: float = 0.25          # crops cover min_scale..1 of a photo's short side before resizing
    lr_g: float = 2e-4
    lr_d: float = 2e-4               # Adam defaults of the DCGAN paper
    beta1: float = 0.5
    beta2: float = 0.999
    gan_loss: str = "hinge"          # one of losses.GAN_LOSSES
    adv_weight: float = 0.1          # weight of G's adversarial loss
    l1_weight: float = 10.0          # weight of L1 (mean over hole pixels for inpainting, all pixels otherwise)
    valid_weight: float = 0.0        # inpainting: relative L1 weight of the pixels outside the hole
    fm_weight: float = 1.0           # discriminator feature matching
    ssim_weight: float = 0.0         # 1 - SSIM over the hole (inpainting) or the image: sharp where the structure is known
    grain_weight: float = 0.0        # inpainting: fine energy beyond the photo's on the calm half of the hole (levels)
    r1_weight: float = 0.0           # R1 gradient penalty on real images (0 = off)
    adv_start: int = 0               # steps of reconstruction-only warm-up before the adversarial terms start
    ema: float = 0.999               # decay of the exponential moving average of G
    g_channels: int = 0              # 0 = the model config's default
    g_blocks: int = 0                # 0 = default (inpaint: residual blocks; restore: conv layers)
    g_block: str = "ffc"             # inpaint: "ffc" or "dilated"
    g_skips: bool = False            # restoration: residual blocks instead of a plain conv stack
    g_refine: int = 0                # inpaint: width of the full-resolution refinement (0 = none)
    d_channels: int = 32
    bf16: bool = False               # bfloat16 autocast: ~1.7x faster on CPUs with AVX512-BF16/AMX, far slower without
    workers: int = 1                 # data loader worker processes
    log_every: int = 10
    sample_every: int = 500
    checkpoint_every: int = 500
    seed: int = 0
    resume: bool = False             # continue from out/checkpoint.pt at its step, with its optimiser state
    init_from: str = ""              # start G and D from exported weights (e.g. weights/inpaint-photo.safetensors)
    export: str = ""                 # at the end, write weights/NAME.safetensors + weights/NAME.json
    weights_dir: str = "weights"
    progress: bool = True            # tqdm progress bar


# ----------------------------------------------------------------------------------------------------
# Models and data for each task


def build_models(cfg: TrainConfig):
    """(generator, discriminator) for the task, sized by the config."""
    if cfg.task == "dcgan":
        dc = DCGANConfig()
        return DCGANGenerator(dc), DCGANDiscriminator(dc)
    if cfg.task == "inpaint":
        g_config = InpaintConfig(block=cfg.g_block)
        if cfg.g_channels:
            g_config.channels = cfg.g_channels
        if cfg.g_blocks:
            g_config.n_blocks = cfg.g_blocks
        g_config.refine = cfg.g_refine
        return InpaintGenerator(g_config), PatchDiscriminator(DiscriminatorConfig(in_channels=4, channels=cfg.d_channels))
    scale = {"denoise": 1, "sr2": 2, "sr4": 4}[cfg.task]
    g_config = RestorationConfig(scale=scale)
    if cfg.g_channels:
        g_config.channels = cfg.g_channels
    if cfg.g_blocks:
        g_config.n_convs = cfg.g_blocks
    g_config.skips = cfg.g_skips
    return RestorationGenerator(g_config), PatchDiscriminator(DiscriminatorConfig(in_channels=3, channels=cfg.d_channels))


def build_data(cfg: TrainConfig):
    """(training dataset, fixed validation batch as a tuple of tensors)."""
    if cfg.task == "dcgan":
        images, _ = data_lib.fashion_mnist("train")
        test_images, _ = data_lib.fashion_mnist("test")
        generator = torch.Generator().manual_seed(1234)
        fixed_noise = torch.randn(64, DCGANConfig().noise_dim, generator=generator)
        return torch.utils.data.TensorDataset(images), (fixed_noise, test_images[:64])
    crop = data_lib.CropConfig(crop=cfg.crop, min_scale=cfg.min_scale)
    train = data_lib.PhotoCrops(data_lib.resolve_files(cfg.data), cfg.task, crop)
    val_files = data_lib.resolve_files(cfg.val_data) if cfg.val_data else train.files
    val = data_lib.PhotoCrops(val_files, cfg.task, crop, seed=cfg.seed + 12345)
    return train, data_lib.fixed_batch(val, min(cfg.batch_size, 8))


def infinite_batches(loader):
    """Yield batches forever, one epoch after another (DistributedSampler reshuffles per epoch)."""
    epoch = 0
    while True:
        if isinstance(loader.sampler, torch.utils.data.DistributedSampler):
            loader.sampler.set_epoch(epoch)
        yield from loader
        epoch += 1


def patch_mask(mask: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """Which of D's patches see any hole pixel: only those are labelled fake (LaMa's masked adversarial loss)."""
    return F.adaptive_max_pool2d(mask, logits.shape[-2:]) > 0


# ----------------------------------------------------------------------------------------------------
# The training step


class Trainer:
    """Holds the models, optimisers and step counter; `step(batch)` plays one round of the game."""

    def __init__(self, cfg: TrainConfig, device: torch.device, rank: int = 0, world_size: int = 1):
        if cfg.task not in TASKS:
            raise ValueError(f"unknown task {cfg.task!r}; choose one of {TASKS}")
        if cfg.gan_loss not in losses.GAN_LOSSES:
            raise ValueError(f"unknown GAN loss {cfg.gan_loss!r}; choose one of {losses.GAN_LOSSES}")
        self.cfg, self.device, self.rank, self.world_size = cfg, device, rank, world_size
        self.generator, self.discriminator = (m.to(device) for m in build_models(cfg))
        self.generator_ema = copy.deepcopy(self.generator).eval().requires_grad_(False)
        betas = (cfg.beta1, cfg.beta2)
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=cfg.lr_g, betas=betas)
        self.opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=cfg.lr_d, betas=betas)
        self.step_count, self.wall_seconds = 0, 0.0
        self.g_train, self.d_train = self.generator, self.discriminator
        if world_size > 1:  # gradients are averaged across processes by DDP
            ddp = torch.nn.parallel.DistributedDataParallel
            ids = [device.index] if device.type == "cuda" else None
            self.g_train = ddp(self.generator, device_ids=ids)
            self.d_train = ddp(self.discriminator, device_ids=ids)

    def autocast(self):
        return torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.cfg.bf16)

    def generate(self, batch, generator=None):
        """Run G on a batch: returns (condition for D or None, fake, real, hole mask or None)."""
        generator = generator or self.g_train
        if self.cfg.task == "dcgan":
            (real,) = batch
            noise = torch.randn(real.shape[0], DCGANConfig().noise_dim, device=self.device)
            return None, generator(noise), real, None
        if self.cfg.task == "inpaint":
            real, mask = batch
            prediction = generator(real, mask)
            return mask, prediction, real, mask
        degraded, real = batch
        return None, generator(degraded), real, None

    @staticmethod
    def critic_input(image, condition):
        return image if condition is None else torch.cat([image, condition], 1)

    def step(self, batch) -> dict:
        cfg = self.cfg
        batch = [t.to(self.device, non_blocking=True) for t in batch]
        adversarial = self.step_count >= cfg.adv_start
        with self.autocast():
            condition, prediction, real, hole = self.generate(batch)
        # inpainting composites: known pixels are given, only the hole is generated
        fake = prediction if hole is None else prediction * hole + real * (1 - hole)
        stats = {}

        # (1) Update D: maximise log D(x) + log(1 - D(G(z))), one forward over real and fake together
        if adversarial:
            self.discriminator.requires_grad_(True)
            with self.autocast():
                both = torch.cat([self.critic_input(real, condition), self.critic_input(fake.detach(), condition)])
                if cfg.r1_weight > 0:
                    both.requires_grad_(True)
                if cfg.task == "dcgan":
                    # DCGAN's D has batch norm: in a batch of real and fake together it tells them apart by the
                    # batch statistics, and then misjudges the all-fake batch of step (2). Two batches, as
                    # in the PyTorch example, so D sees the same kind of batch in (1) and (2).
                    outputs = [self.d_train(half) for half in both.chunk(2)]
                    logits = torch.cat([o[0] for o in outputs])
                    features = [torch.cat(fs) for fs in zip(*[o[1] for o in outputs])]
                else:
                    logits, features = self.d_train(both)
                logits = logits.float()
            # D's features on the real half, reused as feature-matching targets in (2): saves a forward pass
            real_features = [f.detach().chunk(2)[0] for f in features]
            d_real, d_fake = logits.chunk(2)
            if hole is not None:
                d_fake = d_fake[patch_mask(hole, d_fake)]
            loss_d = losses.d_loss(cfg.gan_loss, d_real, d_fake)
            if cfg.r1_weight > 0:
                loss_d = loss_d + cfg.r1_weight * losses.r1_penalty(d_real, both)
            self.opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            self.opt_d.step()
            stats.update(loss_d=loss_d.item(), d_real=torch.sigmoid(d_real).mean().item(),
                         d_fake=torch.sigmoid(d_fake).mean().item())

        # (2) Update G: fool D, stay close to the target, match D's features on real images
        self.discriminator.requires_grad_(False)
        loss_g = torch.zeros((), device=self.device)
        if cfg.task != "dcgan":
            if hole is not None:  # mean over hole pixels, so the weight means the same for small and large holes
                weight = hole + cfg.valid_weight * (1 - hole)
                l1 = ((prediction.float() - real).abs() * weight).sum() / (weight.sum() * real.shape[1]).clamp_min(1)
            else:
                l1 = losses.l1_reconstruction(prediction.float(), real)
            loss_g = loss_g + cfg.l1_weight * l1
            stats["l1"] = l1.item()
            if cfg.ssim_weight > 0:
                ssim = losses.ssim_loss(fake.float(), real, hole)
                loss_g = loss_g + cfg.ssim_weight * ssim
                stats["ssim_loss"] = ssim.item()
            if cfg.grain_weight > 0 and hole is not None:
                grain = losses.grain_loss(fake.float(), real, hole)
                loss_g = loss_g + cfg.grain_weight * grain
                stats["grain"] = grain.item()
        if adversarial:
            with self.autocast():  # the raw module: DDP must not sync D here, only G receives gradients
                g_logits, fake_features = self.discriminator(self.critic_input(fake, condition))
                g_logits = g_logits.float()
            if hole is not None:
                g_logits = g_logits[patch_mask(hole, g_logits)]
            adv = losses.g_loss(cfg.gan_loss, g_logits)
            loss_g = loss_g + cfg.adv_weight * adv
            stats["adv"] = adv.item()
            if cfg.fm_weight > 0 and cfg.task != "dcgan":  # unconditional: a fake has no matching real image
                fm = losses.feature_matching([f.float() for f in fake_features], [f.float() for f in real_features])
                loss_g = loss_g + cfg.fm_weight * fm
                stats["fm"] = fm.item()
        self.opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        self.opt_g.step()
        self.update_ema()
        self.step_count += 1
        stats["loss_g"] = loss_g.item()
        return stats

    @torch.no_grad()
    def update_ema(self):
        decay = min(self.cfg.ema, (1 + self.step_count) / (10 + self.step_count))  # short memory early on
        for ema_p, p in zip(self.generator_ema.parameters(), self.generator.parameters()):
            ema_p.lerp_(p.detach(), 1 - decay)
        for ema_b, b in zip(self.generator_ema.buffers(), self.generator.buffers()):
            ema_b.copy_(b)

    # -- samples and validation ---------------------------------------------------------------------

    @torch.no_grad()
    def sample_grid(self, fixed_batch, path: Path) -> dict:
        """Save a grid from the EMA generator on the fixed batch; return validation numbers on it."""
        batch = [t.to(self.device) for t in fixed_batch]
        if self.cfg.task == "dcgan":
            noise, _ = batch
            vutils.save_image(self.generator_ema(noise), path, nrow=8, normalize=True, value_range=(-1, 1))
            return {}
        with self.autocast():
            condition, prediction, real, hole = self.generate(batch, self.generator_ema)
        prediction = prediction.float().clamp(-1, 1)
        if hole is not None:
            result = prediction * hole + real * (1 - hole)
            shown_input = real * (1 - hole) + hole  # the hole in white
            error = ((result - real) ** 2 * hole).sum() / (hole.sum() * 3)
            val = {"val_psnr_hole": 10 * math.log10(4.0 / max(error.item(), 1e-10))}
        else:
            result = prediction
            shown_input = F.interpolate(batch[0], size=real.shape[-2:], mode="nearest")
            error = ((result - real) ** 2).mean()
            val = {"val_psnr": 10 * math.log10(4.0 / max(error.item(), 1e-10))}
        rows = torch.cat([shown_input, result, real])  # three rows: input, output, target
        vutils.save_image(rows, path, nrow=real.shape[0], normalize=True, value_range=(-1, 1), padding=2)
        return val

    # -- checkpoints -----------------------------------------------------------------------------------

    def state_dict(self) -> dict:
        return {"generator": self.generator.state_dict(), "discriminator": self.discriminator.state_dict(),
                "generator_ema": self.generator_ema.state_dict(), "opt_g": self.opt_g.state_dict(),
                "opt_d": self.opt_d.state_dict(), "step": self.step_count, "wall_seconds": self.wall_seconds,
                "config": dataclasses.asdict(self.cfg)}

    def save_checkpoint(self, path: Path):
        tmp = path.with_suffix(".tmp")
        torch.save(self.state_dict(), tmp)
        os.replace(tmp, path)  # never leave a half-written checkpoint

    def load_checkpoint(self, path: Path):
        state = torch.load(path, map_location=self.device, weights_only=True)
        self.generator.load_state_dict(state["generator"])
        self.discriminator.load_state_dict(state["discriminator"])
        self.generator_ema.load_state_dict(state["generator_ema"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        self.step_count, self.wall_seconds = state["step"], state["wall_seconds"]

    def load_exported(self, path: str):
        """Start from shipped weights (G's EMA copy becomes G, EMA and the starting point).

        Weights without a refinement may start a generator with one: it begins as the identity."""
        from .weights import load_state
        generator_state, discriminator_state, _ = load_state(path)
        for module in (self.generator, self.generator_ema):
            try:
                missing, unexpected = module.load_state_dict(generator_state, strict=False)
            except RuntimeError as error:  # a tensor of another shape
                raise ValueError(f"{path} does not fit this generator: {error}") from None
            if unexpected or any(not key.startswith("refine.") for key in missing):
                raise ValueError(f"{path} does not fit this generator: missing {missing}, unexpected {unexpected}")
        if discriminator_state:
            self.discriminator.load_state_dict(discriminator_state)


# ----------------------------------------------------------------------------------------------------
# The run


def setup_distributed() -> tuple[torch.device, int, int]:
    """Under torchrun, join the process group (NCCL on GPUs, gloo on the CPU); else one process."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if torch.cuda.is_available():
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")
    if world_size > 1:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
        if device.type == "cpu":  # share the cores between the processes instead of oversubscribing them
            torch.set_num_threads(max(1, (os.cpu_count() or 2) // world_size))
    return device, rank, world_size


def train(cfg: TrainConfig) -> Trainer:
    """Run (or resume) training as the config says; return the trainer at the end."""
    device, rank, world_size = setup_distributed()
    torch.manual_seed(cfg.seed + rank)
    torch.set_flush_denormal(True)  # zero-initialised layers produce denormal floats, which are very slow on CPUs
    out = Path(cfg.out)
    checkpoint = out / "checkpoint.pt"
    if cfg.resume and checkpoint.exists():  # flags given now win; the rest comes from the checkpoint's config
        saved = torch.load(checkpoint, map_location="cpu", weights_only=True)["config"]
        given = {k: v for k, v in dataclasses.asdict(cfg).items() if v != getattr(TrainConfig, k)}
        cfg = TrainConfig(**{**saved, **given, "resume": True})
    elif cfg.resume:
        raise FileNotFoundError(f"--resume: no checkpoint at {checkpoint}")
    if rank == 0:
        (out / "samples").mkdir(parents=True, exist_ok=True)
        (out / "config.json").write_text(json.dumps(dataclasses.asdict(cfg), indent=2))

    dataset, fixed_batch = build_data(cfg)
    sampler = torch.utils.data.DistributedSampler(dataset, seed=cfg.seed) if world_size > 1 else None
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=cfg.batch_size, shuffle=sampler is None, sampler=sampler, drop_last=True,
        num_workers=cfg.workers, persistent_workers=cfg.workers > 0, pin_memory=device.type == "cuda")
    trainer = Trainer(cfg, device, rank, world_size)
    if cfg.resume:
        trainer.load_checkpoint(checkpoint)
    elif cfg.init_from:
        trainer.load_exported(cfg.init_from)

    start_step, start_wall, started = trainer.step_count, trainer.wall_seconds, time.perf_counter()
    batches = infinite_batches(loader)
    bar = tqdm(total=cfg.steps, initial=start_step, desc=f"{cfg.task}", disable=rank != 0 or not cfg.progress,
               dynamic_ncols=True, smoothing=0.05)
    log = open(out / "log.jsonl", "a") if rank == 0 else None
    wait_seconds, step_seconds, stats = 0.0, 0.0, {}
    while trainer.step_count < cfg.steps:
        tick = time.perf_counter()
        batch = next(batches)
        fetched = time.perf_counter()
        stats = trainer.step(batch)
        done = time.perf_counter()
        wait_seconds += fetched - tick
        step_seconds += done - tick
        trainer.wall_seconds = start_wall + (done - started)
        step = trainer.step_count
        out_of_time = cfg.minutes > 0 and (done - started) > cfg.minutes * 60
        if world_size > 1:  # every process must agree to stop, or the others hang in the next all-reduce
            flag = torch.tensor(float(out_of_time), device=device)
            dist.all_reduce(flag, op=dist.ReduceOp.MAX)
            out_of_time = bool(flag.item())
        if rank == 0:
            bar.update(1)
            bar.set_postfix({k: f"{v:.3f}" for k, v in stats.items()}, refresh=False)
            record = {}
            if step % cfg.log_every == 0 or step == 1:
                record = {"step": step, "wall": round(trainer.wall_seconds, 1), **{k: round(v, 5) for k, v in stats.items()},
                          "steps_per_s": round(step / max(trainer.wall_seconds, 1e-9), 4) if start_step == 0 else None,
                          "data_wait_frac": round(wait_seconds / max(step_seconds, 1e-9), 4)}
            if step % cfg.sample_every == 0:
                record.update(step=step, wall=round(trainer.wall_seconds, 1),
                              **trainer.sample_grid(fixed_batch, out / "samples" / f"step_{step:07d}.png"))
            if record:
                log.write(json.dumps({k: v for k, v in record.items() if v is not None}) + "\n")
                log.flush()
            if step % cfg.checkpoint_every == 0 or out_of_time or step == cfg.steps:
                trainer.save_checkpoint(checkpoint)
        if out_of_time:
            break
    bar.close()
    if rank == 0:
        if trainer.step_count == start_step and not checkpoint.exists():
            trainer.save_checkpoint(checkpoint)
        final_val = trainer.sample_grid(fixed_batch, out / "samples" / f"step_{trainer.step_count:07d}.png")
        summary = {"event": "end", "step": trainer.step_count, "wall": round(trainer.wall_seconds, 1),
                   "steps_this_run": trainer.step_count - start_step,
                   "data_wait_frac": round(wait_seconds / max(step_seconds, 1e-9), 4), **final_val}
        log.write(json.dumps(summary) + "\n")
        log.close()
        print(json.dumps(summary), file=sys.stderr)
        if cfg.export:
            path = export(trainer, cfg.export, evaluation={"fixed_batch": final_val})
            print(f"exported {path}", file=sys.stderr)
    if world_size > 1:
        dist.barrier()
        dist.destroy_process_group()
    return trainer


def command_line(cfg: TrainConfig) -> str:
    """The training command that gives this config: every field that differs from its default, as a flag."""
    flags = []
    for field in dataclasses.fields(TrainConfig):
        value = getattr(cfg, field.name)
        if field.name in ("resume", "progress") or value == field.default:
            continue
        flag = "--" + field.name.replace("_", "-")
        flags.append(flag if value is True else f"--no-{flag[2:]}" if value is False else f"{flag} {value}")
    return "python -m gan_core.train " + " ".join(flags)


def export(trainer: Trainer, name: str, evaluation: dict | None = None) -> Path:
    """Write weights/NAME.safetensors (EMA generator + discriminator) and the model card weights/NAME.json."""
    cfg = trainer.cfg
    data_info = {"source": cfg.data}
    if cfg.task == "dcgan":
        data_info = {"source": "Fashion-MNIST train split (Debian package dataset-fashion-mnist)", "images": 60000}
    elif cfg.data.startswith("manifest:"):
        data_info.update(manifest="data/photos.csv", manifest_sha256=sha256_of(data_lib.MANIFEST),
                         files=len(data_lib.resolve_files(cfg.data)))
    card = {
        "name": name, "task": cfg.task,
        "generator": {"class": type(trainer.generator).__name__, "config": dataclasses.asdict(trainer.generator.config),
                      "parameters": sum(p.numel() for p in trainer.generator.parameters())},
        "discriminator": {"class": type(trainer.discriminator).__name__,
                          "config": dataclasses.asdict(trainer.discriminator.config),
                          "parameters": sum(p.numel() for p in trainer.discriminator.parameters())},
        "data": data_info, "steps": trainer.step_count, "wall_time_hours": round(trainer.wall_seconds / 3600, 3),
        "training": {k: v for k, v in dataclasses.asdict(cfg).items() if k not in ("out", "resume", "export", "progress")},
        "training_command": command_line(cfg),
        "device": f"{trainer.device.type} x {trainer.world_size}", "torch": torch.__version__,
        "evaluation": evaluation or {},
    }
    if cfg.init_from and Path(cfg.init_from).exists():  # read before a new version replaces it
        before = read_card(cfg.init_from)
        card["continued_from"] = {key: before.get(key) for key in ("name", "sha256", "steps", "wall_time_hours")}
    return save_weights(Path(cfg.weights_dir) / f"{name}.safetensors", trainer.generator_ema, trainer.discriminator, card)


def parse_args(argv=None) -> TrainConfig:
    """Command-line flags mirror TrainConfig's fields: --lr-g 1e-4, --bf16, --no-progress ..."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for f in dataclasses.fields(TrainConfig):
        flag = "--" + f.name.replace("_", "-")
        if f.type is bool or f.type == "bool":
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=f.default)
        else:
            kind = {"int": int, "float": float, "str": str}.get(f.type if isinstance(f.type, str) else f.type.__name__)
            parser.add_argument(flag, type=kind, default=f.default)
    args = parser.parse_args(argv)
    cfg = TrainConfig(**vars(args))
    if cfg.task not in TASKS:
        parser.error(f"--task must be one of {TASKS}")
    return cfg


if __name__ == "__main__":
    train(parse_args())
