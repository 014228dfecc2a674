"""Run directories for the small Learn-tab trainers (classifier, pix2pix, CycleGAN).

A trainer is a function `train(config, run_dir)`. Its run directory holds

    config.json      the config of the latest stage
    log.jsonl        one JSON object per line: step and losses, and now and then the classifier's measures
    checkpoint.pt    networks, optimisers and step; read back with torch.load(weights_only=True)

Calling the trainer again on the same directory resumes at the checkpoint's step with the config given now,
so a recipe (named stages of config overrides) is a list of calls. Flags on the command line mirror the
config's fields, as in gan_core.train.
"""
import argparse
import dataclasses
import json
import os
import time
from pathlib import Path

import torch

CHECKPOINT = "checkpoint.pt"
LOG = "log.jsonl"


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


def command_line(module: str, config, run_dir: str | Path, export: str = "") -> str:
    """The command that trains this config: every field that differs from its default, as a flag."""
    flags = [f"--out {run_dir}"]
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        if value != field.default:
            flag = "--" + field.name.replace("_", "-")
            flags.append(flag if value is True else f"--no-{flag[2:]}" if value is False else f"{flag} {value}")
    if export:
        flags.append(f"--export {export}")
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


def start_run(run_dir: str | Path, config) -> Path:
    """Create the run directory, write config.json and add this stage (its config and the step it starts
    at) to stages.jsonl, from which the model card lists the commands that made the model."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.json").write_text(json.dumps(dataclasses.asdict(config), indent=2) + "\n")
    state = load_checkpoint(run_dir)
    with open(run_dir / "stages.jsonl", "a") as stages:
        stages.write(json.dumps({"from_step": state["step"] if state else 0, "config": dataclasses.asdict(config)}) + "\n")
    return run_dir


def stage_commands(module: str, config_class, run_dir: str | Path, export: str = "") -> list[str]:
    """The command of every stage of a run, oldest first (a resumed run has several)."""
    path = Path(run_dir) / "stages.jsonl"
    stages = [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []
    return [f"(from step {stage['from_step']}) " + command_line(module, config_class(**stage["config"]), run_dir, export)
            for stage in stages]


def append_log(run_dir: str | Path, record: dict) -> None:
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
