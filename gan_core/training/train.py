"""One training loop for every model in the studio: inpainting, denoising, super-resolution, DCGAN.

    python -m gan_core.training --task inpaint --data manifest:train --out runs/inpaint --minutes 60
    python -m gan_core.training --out runs/inpaint --resume --minutes 60          # go on where it stopped
    torchrun --nproc_per_node=2 -m gan_core.training --task inpaint ...          # data-parallel, gloo on CPU
    python -m gan_core.training --recipe inpaint-photo                           # a shipped model, stage by stage

Each step is the alternating game of Goodfellow et al.:
  (1) update D: maximise log D(x) + log(1 - D(G(z)))   (or the hinge / least-squares version)
  (2) update G: minimise the adversarial loss + weighted L1 reconstruction + feature matching
An exponential moving average (EMA) of G's weights is what we sample from and export: it is smoother
than the raw G, which jumps around with every step of the game.

Everything about a run is in TrainConfig; run directories hold log.jsonl, samples/step_*.png and
checkpoint.pt (plus config.json). --export NAME writes weights/NAME.safetensors and its model card.
What differs between tasks lives in gan_core.training.games; recipes (gan_core.training.recipes) chain runs into a model.
"""
import argparse
import copy
import dataclasses
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.distributed as dist
from tqdm import tqdm

from gan_core.training import games
from gan_core.core import losses
from gan_core.training import runs
from gan_core.core import tasks
from gan_core.core.layers import update_ema
from gan_core.core.weights import load_state, read_card, save_weights


@dataclass
class TrainConfig:
    task: str = "inpaint"            # one of gan_core.core.tasks.TASKS
    data: str = "manifest:train"     # folder of images, a .txt list, manifest:train or paintings:train; ignored for dcgan
    val_data: str = ""               # folder or manifest:val for the fixed sample batch; "" = a seeded batch of `data`
    out: str = "runs/inpaint"        # run directory: log, samples, checkpoint
    steps: int = 20_000              # stop at this step
    minutes: float = 0.0             # stop (with a checkpoint) after this much wall time; 0 = no limit
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
    g_refine: int = 0                # inpaint: width of the full-resolution refinement (0 = none)
    g_refine_known: bool = False     # inpaint: the refinement sees the image's known pixels, not G's guess of them
    g_refine_blocks: int = 0         # inpaint: dilated residual blocks inside the refinement (a wider full-res view)
    g_flips: int = 0                 # inpaint: fills averaged over 2, 4 or 8 symmetries out of training (0 = 1: none)
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
# The training step


def infinite_batches(loader):
    """Yield batches forever, one epoch after another (DistributedSampler reshuffles per epoch)."""
    epoch = 0
    while True:
        if isinstance(loader.sampler, torch.utils.data.DistributedSampler):
            loader.sampler.set_epoch(epoch)
        yield from loader
        epoch += 1


