"""Recipes: how a shipped model was trained, as a list of stages that one command replays from scratch.

    python -m gan_core.training --recipe inpaint-photo                  # from scratch, or on from where it stopped
    python -m gan_core.training --recipe sr4 --minutes 30 --no-bf16     # flags given apply to every stage

A recipe is a small Python file in recipes/ (like nanoGPT's config/) that defines `recipe = Recipe(...)`.
Each stage trains one run (a subdirectory of the recipe's run directory) up to a step, with a few settings
changed from the stage before it in the same run; a run's first stage starts from the recipe's `base`, and
from the weights another run ended with if it names one (`start_from`). The last stage exports the model.
Finished stages are written to RUN_DIR/recipe.json and skipped when the recipe runs again.

Every stage trains through the one loop, gan_core.training.train.run: the module of the stages' task
(gan_core.training.train.TRAINERS), or the recipe's `trainer` module if it names one, gives the config class
(TrainConfig) and the game (Game); the run exports when cfg.export is set and writes the recipe and stage into
the model card.
"""
import dataclasses
import importlib.util
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from gan_core.core.paths import RECIPES_DIR
from gan_core.training import train as train_lib


@dataclass
class Stage:
    name: str                   # unique in the recipe; the model card records it
    steps: int                  # train this stage's run up to this step
    set: dict = field(default_factory=dict)  # settings that change here and stay for the rest of the run
    run: str = "main"           # subdirectory of the recipe's run directory; a new name starts a new run
    start_from: str = ""        # a new run's first stage: start from the weights this earlier run ended with


@dataclass
class Recipe:
    name: str                   # what `--recipe` takes, and the weights name it exports
    stages: list[Stage]
    base: dict = field(default_factory=dict)  # settings every run starts from
    trainer: str = ""           # the module that trains a stage ("": the one that trains the stages' task)
    note: str = ""              # what the stages did, for the reader

    def __post_init__(self):
        names = [stage.name for stage in self.stages]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"recipe {self.name!r} needs stages with distinct names, not {names}")


def recipe_path(name: str) -> Path:
    """recipes/NAME.py (hyphens become underscores), or a path to a .py file."""
    path = Path(name)
    if path.suffix != ".py":
        path = RECIPES_DIR / f"{name.replace('-', '_')}.py"
    if not path.exists():
        known = ", ".join(sorted(p.stem.replace("_", "-") for p in RECIPES_DIR.glob("[a-z]*.py")))
        raise ValueError(f"no recipe {name!r} (looked for {path}); choose one of: {known}")
    return path


def load(name: str) -> Recipe:
    """The Recipe a recipe file defines."""
    path = recipe_path(name)
    spec = importlib.util.spec_from_file_location(f"recipes.{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not isinstance(getattr(module, "recipe", None), Recipe):
        raise ValueError(f"{path} must define `recipe = Recipe(...)`")
    return module.recipe


def trainer_module(recipe: Recipe):
    """The module that trains the recipe's stages: it has TrainConfig and Game."""
    return train_lib.trainer_module(recipe.base.get("task", train_lib.DEFAULT_TASK), recipe.trainer)


def config_class(recipe: Recipe) -> type:
    """The config dataclass of the recipe's stages (its fields are the settings a stage may change)."""
    return trainer_module(recipe).TrainConfig


def train_stage(recipe: Recipe, index: int, settings: dict):
    """Train one stage with these settings through the one loop; returns the trainer."""
    module = trainer_module(recipe)
    return train_lib.run(module.Game(module.TrainConfig(**settings)),
                         recipe={"name": recipe.name, "stage": recipe.stages[index].name})


def stage_settings(recipe: Recipe, index: int) -> dict:
    """The settings of stage `index`: the base, then every change made in its run up to and including it."""
    stage = recipe.stages[index]
    settings = dict(recipe.base)
    for earlier in recipe.stages[:index + 1]:
        if earlier.run == stage.run:
            settings.update(earlier.set)
    return {**settings, "steps": stage.steps}


def export_run(recipe: Recipe, run: str, out: Path, given: dict) -> Path:
    """OUT/weights/RUN.safetensors: the weights a finished run ended with, exported from its checkpoint
    (no step is trained) unless they already are, so that a later run can start from them."""
    path = out / "weights" / f"{run}.safetensors"
    if not path.exists():
        index = max(i for i, stage in enumerate(recipe.stages) if stage.run == run)
        settings = {**stage_settings(recipe, index), **given, "out": str(out / run), "resume": True,
                    "export": run, "weights_dir": str(path.parent)}
        train_stage(recipe, index, settings)
    return path


def run_recipe(name: str, given: dict | None = None):
    """Train every stage not yet finished, in order; return the last stage's trainer (None if nothing was left).
    A stage that stopped short of its steps (out of --minutes) ends the call.

    given: settings from the command line. out (default runs/NAME), minutes (for the whole call) and
    weights_dir (where the model is exported) are the recipe's own; the rest apply to every stage."""
    recipe = load(name)
    given = dict(given or {})
    out = Path(given.pop("out", f"runs/{recipe.name}"))
    minutes = given.pop("minutes", 0.0)
    weights_dir = given.pop("weights_dir", "weights")
    for key in ("resume", "init_from", "export", "steps"):
        given.pop(key, None)  # the recipe decides these per stage
    unknown = set(given) - {f.name for f in dataclasses.fields(config_class(recipe))}
    if unknown:
        raise ValueError(f"recipe {recipe.name!r} trains with {trainer_module(recipe).__name__}, which has no setting "
                         f"{', '.join(sorted(unknown))}")
    progress_file = out / "recipe.json"
    finished = json.loads(progress_file.read_text())["finished"] if progress_file.exists() else []
    started, result = time.perf_counter(), None
    for index, stage in enumerate(recipe.stages):
        if stage.name in finished:
            continue
        run_dir = out / stage.run
        settings = {**stage_settings(recipe, index), **given, "out": str(run_dir),
                    "resume": (run_dir / "checkpoint.pt").exists()}
        start_from = next((s.start_from for s in recipe.stages if s.run == stage.run and s.start_from), "")
        if start_from:  # a resumed run trains on from its checkpoint; init_from still tells its card where it began
            settings["init_from"] = str(export_run(recipe, start_from, out, given))
        if stage is recipe.stages[-1]:
            settings.update(export=recipe.name, weights_dir=weights_dir)
        if minutes:
            left = minutes - (time.perf_counter() - started) / 60
            if left <= 0:
                break
            settings["minutes"] = left
        print(f"recipe {recipe.name}: stage {stage.name} ({index + 1}/{len(recipe.stages)}), "
              f"run {stage.run} to step {stage.steps}", file=sys.stderr)
        result = train_stage(recipe, index, settings)
        if result.step_count < stage.steps:  # stopped by --minutes: the next call goes on from here
            break
        finished.append(stage.name)
        out.mkdir(parents=True, exist_ok=True)
        tmp = progress_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"recipe": recipe.name, "finished": finished}, indent=2) + "\n")
        os.replace(tmp, progress_file)
    return result


def settings_of(recipe: Recipe, stage_name: str) -> dict:
    """The settings a named stage trains with (for tests and for reading a recipe)."""
    for index, stage in enumerate(recipe.stages):
        if stage.name == stage_name:
            return stage_settings(recipe, index)
    raise ValueError(f"recipe {recipe.name!r} has no stage {stage_name!r}")

