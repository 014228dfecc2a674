"""The one run loop and command line for every model of the studio.

    python -m gan_core.training --task inpaint --data manifest:train --out runs/inpaint --minutes 60
    python -m gan_core.training --task pix2pix --out runs/pix2pix --steps 6000 --export pix2pix-shoes
    python -m gan_core.training --out runs/inpaint --minutes 60           # go on where the run stopped
    torchrun --nproc_per_node=2 -m gan_core.training.train --task inpaint ...   # data-parallel, gloo on CPU
    python -m gan_core.training --recipe inpaint-photo                    # a shipped model, stage by stage

--task names what is trained (TRAINERS); its module holds the model's game (gan_core.training.trainer.Game) and
its TrainConfig, a dataclass that extends RunConfig; the flags are that dataclass's fields (--lr-g 1e-4, --bf16,
--no-resume ...). A run folder holds

    config.json     the config of the latest stage
    stages.jsonl    every stage's config and the step it started at (the model card lists their commands)
    log.jsonl       one JSON object a line: step, wall seconds, the game's numbers; an "end" record per stage
    checkpoint.pt   networks, optimisers, step, wall time and config; written through a temporary file
    samples/        the games' pictures along training (photo and DCGAN grids)

Running the same --out again goes on from its checkpoint (--no-resume starts afresh); --export NAME writes
weights/NAME.safetensors and its model card at the end.
"""
import argparse
import dataclasses
import importlib
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

from gan_core.core.device import set_threads
from gan_core.core.layers import count_parameters
from gan_core.core.weights import read_card, save_parts
from gan_core.training.trainer import Trainer

# The module that trains each task: names, not imports, so that training (below the applications) imports none.
TRAINERS = {
    "inpaint": "gan_core.inpainting.game", "denoise": "gan_core.restoration.game",
    "sr2": "gan_core.restoration.game", "sr4": "gan_core.restoration.game", "dcgan": "gan_core.learn.dcgan_game",
    "pix2pix": "gan_core.learn.pix2pix", "cyclegan": "gan_core.learn.cyclegan",
    "classifier": "gan_core.learn.classifier", "mri": "gan_core.mri.train", "ct": "gan_core.mri.ct_train",
}
DEFAULT_TASK = "inpaint"
CHECKPOINT, LOG = "checkpoint.pt", "log.jsonl"
NOT_TRAINING = ("out", "resume", "export", "weights_dir", "progress")   # where a run lives and how it shows, not how it trains


@dataclass
class RunConfig:
    """What every run has; a game's TrainConfig extends it (and may change the defaults)."""
    task: str = ""                # what is trained: one of TRAINERS
    out: str = "runs/run"         # run folder
    steps: int = 1000             # train up to this step
    minutes: float = 0.0          # stop this stage (with a checkpoint) after this much wall time; 0 = no limit
    resume: bool = True           # go on from out/checkpoint.pt if there is one; --no-resume starts afresh
    init_from: str = ""           # start from exported weights (a recipe's start_from; the photo games grow them)
    export: str = ""              # at the end, write weights_dir/NAME.safetensors and its model card
    weights_dir: str = "weights"
    seed: int = 0
    log_every: int = 10
    checkpoint_every: int = 500
    threads: int = 0              # torch CPU threads (0: torch's default)
    progress: bool = False        # tqdm progress bar


def trainer_module(task: str, module: str = ""):
    """The module that trains `task` (or `module`, a recipe's trainer): it has TrainConfig and Game."""
    if not module and task not in TRAINERS:
        raise ValueError(f"unknown task {task!r}; choose one of: {', '.join(TRAINERS)}")
    return importlib.import_module(module or TRAINERS[task])


def game_for(cfg):
    """The game that cfg.task names, built from cfg."""
    return trainer_module(cfg.task).Game(cfg)


# ----------------------------------------------------------------------------------------------------
# The run folder


def save_checkpoint(trainer: Trainer, path: Path):
    tmp = path.with_suffix(".tmp")
    torch.save({**trainer.state_dict(), "config": dataclasses.asdict(trainer.game.cfg)}, tmp)
    os.replace(tmp, path)  # never leave a half-written checkpoint


def load_checkpoint(run_dir: str | Path) -> dict | None:
    """The run's checkpoint (tensors, numbers and strings only), or None if it has none yet."""
    path = Path(run_dir) / CHECKPOINT
    return torch.load(path, map_location="cpu", weights_only=True) if path.exists() else None


