"""gan_core.training.recipes: shipped models as stages that one command replays, every kind through the one loop."""
import json
import shlex

import numpy as np
import pytest
import torch

from gan_core.learn import classifier, dcgan_game
from gan_core.mri import slices as mri_data
from gan_core.photos.data import fashion_mnist
from gan_core.training import recipes
from gan_core.training.cli import main
from gan_core.training.train import parse_args, read_log
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
    expected = recipes.config_class(recipe)(**settings)
    assert expected.task == card["task"]
    for key, value in card["training"].items():
        if key not in ignored and hasattr(expected, key):
            assert getattr(expected, key) == value, key


@pytest.mark.parametrize("card_path", [p for p in CARDS if "training_command" in json.loads(p.read_text())],
                         ids=lambda path: path.stem)
def test_every_shipped_training_command_is_one_the_command_line_takes(card_path, tmp_path, monkeypatch):
    card = json.loads(card_path.read_text())
    monkeypatch.chdir(tmp_path)   # no run folder of that name here: nothing to resume
    for command in [card["training_command"], *card.get("training_stages", [])]:
        words = shlex.split(command.split(") ", 1)[-1])
        assert words[:3] == ["python", "-m", "gan_core.training"]
        assert not any(word.startswith("/") for word in words), command   # relative paths only
        assert parse_args(words[3:]).task == card["task"]


@pytest.mark.parametrize("name", RECIPES)
def test_every_stage_of_every_recipe_is_a_config_its_trainer_takes(name):
    recipe = recipes.load(name)
    config_class = recipes.config_class(recipe)
    assert callable(recipes.trainer_module(recipe).Game)
    for stage in recipe.stages:
        cfg = config_class(**recipes.settings_of(recipe, stage.name), out="runs/x", resume=False)
        assert cfg.steps == stage.steps


@pytest.fixture
def small_data(monkeypatch):
    """Fashion-MNIST and the MRI slices cut down to a few items, so every kind trains in a second or two."""
    images, labels = classifier.fashion_split("test")
    monkeypatch.setattr(classifier, "fashion_split", lambda split: (images[:3000], labels[:3000]))
    padded = fashion_mnist("test")
    monkeypatch.setattr(dcgan_game, "fashion_mnist", lambda split: (padded[0][:512], padded[1][:512]))
    monkeypatch.setattr(dcgan_game.DCGANGame, "measured_samples", 64)
    y, x = np.mgrid[:48, :48]
    head = (((y - 24) / 18.0) ** 2 + ((x - 24) / 15.0) ** 2 < 1).astype(np.float32) * 0.8
    slices = [mri_data.Slice(np.roll(head, shift, 1), "phantom", "colin27", float(shift)) for shift in range(-3, 4)]
    monkeypatch.setattr(mri_data, "load_slices", lambda split: slices)


KINDS = {   # task: the settings of a tiny model of that kind
    "inpaint": dict(TINY), "sr2": dict(TINY), "dcgan": dict(batch_size=8, workers=0, progress=False, sample_every=100),
    "pix2pix": dict(base_channels=4, d_channels=4, batch_size=4, eval_every=100),
    "cyclegan": dict(base_channels=4, n_blocks=1, d_channels=4, batch_size=4, eval_every=100),
    "classifier": dict(width=4, feature_dim=8, batch_size=16),
    "mri": dict(batch_size=2, crop=32, channels=4, depth=1, adv_start=1, val_every=100),
}


@pytest.mark.usefixtures("one_thread", "small_data")
@pytest.mark.parametrize("task", KINDS)
def test_a_tiny_recipe_of_every_kind_trains_stops_goes_on_and_exports(task, image_folder, tmp_path):
    settings = {"task": task, **KINDS[task], **({"data": str(image_folder)} if task in ("inpaint", "sr2") else {})}
    recipe = tmp_path / "tiny.py"
    recipe.write_text(f"""from gan_core.training.recipes import Recipe, Stage
recipe = Recipe("tiny-{task}", [Stage("first", 3), Stage("second", 4)], {settings!r})
""")
    out, weights = tmp_path / "runs", tmp_path / "weights"
    main(["--recipe", str(recipe), "--out", str(out), "--minutes", "1e-5"])   # out of time after its first step
    assert torch.load(out / "main" / "checkpoint.pt", weights_only=True)["step"] == 1 and not weights.exists()
    main(["--recipe", str(recipe), "--out", str(out), "--weights-dir", str(weights)])   # goes on, then exports
    assert torch.load(out / "main" / "checkpoint.pt", weights_only=True)["step"] == 4
    card = json.loads((weights / f"tiny-{task}.json").read_text())
    assert card["task"] == task and card["steps"] == 4 and card["recipe"] == {"name": f"tiny-{task}", "stage": "second"}
    assert [stage.split(")")[0] for stage in card["training_stages"]] == ["(from step 0", "(from step 1", "(from step 3"]
    assert card["evaluation"] and (weights / f"tiny-{task}.safetensors").stat().st_size > 0
    log = read_log(out / "main")
    assert [r["step"] for r in log if "event" in r] == [1, 3, 4] and all("wall" in r for r in log)


def test_a_recipe_takes_only_the_flags_of_its_trainers_config(tmp_path):
    recipe_file = tmp_path / "tiny_classifier.py"
    recipe_file.write_text("""from gan_core.training.recipes import Recipe, Stage
recipe = Recipe("tiny-classifier", [Stage("short", 2)], trainer="gan_core.learn.classifier")
""")
    with pytest.raises(SystemExit):   # --bf16 is a setting of the photo games, not of the classifier
        main(["--recipe", str(recipe_file), "--out", str(tmp_path / "again"), "--bf16"])
    with pytest.raises(ValueError, match="no setting bf16"):
        recipes.run_recipe(str(recipe_file), {"bf16": True})


def test_an_unknown_recipe_lists_the_shipped_ones():
    with pytest.raises(ValueError, match="inpaint-photo-faithful"):
        recipes.load("nope")
