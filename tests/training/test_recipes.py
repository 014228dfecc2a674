import dataclasses
import importlib
import json

import pytest
import torch

from gan_core.training import recipes
from gan_core.training.train import main
from tests.conftest import ROOT

TINY = dict(g_channels=8, g_blocks=1, d_channels=8, crop=64, batch_size=4, workers=0, progress=False, min_scale=0.5,
            sample_every=100)
CARDS = sorted((ROOT / "weights").glob("*.json"))
RECIPES = sorted(path.stem.replace("_", "-") for path in recipes.RECIPES_DIR.glob("[a-z]*.py"))


def write_recipe(path, folder, stages: str):
    path.write_text(f"""from gan_core.training.recipes import Recipe, Stage
recipe = Recipe("tiny", [{stages}], dict(task="inpaint", data={str(folder)!r}, **{TINY!r}))
""")
    return path


def test_a_tiny_recipe_runs_from_scratch_then_goes_on_where_it_stopped(image_folder, tmp_path):
    first = """Stage("a1", 2, run="a"), Stage("a2", 3, dict(adv_weight=0.5), run="a")"""
    second = first + """, Stage("b1", 2, dict(g_refine=4), run="b", start_from="a")"""
    out, weights = tmp_path / "runs", tmp_path / "weights"
    main(["--recipe", str(write_recipe(tmp_path / "tiny.py", image_folder, first)), "--out", str(out),
          "--weights-dir", str(weights)])
    assert torch.load(out / "a" / "checkpoint.pt", weights_only=True)["config"]["adv_weight"] == 0.5
    card = json.loads((weights / "tiny.json").read_text())
    assert card["recipe"] == {"name": "tiny", "stage": "a2"} and card["steps"] == 3
    # the same recipe with a stage more: a1 and a2 are done, b1 starts a new run from a's last weights
    main(["--recipe", str(write_recipe(tmp_path / "tiny.py", image_folder, second)), "--out", str(out),
          "--weights-dir", str(weights)])
    assert torch.load(out / "a" / "checkpoint.pt", weights_only=True)["step"] == 3
    card = json.loads((weights / "tiny.json").read_text())
    assert card["recipe"] == {"name": "tiny", "stage": "b1"} and card["steps"] == 2
    assert card["continued_from"]["name"] == "a" and card["generator"]["config"]["refine"] == 4
    assert json.loads((out / "recipe.json").read_text())["finished"] == ["a1", "a2", "b1"]
    assert recipes.run_recipe(str(tmp_path / "tiny.py"), {"out": str(out)}) is None  # nothing left to do
    # a later stage of run b resumes b's checkpoint, and its card still says b began from a
    main(["--recipe", str(write_recipe(tmp_path / "tiny.py", image_folder, second + ', Stage("b2", 3, run="b")')),
          "--out", str(out), "--weights-dir", str(weights)])
    card = json.loads((weights / "tiny.json").read_text())
    assert card["recipe"] == {"name": "tiny", "stage": "b2"} and card["steps"] == 3
    assert card["continued_from"]["name"] == "a"


def test_a_stage_keeps_the_changes_of_the_stages_before_it_in_its_run_only():
    recipe = recipes.load("inpaint-photo")
    refine = recipes.settings_of(recipe, "refine-adv3")
    assert "adv_start" not in refine and refine["fm_weight"] == 100       # a new run: the plain run's changes are gone
    assert recipes.settings_of(recipe, "plain-adv1")["adv_start"] == 1000  # kept from the run's first stage


@pytest.mark.parametrize("card_path", CARDS, ids=[path.stem for path in CARDS])
def test_every_shipped_card_names_a_recipe_whose_stage_trains_as_the_card_says(card_path):
    card = json.loads(card_path.read_text())
    recipe = recipes.load(card["recipe"]["name"])
    assert recipe.name == card["name"] and recipe.stages[-1].name == card["recipe"]["stage"]
    settings = recipes.settings_of(recipe, card["recipe"]["stage"])
    assert settings["steps"] == card["steps"]
    ignored = {"steps", "minutes", "init_from", "weights_dir"}  # how long and where from, not how
    expected = importlib.import_module(recipe.trainer).TrainConfig(**settings)
    for key, value in card["training"].items():
        if key not in ignored and hasattr(expected, key):
            assert getattr(expected, key) == value, key


@pytest.mark.parametrize("name", RECIPES)
def test_every_stage_of_every_recipe_is_a_config_its_trainer_takes(name):
    recipe = recipes.load(name)
    trainer = importlib.import_module(recipe.trainer)
    assert callable(trainer.train)
    for stage in recipe.stages:
        cfg = trainer.TrainConfig(**recipes.settings_of(recipe, stage.name), out="runs/x", resume=False)
        assert cfg.steps == stage.steps


def test_a_small_trainer_runs_a_recipe_and_its_card_names_the_recipe_and_stage(tmp_path):
    recipe_file = tmp_path / "tiny_classifier.py"
    recipe_file.write_text("""from gan_core.training.recipes import Recipe, Stage
recipe = Recipe("tiny-classifier", [Stage("short", 2, dict(schedule_steps=4)), Stage("on", 3)],
                dict(width=4, feature_dim=8, batch_size=16, log_every=1), trainer="gan_core.learn.classifier")
""")
    out, weights = tmp_path / "runs", tmp_path / "weights"
    main(["--recipe", str(recipe_file), "--out", str(out), "--weights-dir", str(weights)])
    card = json.loads((weights / "tiny-classifier.json").read_text())
    assert card["recipe"] == {"name": "tiny-classifier", "stage": "on"} and card["steps"] == 3
    assert card["training"]["schedule_steps"] == 4 and card["classifier"]["config"]["width"] == 4
    assert json.loads((out / "recipe.json").read_text())["finished"] == ["short", "on"]
    with pytest.raises(ValueError, match="no setting bf16"):  # a flag only gan_core.training.train has
        main(["--recipe", str(recipe_file), "--out", str(tmp_path / "again"), "--bf16"])


def test_an_unknown_recipe_lists_the_shipped_ones():
    with pytest.raises(ValueError, match="inpaint-photo-faithful"):
        recipes.load("nope")