def start_stage(cfg, state: dict | None):
    """Create the run folder, write config.json and add this stage (config, starting step) to stages.jsonl."""
    run_dir = Path(cfg.out)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.json").write_text(json.dumps(dataclasses.asdict(cfg), indent=2) + "\n")
    with open(run_dir / "stages.jsonl", "a") as stages:
        stages.write(json.dumps({"from_step": state["step"] if state else 0, "config": dataclasses.asdict(cfg)}) + "\n")


def append_log(run_dir: str | Path, record: dict):
    """Add one line to run_dir/log.jsonl, floats kept to 5 significant digits."""
    tidy = {k: float(f"{v:.5g}") if isinstance(v, float) else v for k, v in record.items()}
    with open(Path(run_dir) / LOG, "a") as log:
        log.write(json.dumps(tidy) + "\n")


def read_log(run_dir: str | Path) -> list[dict]:
    path = Path(run_dir) / LOG
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


class Clock:
    """Wall time of a run across its stages, and whether this stage's --minutes are used up."""

    def __init__(self, minutes: float, seconds_before: float = 0.0):
        self.minutes, self.seconds_before, self.started = minutes, seconds_before, time.perf_counter()

    def stage_seconds(self) -> float:
        return time.perf_counter() - self.started

    def total_seconds(self) -> float:
        return self.seconds_before + self.stage_seconds()

    def out_of_time(self) -> bool:
        return self.minutes > 0 and self.stage_seconds() > self.minutes * 60


# ----------------------------------------------------------------------------------------------------
# The run


def setup_distributed(threads: int = 0) -> tuple[torch.device, int, int]:
    """Under torchrun, join the process group (NCCL on GPUs, gloo on the CPU); else one process."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if torch.cuda.is_available():
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")
    if threads:
        set_threads(threads)
    if world_size > 1:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
        if device.type == "cpu" and not threads:  # share the cores between the processes, do not oversubscribe
            set_threads(processes=world_size)
    return device, rank, world_size


def infinite_batches(loader):
    """Yield a loader's batches forever, one epoch after another (a DistributedSampler reshuffles per epoch)."""
    epoch = 0
    while True:
        if isinstance(loader.sampler, torch.utils.data.DistributedSampler):
            loader.sampler.set_epoch(epoch)
        yield from loader
        epoch += 1


def all_agree(flag: bool, device, world_size: int) -> bool:
    """True on every process if it is on one: all must stop together, or the others hang in the next all-reduce."""
    if world_size == 1:
        return flag
    tensor = torch.tensor(float(flag), device=device)
    dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
    return bool(tensor.item())


def train(cfg, recipe: dict | None = None) -> Trainer:
    """Train the game cfg.task names (see run)."""
    return run(game_for(cfg), recipe)


