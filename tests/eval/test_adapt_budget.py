"""gan_core.eval.adapt_budget: the budget curve runs end to end on one tiny photo."""
import json

import numpy as np
import pytest
from PIL import Image

from gan_core.core import metrics
from gan_core.eval import adapt_budget
from gan_core.eval import inpaint as evaluate
from tests.conftest import striped_photo

pytestmark = pytest.mark.usefixtures("one_thread")


def test_the_budget_curve_on_one_tiny_photo(tmp_path, capsys):
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.fromarray(striped_photo(96, 128, 3)).save(folder / "a.png")
    out = tmp_path / "budget.json"
    adapt_budget.main(["--images", str(folder), "--n-images", "1", "--masks", "medium", "--seconds", "1,0",
                       "--weights", "inpaint-tiny-test", "--batch-size", "2", "--crop", "64", "--json", str(out)])
    printed = capsys.readouterr().out
    assert "CPU:" in printed and "bfloat16" in printed and "torch threads: 1" in printed
    assert "the best classical" in printed
    result = json.loads(out.read_text())
    assert result["machine"]["threads"] == 1 and isinstance(result["machine"]["bf16"], bool)
    assert result["config"]["batch_size"] == 2 and result["config"]["crop"] == 64
    medium = result["classes"]["medium"]
    assert medium["best_classical"] in ("telea", "ns", "fsr") and set(medium["classical"]) == {"telea", "ns", "fsr"}
    start, later = medium["budgets"]["0.0"], medium["budgets"]["1.0"]
    assert start["step"] == 0 and later["step"] >= 1 and later["adapt_seconds"] >= 1
    assert later["fill_seconds"] > 0 and np.isfinite(later["lead_db"])
    assert later["lead_db"] == pytest.approx(later["psnr_masked"] - medium["classical"][medium["best_classical"]]
                                             ["psnr_masked"])
    image = evaluate.prepare([folder / "a.png"], 512)[0][1]
    hole = evaluate.seeded_mask(image, 0, 0, "medium", 0)
    shipped, _ = evaluate.fill("gan", image, hole, "inpaint-tiny-test")
    assert start["psnr_masked"] == pytest.approx(metrics.compare(image, shipped, hole)["psnr_masked"]), \
        "budget 0 is the shipped generator's own fill"
    assert len(result["fills"]) == 2 + 3


def test_wrong_settings_are_refused_before_anything_runs():
    for wrong in (["--masks", "huge"], ["--critic", "kind"], ["--crop", "16"], ["--classical", "gan"]):
        with pytest.raises(SystemExit):
            adapt_budget.main(["--images", "unused", *wrong])
