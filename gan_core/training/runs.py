"""Run directories and the training loop of the small Learn-tab trainers (classifier, pix2pix, CycleGAN).

A trainer is a function `train(config, recipe=None)` whose config extends RunConfig, so it has the fields a
recipe sets (gan_core.training.recipes): out, steps, minutes, resume, export, weights_dir. Its run directory holds

    config.json      the config of the latest stage
    stages.jsonl     every stage's config and the step it started at (the card lists their commands)
    log.jsonl        one JSON object per line: step and losses, and now and then the classifier's measures
    checkpoint.pt    networks, optimisers and step; read back with torch.load(weights_only=True)

Calling the trainer again on the same directory resumes at the checkpoint's step with the config given now,
so a recipe (named stages of config overrides) is a list of calls. Flags on the command line mirror the
config's fields, as in gan_core.training.train.
"""
import argparse
import dataclasses
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import torch

CHECKPOINT = "checkpoint.pt"
LOG = "log.jsonl"
RUN_FIELDS = ("out", "resume", "export", "weights_dir")  # where a run lives, not how it trains


@dataclass
class RunConfig:
    """The fields every small trainer's config has, named as in gan_core.training.train's TrainConfig."""
    out: str = "runs/run"         # run directory (resumed if it has a checkpoint)
    steps: int = 1000             # train up to this step
    minutes: float = 0.0          # stop this stage (with a checkpoint) after this much wall time; 0 = no limit
    resume: bool = True           # go on from out/checkpoint.pt if there is one; --no-resume starts afresh
    export: str = ""              # at the end, write weights_dir/NAME.safetensors and its card
    weights_dir: str = "weights"


def training_settings(config) -> dict:
    """The config without RUN_FIELDS: what a model card records as "training"."""
    return {k: v for k, v in dataclasses.asdict(config).items() if k not in RUN_FIELDS}


def add_config_flags(parser: argparse.ArgumentParser, config_class) -> None:
    """One --flag per field of a config dataclass: --lr 1e-3, --adv-weight 0, --progress / --no-progress."""
    for field in dataclasses.fields(config_class):
        flag = "--" + field.name.replace("_", "-")
        kind = field.type if isinstance(field.type, str) else field.type.__name__
        if kind == "bool":
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=field.default)
        else:
            parser.add_argument(flag, type={"int": int, "float": float, "str": str}[kind], default=field.default)


def config_from_args(config_class, args: argparse.Namespace):
    return config_class(**{f.name: getattr(args, f.name) for f in dataclasses.fields(config_class)})


def main(doc: str, config_class, train, argv=None, evaluate=None, evaluate_nargs=None):
    """A small trainer's command line: a --flag per config field, train, print the run's last log record.
    With evaluate (a function of the --evaluate NAME or names), --evaluate prints what it measures instead."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    if evaluate:
        parser.add_argument("--evaluate", nargs=evaluate_nargs, metavar="NAME",
                            help="measure shipped models instead of training")
    add_config_flags(parser, config_class)
    args = parser.parse_args(argv)
    if getattr(args, "evaluate", None):
        print(json.dumps(evaluate(args.evaluate), indent=2))
        return
    cfg = config_from_args(config_class, args)
    train(cfg)
    print(read_log(cfg.out)[-1])


def command_line(module: str, config) -> str:
    """The command that trains this config: --out, then every field that differs from its default, as a flag."""
    flags = [f"--out {config.out}"]
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        if value != field.default and field.name not in ("out", "resume"):
            flag = "--" + field.name.replace("_", "-")
            flags.append(flag if value is True else f"--no-{flag[2:]}" if value is False else f"{flag} {value}")
    return f"python -m {module} " + " ".join(flags)


def save_checkpoint(run_dir: str | Path, state: dict) -> None:
    """Write run_dir/checkpoint.pt through a temporary file, so a stopped run never leaves half a checkpoint."""
    path = Path(run_dir) / CHECKPOINT
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(run_dir: str | Path) -> dict | None:
    """The run's checkpoint (tensors, numbers and strings only), or None if it has none yet."""
    path = Path(run_dir) / CHECKPOINT
    return torch.load(path, map_location="cpu", weights_only=True) if path.exists() else None