class Trainer:
    """Holds the models, optimisers and step counter; `step(batch)` plays one round of the game.

    What differs between tasks (the networks, how a batch becomes a real and a fake, the reconstruction)
    comes from the task's game in gan_core.training.games; the round itself is the same for all."""

    def __init__(self, cfg: TrainConfig, device: torch.device, rank: int = 0, world_size: int = 1):
        if cfg.gan_loss not in losses.GAN_LOSSES:
            raise ValueError(f"unknown GAN loss {cfg.gan_loss!r}; choose one of {losses.GAN_LOSSES}")
        self.cfg, self.device, self.rank, self.world_size = cfg, device, rank, world_size
        self.game = games.for_task(cfg)  # a ValueError that lists the tasks if cfg.task is unknown
        self.generator = self.game.generator().to(device)
        self.discriminator = self.game.discriminator().to(device)
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

    def learning_rate_scale(self) -> float:
        """1 until cfg.decay_from, then linearly down to 0 at cfg.steps (the pix2pix schedule): the last
        steps average out the noise of the updates."""
        cfg = self.cfg
        if not cfg.decay_from or self.step_count < cfg.decay_from:
            return 1.0
        return max(0.0, (cfg.steps - self.step_count) / max(1, cfg.steps - cfg.decay_from))

    def step(self, batch) -> dict:
        cfg, game = self.cfg, self.game
        scale = self.learning_rate_scale()
        for optimiser, lr in ((self.opt_g, cfg.lr_g), (self.opt_d, cfg.lr_d)):
            for group in optimiser.param_groups:
                group["lr"] = lr * scale
        batch = [t.to(self.device, non_blocking=True) for t in batch]
        adversarial = self.step_count >= cfg.adv_start  # before adv_start: reconstruction only
        with self.autocast():
            play = game.play(self.g_train, batch)  # real x, fake G(z) (and the hole, for inpainting)
        stats = {}

        # (1) Update D: maximise log D(x) + log(1 - D(G(z))), i.e. minimise the critic's loss of cfg.gan_loss
        if adversarial:
            self.discriminator.requires_grad_(True)
            with self.autocast():
                logits, features = game.judge(self.d_train, play.real, play.fake.detach(), play.condition)
                logits = logits.float()
            # D's features on the real half, reused as feature-matching targets in (2): saves a forward pass
            real_features = [f.detach().chunk(2)[0] for f in features]
            d_real, d_fake = logits.chunk(2)
            d_fake = game.fake_logits(d_fake, play)  # inpainting: only the patches that see the hole
            loss_d = losses.d_loss(cfg.gan_loss, d_real, d_fake)
            self.opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            self.opt_d.step()
            stats.update(loss_d=loss_d.item(), d_real=torch.sigmoid(d_real).mean().item(),
                         d_fake=torch.sigmoid(d_fake).mean().item())

        # (2) Update G: minimise  l1_weight * L1(G(z), x) [+ ssim_weight * (1 - SSIM)                            stay close
        #                         + grain_weight * grain + detail_weight * detail]
        #                       + adv_weight * the generator's loss of cfg.gan_loss on D(G(z))   fool D
        #                       + fm_weight * |D's features on G(z) - on x|                    match D's view of x
        self.discriminator.requires_grad_(False)
        loss_g, terms = game.reconstruction(play)
        stats.update(terms)
        if adversarial:
            with self.autocast():  # the raw module: DDP must not sync D here, only G receives gradients
                g_logits, fake_features = self.discriminator(game.critic_input(play.fake, play.condition))
                g_logits = g_logits.float()
            adv = losses.g_loss(cfg.gan_loss, game.fake_logits(g_logits, play))
            loss_g = loss_g + cfg.adv_weight * adv
            stats["adv"] = adv.item()
            if cfg.fm_weight > 0 and game.feature_matching:
                fm = losses.feature_matching([f.float() for f in fake_features], [f.float() for f in real_features])
                loss_g = loss_g + cfg.fm_weight * fm
                stats["fm"] = fm.item()
        self.opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        self.opt_g.step()
        update_ema(self.generator_ema, self.generator, cfg.ema, self.step_count)
        self.step_count += 1
        stats["loss_g"] = loss_g.item()
        return stats

    def sample_grid(self, fixed_batch, path: Path) -> dict:
        """Save a grid from the EMA generator on the fixed batch; return validation numbers on it."""
        batch = [t.to(self.device) for t in fixed_batch]
        return self.game.sample(self.generator_ema, batch, path, self.autocast)

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

        Weights without a refinement (or its blocks), or with fewer bottleneck blocks, may start a generator
        that has them: the new parts begin as the identity, so training starts from what the weights already do."""
        generator_state, discriminator_state, _ = load_state(path)
        blocks_given = {key.split(".")[1] for key in generator_state if key.startswith("blocks.")}
        grown = lambda key: key.startswith(("refine.", "refine_blocks.")) or (key.startswith("blocks.")
                                                          and key.split(".")[1] not in blocks_given)
        for module in (self.generator, self.generator_ema):
            try:
                missing, unexpected = module.load_state_dict(generator_state, strict=False)
            except RuntimeError as error:  # a tensor of another shape
                raise ValueError(f"{path} does not fit this generator: {error}") from None
            if unexpected or not all(map(grown, missing)):
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


def train(cfg: TrainConfig, recipe: dict | None = None) -> Trainer:
    """Run (or resume) training as the config says; return the trainer at the end.

    recipe: {"name": ..., "stage": ...} when a recipe runs this, recorded in the exported model card."""
    device, rank, world_size = setup_distributed()
    torch.manual_seed(cfg.seed + rank)
    torch.set_flush_denormal(True)  # zero-initialised layers produce denormal floats, which are very slow on CPUs
    out = Path(cfg.out)
    checkpoint = out / "checkpoint.pt"
    if cfg.resume and not checkpoint.exists():
        raise FileNotFoundError(f"--resume: no checkpoint at {checkpoint}")
    if rank == 0:
        (out / "samples").mkdir(parents=True, exist_ok=True)
        (out / "config.json").write_text(json.dumps(dataclasses.asdict(cfg), indent=2))

    trainer = Trainer(cfg, device, rank, world_size)
    dataset, fixed_batch = trainer.game.data()
    sampler = torch.utils.data.DistributedSampler(dataset, seed=cfg.seed) if world_size > 1 else None
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=cfg.batch_size, shuffle=sampler is None, sampler=sampler, drop_last=True,
        num_workers=cfg.workers, persistent_workers=cfg.workers > 0, pin_memory=device.type == "cuda")
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
            path = export(trainer, cfg.export, evaluation={"fixed_batch": final_val}, recipe=recipe)
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
    return "python -m gan_core.training " + " ".join(flags)


def export(trainer: Trainer, name: str, evaluation: dict | None = None, recipe: dict | None = None) -> Path:
    """Write weights/NAME.safetensors (EMA generator + discriminator) and the model card weights/NAME.json."""
    cfg = trainer.cfg
    card = {
        "name": name, "task": cfg.task,
        "generator": {"class": type(trainer.generator).__name__, "config": dataclasses.asdict(trainer.generator.config),
                      "parameters": sum(p.numel() for p in trainer.generator.parameters())},
        "discriminator": {"class": type(trainer.discriminator).__name__,
                          "config": dataclasses.asdict(trainer.discriminator.config),
                          "parameters": sum(p.numel() for p in trainer.discriminator.parameters())},
        "data": trainer.game.data_card(), "steps": trainer.step_count, "wall_time_hours": round(trainer.wall_seconds / 3600, 3),
        "training": {k: v for k, v in dataclasses.asdict(cfg).items() if k not in ("out", "resume", "export", "progress")},
        "training_command": command_line(cfg),
        "device": f"{trainer.device.type} x {trainer.world_size}", "torch": torch.__version__,
        "evaluation": evaluation or {},
    }
    if recipe:
        card["recipe"] = recipe
    if cfg.init_from and Path(cfg.init_from).exists():  # read before a new version replaces it
        before = read_card(cfg.init_from)
        card["continued_from"] = {key: before.get(key) for key in ("name", "sha256", "steps", "wall_time_hours")}
    path = save_weights(Path(cfg.weights_dir) / f"{name}.safetensors", trainer.generator_ema, trainer.discriminator, card)
    if trainer.game.ships_story:
        ship_story(Path(cfg.out), Path(cfg.weights_dir), name)
    return path


def ship_story(run_dir: Path, weights_dir: Path, name: str, grids: int = 12) -> None:
    """The run's log as NAME.log.jsonl and about `grids` of its sample grids, evenly spread over the steps, in
    NAME-samples/: what the Learn tab replays of how the model learned."""
    runs.ship_log(run_dir, weights_dir, name)
    made = sorted((run_dir / "samples").glob("step_*.png"))
    count = min(grids, len(made))
    keep = {made[round(i * (len(made) - 1) / max(count - 1, 1))] for i in range(count)}
    shipped = weights_dir / f"{name}-samples"
    shutil.rmtree(shipped, ignore_errors=True)
    shipped.mkdir(parents=True)
    for grid in keep:
        shutil.copyfile(grid, shipped / grid.name)


def known_fields(values: dict) -> dict:
    """The TrainConfig fields among `values`; settings an older version had (r1_weight, valid_weight, ...) are
    left out with a note, so its checkpoints still resume."""
    names = {f.name for f in dataclasses.fields(TrainConfig)}
    dropped = {k: v for k, v in values.items() if k not in names}
    if dropped:
        print(f"note: ignoring settings this version does not have: {dropped}", file=sys.stderr)
    return {k: v for k, v in values.items() if k in names}


def build_parser(defaults: bool = True) -> argparse.ArgumentParser:
    """Flags mirror TrainConfig's fields: --lr-g 1e-4, --bf16, --no-progress ... Without defaults, the parsed
    namespace holds only the flags that were given."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
                                     argument_default=None if defaults else argparse.SUPPRESS)
    parser.add_argument("--recipe", default="" if defaults else argparse.SUPPRESS,
                        help="train a shipped model stage by stage (a name in recipes/ or a .py file), from scratch "
                             "or on from where its run directory stopped; other flags given apply to every stage")
    for f in dataclasses.fields(TrainConfig):
        flag = "--" + f.name.replace("_", "-")
        default = f.default if defaults else argparse.SUPPRESS
        if f.type is bool or f.type == "bool":
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=default)
        else:
            kind = {"int": int, "float": float, "str": str}.get(f.type if isinstance(f.type, str) else f.type.__name__)
            parser.add_argument(flag, type=kind, default=default)
    return parser