def run(game, recipe: dict | None = None) -> Trainer:
    """Train (or go on training) a game as its config says; export at the end if cfg.export says so.
    recipe: {"name": ..., "stage": ...} when a recipe runs this, recorded in the model card. Returns the trainer."""
    cfg = game.cfg
    device, rank, world_size = setup_distributed(cfg.threads)
    seed = game.seed(rank)
    if seed is not None:
        torch.manual_seed(seed)
    torch.set_flush_denormal(True)  # zero-initialised layers produce denormal floats, which are very slow on CPUs
    out = Path(cfg.out)
    state = load_checkpoint(out) if cfg.resume else None
    if rank == 0:
        start_stage(cfg, state)
    trainer = Trainer(game, device, rank, world_size)
    if state is not None:
        trainer.load_state_dict(state)
    elif cfg.init_from:
        game.start_from(trainer, cfg.init_from)
    batches = game.batches(trainer.step_count, rank, world_size)

    start_step, clock = trainer.step_count, Clock(cfg.minutes, trainer.wall_seconds)
    bar = tqdm(total=cfg.steps, initial=start_step, desc=cfg.task, disable=rank != 0 or not cfg.progress,
               dynamic_ncols=True, smoothing=0.05)
    wait_seconds, step_seconds, saved = 0.0, 0.0, None
    while trainer.step_count < cfg.steps:
        tick = time.perf_counter()
        batch = next(batches)
        fetched = time.perf_counter()
        stats = trainer.step(batch)
        wait_seconds += fetched - tick
        step_seconds += time.perf_counter() - tick
        trainer.wall_seconds = clock.total_seconds()
        step = trainer.step_count
        out_of_time = all_agree(clock.out_of_time(), device, world_size)
        if rank == 0:
            bar.update(1)
            bar.set_postfix({k: f"{v:.3f}" for k, v in stats.items()}, refresh=False)
            sampled = game.sample_every and step % game.sample_every == 0
            if step % cfg.log_every == 0 or step == 1 or sampled:
                append_log(out, {"step": step, "wall": round(trainer.wall_seconds, 1), **stats,
                                 "steps_per_s": round((step - start_step) / max(clock.stage_seconds(), 1e-9), 4),
                                 "data_wait_frac": round(wait_seconds / max(step_seconds, 1e-9), 4),
                                 **(game.sample(trainer, step) if sampled else {})})
            if step % cfg.checkpoint_every == 0 or out_of_time or step == cfg.steps:
                save_checkpoint(trainer, out / CHECKPOINT)
                saved = step
        if out_of_time:
            break
    bar.close()
    if rank == 0:
        if saved != trainer.step_count:
            save_checkpoint(trainer, out / CHECKPOINT)
        evaluation = game.evaluate(trainer)
        summary = {"event": "end", "step": trainer.step_count, "wall": round(trainer.wall_seconds, 1),
                   "steps_this_run": trainer.step_count - start_step,
                   "data_wait_frac": round(wait_seconds / max(step_seconds, 1e-9), 4), **evaluation}
        append_log(out, summary)
        print(json.dumps(summary), file=sys.stderr)
        if cfg.export:
            print(f"exported {export(trainer, cfg.export, evaluation, recipe)}", file=sys.stderr)
    if world_size > 1:
        dist.barrier()
        dist.destroy_process_group()
    return trainer


# ----------------------------------------------------------------------------------------------------
# Export: the weights and the model card


def export(trainer: Trainer, name: str, evaluation: dict | None = None, recipe: dict | None = None) -> Path:
    """Write weights_dir/NAME.safetensors (the game's networks: G's moving average and D, by default) and its
    model card: what the game says of its networks and data, then steps, wall time, settings, the command of
    every stage, the recipe and stage, and where the run started from."""
    game, cfg = trainer.game, trainer.game.cfg
    card = {"name": name, "task": cfg.task, **game.card(trainer), "steps": trainer.step_count,
            "wall_time_hours": round(trainer.wall_seconds / 3600, 3),
            "training": training_settings(cfg),
            "training_command": command_line(cfg), "training_stages": stage_commands(cfg),
            "device": f"{trainer.device.type} x {trainer.world_size}", "torch": torch.__version__,
            "evaluation": evaluation or {}}
    if recipe:
        card["recipe"] = recipe
    if cfg.init_from and Path(cfg.init_from).exists():  # read before a new version replaces it
        before = read_card(cfg.init_from)
        card["continued_from"] = {key: before.get(key) for key in ("name", "sha256", "steps", "wall_time_hours")}
    path = save_parts(Path(cfg.weights_dir) / f"{name}.safetensors", game.parts(trainer), card)
    if game.ships_story:
        ship_story(Path(cfg.out), Path(cfg.weights_dir), name)
    return path


def training_settings(cfg) -> dict:
    """The config without where the run lives and how it shows: what a model card records as "training"."""
    return {k: v for k, v in dataclasses.asdict(cfg).items() if k not in NOT_TRAINING}


def network_card(network: torch.nn.Module, config: dict | None = None) -> dict:
    """{"class", "config" (default: the network's config dataclass), "parameters"}, as a model card describes it."""
    config = dataclasses.asdict(network.config) if config is None else config
    return {"class": type(network).__name__, "config": config, "parameters": count_parameters(network)}


def ship_story(run_dir: Path, weights_dir: Path, name: str, grids: int = 12) -> None:
    """The run's log as NAME.log.jsonl and about `grids` of its sample grids (if it made any), evenly spread over
    the steps, in NAME-samples/: what the Learn tab replays of how the model learned."""
    shutil.copyfile(run_dir / LOG, weights_dir / f"{name}.log.jsonl")
    made = sorted((run_dir / "samples").glob("step_*.png"))
    if not made:
        return
    count = min(grids, len(made))
    keep = {made[round(i * (len(made) - 1) / max(count - 1, 1))] for i in range(count)}
    shipped = weights_dir / f"{name}-samples"
    shutil.rmtree(shipped, ignore_errors=True)
    shipped.mkdir(parents=True)
    for grid in keep:
        shutil.copyfile(grid, shipped / grid.name)


