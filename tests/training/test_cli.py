"""gan_core.training.cli: python -m gan_core.training, one run from flags or a recipe (recipes: test_recipes.py)."""
import pytest

from gan_core.learn import classifier
from gan_core.training.cli import main
from gan_core.training.train import load_checkpoint
from tests.conftest import TINY


def test_flags_train_a_task_and_the_same_out_goes_on_with_the_checkpoints_settings(image_folder, tmp_path):
    out = tmp_path / "run"
    main(["--task", "sr2", "--data", str(image_folder), "--out", str(out), "--steps", "1", "--sample-every", "9", *TINY])
    assert load_checkpoint(out)["step"] == 1
    main(["--out", str(out), "--steps", "2", "--no-progress"])
    state = load_checkpoint(out)
    assert state["step"] == 2 and state["config"]["task"] == "sr2" and state["config"]["g_channels"] == 8


@pytest.mark.usefixtures("one_thread")
def test_the_old_module_entry_points_train_through_the_one_command_line(tmp_path, monkeypatch):
    images, labels = classifier.fashion_split("test")
    monkeypatch.setattr(classifier, "fashion_split", lambda split: (images[:300], labels[:300]))
    classifier.main(["--out", str(tmp_path), "--steps", "2", "--width", "4", "--feature-dim", "8", "--batch-size", "8"])
    state = load_checkpoint(tmp_path)
    assert state["step"] == 2 and state["config"]["task"] == "classifier"
