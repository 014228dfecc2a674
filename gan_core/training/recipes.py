"""Recipes: how a shipped model was trained, as a list of stages that one command replays from scratch.

    python -m gan_core.training --recipe inpaint-photo                  # from scratch, or on from where it stopped
    python -m gan_core.training --recipe sr4 --minutes 30 --no-bf16     # flags given apply to every stage

A recipe is a small Python file in recipes/ (like nanoGPT's config/) that defines `recipe = Recipe(...)`.
Each stage trains one run (a subdirectory of the recipe's run directory) up to a step, with a few settings
changed from the stage before it in the same run; a run's first stage starts from the recipe's `base`, and
from the weights another run ended with if it names one (`start_from`). The last stage exports the model.
Finished stages are written to RUN_DIR/recipe.json and skipped when the recipe runs again.

`trainer` names the module that trains a stage: it must have a TrainConfig dataclass (with out, steps,
minutes, resume, export and weights_dir; init_from too if a stage starts from another run) and
train(cfg, recipe={"name", "stage"}), which exports when cfg.export is set, writes the recipe and stage into
the model card, and returns what it trained, with a step_count. gan_core.training.train is one; the small trainers
(gan_core.learn.classifier, pix2pix, cyclegan, mri_train) are others.
"""
import dataclasses
import importlib
import importlib.util
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from gan_core.core.paths import RECIPES_DIR


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
    trainer: str = "gan_core.training.train"           # the module that trains a stage
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


def stage_settings(recipe: Recipe, index: int) -> dict:
    """The settings of stage `index`: the base, then every change made in its run up to and including it."""
    stage = recipe.stages[index]
    settings = dict(recipe.base)
    for earlier in recipe.stages[:index + 1]:
        if earlier.run == stage.run:
            settings.update(earlier.set)
    return {**settings, "steps": stage.steps}


def export_run(recipe: Recipe, run: str, out: Path, given: dict, trainer_module) -> Path:
    """OUT/weights/RUN.safetensors: the weights a finished run ended with, exported from its checkpoint
    (no step is trained) unless they already are, so that a later run can start from them."""
    path = out / "weights" / f"{run}.safetensors"
    if not path.exists():
        index = max(i for i, stage in enumerate(recipe.stages) if stage.run == run)
        settings = {**stage_settings(recipe, index), **given, "out": str(out / run), "resume": True,
                    "export": run, "weights_dir": str(path.parent)}
        trainer_module.train(trainer_module.TrainConfig(**settings),
                             recipe={"name": recipe.name, "stage": recipe.stages[index].name})
    return path


def run_recipe(name: str, given: dict | None = None):
    """Train every stage not yet finished, in order; return what the last train() returned (None if nothing was
    left). It must have a step_count: a stage that stopped short of its steps (out of --minutes) ends the call.

    given: settings from the command line. out (default runs/NAME), minutes (for the whole call) and
    weights_dir (where the model is exported) are the recipe's own; the rest apply to every stage."""
    recipe = load(name)
    given = dict(given or {})
    out = Path(given.pop("out", f"runs/{recipe.name}"))
    minutes = given.pop("minutes", 0.0)
    weights_dir = given.pop("weights_dir", "weights")
    for key in ("resume", "init_from", "export", "steps"):
        given.pop(key, None)  # the recipe decides these per stage
    trainer_module = importlib.import_module(recipe.trainer)
    unknown = set(given) - {f.name for f in dataclasses.fields(trainer_module.TrainConfig)}
    if unknown:
        raise ValueError(f"recipe {recipe.name!r} trains with {recipe.trainer}, which has no setting "
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
            settings["init_from"] = str(export_run(recipe, start_from, out, given, trainer_module))
        if stage is recipe.stages[-1]:
            settings.update(export=recipe.name, weights_dir=weights_dir)
        if minutes:
            left = minutes - (time.perf_counter() - started) / 60
            if left <= 0:
                break
            settings["minutes"] = left
        print(f"recipe {recipe.name}: stage {stage.name} ({index + 1}/{len(recipe.stages)}), "
              f"run {stage.run} to step {stage.steps}", file=sys.stderr)
        cfg = trainer_module.TrainConfig(**settings)
        result = trainer_module.train(cfg, recipe={"name": recipe.name, "stage": stage.name})
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