def read_command_line(argv=None) -> tuple[TrainConfig, dict, str]:
    """(config, the fields given as flags, recipe name or ""). With --resume, the flags given now win and the
    rest comes from the checkpoint's config."""
    parser = build_parser()
    args = vars(parser.parse_args(argv))
    given = vars(build_parser(defaults=False).parse_args(argv))
    recipe = args.pop("recipe")
    given.pop("recipe", None)
    cfg = TrainConfig(**args)
    if cfg.task not in tasks.TASKS:
        parser.error(f"--task must be one of {', '.join(tasks.TASKS)}")
    checkpoint = Path(cfg.out) / "checkpoint.pt"
    if cfg.resume and checkpoint.exists() and not recipe:
        saved = torch.load(checkpoint, map_location="cpu", weights_only=True)["config"]
        cfg = TrainConfig(**{**known_fields(saved), **given, "resume": True})
    return cfg, given, recipe


def parse_args(argv=None) -> TrainConfig:
    """The config a command line asks for (see read_command_line)."""
    return read_command_line(argv)[0]


def main(argv=None):
    cfg, given, recipe = read_command_line(argv)
    if recipe:
        from gan_core.training.recipes import run_recipe
        run_recipe(recipe, given)
    else:
        train(cfg)


if __name__ == "__main__":
    main()