def start_run(config) -> tuple[Path, dict | None]:
    """(run directory, its checkpoint or None): create config.out, write config.json and add this stage (its
    config and the step it starts at) to stages.jsonl, from which the model card lists the commands that made
    the model. The checkpoint is None when there is none or config.resume is False."""
    run_dir = Path(config.out)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.json").write_text(json.dumps(dataclasses.asdict(config), indent=2) + "\n")
    state = load_checkpoint(run_dir) if config.resume else None
    with open(run_dir / "stages.jsonl", "a") as stages:
        stages.write(json.dumps({"from_step": state["step"] if state else 0, "config": dataclasses.asdict(config)}) + "\n")
    return run_dir, state


def stage_commands(module: str, config) -> list[str]:
    """The command of every stage of config.out's run, oldest first (a resumed run has several)."""
    path = Path(config.out) / "stages.jsonl"
    stages = [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []
    return [f"(from step {stage['from_step']}) "
            + command_line(module, type(config)(**{"out": config.out, **stage["config"]})) for stage in stages]


def card_training(config, state: dict, module: str, recipe: dict | None = None) -> dict:
    """What a model card says about training: steps, wall time, settings, the command of every stage, and the
    recipe and stage that trained it (when a recipe did)."""
    card = {"steps": state["step"], "wall_time_hours": round(state["wall_seconds"] / 3600, 3),
            "training": training_settings(config), "training_command": command_line(module, config),
            "training_stages": stage_commands(module, config), "torch": torch.__version__}
    return {**card, "recipe": recipe} if recipe else card


def append_log(run_dir: str | Path, record: dict) -> None:
    """Add one line to run_dir/log.jsonl, floats kept to 5 significant digits."""
    tidy = {k: float(f"{v:.5g}") if isinstance(v, float) else v for k, v in record.items()}
    with open(Path(run_dir) / LOG, "a") as log:
        log.write(json.dumps(tidy) + "\n")


def ship_log(run_dir: str | Path, weights_dir: str | Path, name: str) -> None:
    """Copy run_dir/log.jsonl to weights_dir/NAME.log.jsonl: the Learn tab draws a shipped model's curves from it."""
    shutil.copyfile(Path(run_dir) / LOG, Path(weights_dir) / f"{name}.log.jsonl")


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


def train_game(cfg, game, state: dict | None, play_step, measure):
    """The loop pix2pix and CycleGAN share: from the checkpoint `state` (or None), call play_step(random) until
    cfg.steps or cfg.minutes; log its stats every cfg.log_every steps and measure()'s numbers (as eval_NAME)
    every cfg.eval_every; checkpoint every cfg.checkpoint_every and at the end. Returns the game.

    game has step_count, state_dict() and load_state_dict(); play_step plays one round and returns its stats.
    `random` is a torch.Generator seeded by the step it starts at, so a resumed run draws fresh batches."""
    run_dir, seconds_before = Path(cfg.out), 0.0
    if state is not None:
        game.load_state_dict(state)
        seconds_before = state["wall_seconds"]
    clock = Clock(cfg.minutes, seconds_before)
    random = torch.Generator().manual_seed(cfg.seed + game.step_count)

    def checkpoint():
        save_checkpoint(run_dir, {**game.state_dict(), "wall_seconds": clock.total_seconds(),
                                  "config": dataclasses.asdict(cfg)})

    while game.step_count < cfg.steps and not clock.out_of_time():
        stats = play_step(random)
        step = game.step_count
        record = stats if step % cfg.log_every == 0 else {}
        if step % cfg.eval_every == 0:
            record = {**record, **{f"eval_{k}": v for k, v in measure().items()}}
        if record:
            append_log(run_dir, {"step": step, "wall": round(clock.total_seconds(), 1), **record})
        if step % cfg.checkpoint_every == 0:
            checkpoint()
    checkpoint()
    append_log(run_dir, {"event": "end", "step": game.step_count, "wall": round(clock.total_seconds(), 1)})
    return game