# ----------------------------------------------------------------------------------------------------
# The command line, built from the config dataclass


def command_line(cfg) -> str:
    """The command that trains this config: --task, --out, then every field that differs from its default (but
    where the weights go, which is the machine's business)."""
    flags = [f"--task {cfg.task}", f"--out {cfg.out}"]
    for field in dataclasses.fields(cfg):
        value = getattr(cfg, field.name)
        if field.name in ("task", "out", "resume", "progress", "weights_dir") or value == field.default:
            continue
        flag = "--" + field.name.replace("_", "-")
        flags.append(flag if value is True else f"--no-{flag[2:]}" if value is False else f"{flag} {value}")
    return "python -m gan_core.training " + " ".join(flags)


def stage_commands(cfg) -> list[str]:
    """The command of every stage of cfg.out's run, oldest first (a resumed run has several)."""
    path = Path(cfg.out) / "stages.jsonl"
    stages = [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []
    return [f"(from step {stage['from_step']}) " + command_line(type(cfg)(**known_fields(type(cfg), stage["config"])))
            for stage in stages]


def known_fields(config_class, values: dict, warn: bool = False) -> dict:
    """The fields of config_class among `values`: settings an older version had (r1_weight, valid_weight, ...)
    are left out (with a note if `warn`), so its checkpoints still resume."""
    names = {f.name for f in dataclasses.fields(config_class)}
    dropped = {k: v for k, v in values.items() if k not in names}
    if dropped and warn:
        print(f"note: ignoring settings this version does not have: {dropped}", file=sys.stderr)
    return {k: v for k, v in values.items() if k in names}


def build_parser(config_class, defaults: bool = True) -> argparse.ArgumentParser:
    """One flag per field of config_class: --lr-g 1e-4, --bf16, --no-resume ... Without defaults, the parsed
    namespace holds only the flags that were given."""
    parser = argparse.ArgumentParser(prog="python -m gan_core.training", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="--recipe NAME [flags]: train a shipped model stage by stage (recipes/NAME.py); "
                                            "the flags are then those of its task. --task TASK --help lists a task's flags.")
    for field in dataclasses.fields(config_class):
        flag = "--" + field.name.replace("_", "-")
        default = field.default if defaults else argparse.SUPPRESS
        kind = field.type if isinstance(field.type, str) else field.type.__name__
        if kind == "bool":
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=default)
        else:
            parser.add_argument(flag, type={"int": int, "float": float, "str": str}[kind], default=default)
    return parser


def config_class_of(argv) -> type:
    """The TrainConfig a command line is about: its --task's, or that of the run it goes on with."""
    first = argparse.ArgumentParser(add_help=False)
    first.add_argument("--task", default="")
    first.add_argument("--out", default="")
    first.add_argument("--resume", action=argparse.BooleanOptionalAction, default=True)
    known, _ = first.parse_known_args(argv)
    task = known.task
    if not task and known.resume and known.out and (Path(known.out) / CHECKPOINT).exists():
        task = load_checkpoint(known.out)["config"].get("task", "")
    return trainer_module(task or DEFAULT_TASK).TrainConfig


def read_command_line(argv=None) -> tuple[object, dict]:
    """(config, the fields given as flags). A run that goes on from its checkpoint takes the flags given now
    and the rest from the checkpoint's config."""
    argv = sys.argv[1:] if argv is None else list(argv)
    config_class = config_class_of(argv)
    cfg = config_class(**vars(build_parser(config_class).parse_args(argv)))
    given = vars(build_parser(config_class, defaults=False).parse_args(argv))
    if cfg.resume and (Path(cfg.out) / CHECKPOINT).exists():
        saved = load_checkpoint(cfg.out)["config"]
        cfg = config_class(**{**known_fields(config_class, saved, warn=True), **given, "resume": True})
    return cfg, given


def parse_args(argv=None):
    """The config a command line asks for (see read_command_line)."""
    return read_command_line(argv)[0]


if __name__ == "__main__":   # torchrun -m gan_core.training.train ...
    train(parse_args())
