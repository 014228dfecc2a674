import json

import numpy as np
import pytest

from gan_core.eval import inpaint as evaluate
from gan_core.inpainting.adapt import DEFAULT_STEPS


def test_evaluate_runs_every_method_on_the_same_masks(tiny_weights, image_folder, tmp_path):
    out = tmp_path / "results.json"
    evaluate.main(["--images", str(image_folder), "--methods", "gan,telea,ns", "--masks", "small,medium",
                   "--min-fills", "4", "--weights", str(tiny_weights), "--json", str(out),
                   "--grid", str(tmp_path / "grid.png"), "--update-card"])
    results = json.loads(out.read_text())["methods"]
    assert set(results) == {"gan", "telea", "ns"}
    for method in results.values():
        for size in ("small", "medium"):
            assert method[size]["n"] == 4
            assert {"psnr_masked", "ssim", "l1_masked", "detail", "ms"} <= set(method[size])
    assert (tmp_path / "grid.png").stat().st_size > 1000
    card = json.loads(tiny_weights.with_suffix(".json").read_text())
    assert card["evaluation"]["validation"]["methods"]["gan"]["small"]["n"] == 4


def test_seeded_mask_repeats_for_the_same_photo_size_and_index_and_differs_otherwise():
    image = np.zeros((96, 128, 3), np.uint8)
    first = evaluate.seeded_mask(image, seed=0, image_index=2, size="medium", k=1)
    assert first.shape == (96, 128)
    assert np.array_equal(first, evaluate.seeded_mask(image, seed=0, image_index=2, size="medium", k=1))
    assert not np.array_equal(first, evaluate.seeded_mask(image, seed=0, image_index=2, size="medium", k=2))
    assert not np.array_equal(first, evaluate.seeded_mask(image, seed=1, image_index=2, size="medium", k=1))
    assert 0.10 <= (first > 0).mean() <= 0.30


def test_the_adapted_gan_is_a_method_seeded_by_its_mask(tiny_weights, image_folder, tmp_path, one_thread,
                                                       bold_adaptation):
    out = tmp_path / "results.json"
    evaluate.main(["--images", str(image_folder), "--methods", "gan,gan-adapt2,telea", "--masks", "medium",
                   "--min-fills", "2", "--weights", str(tiny_weights), "--json", str(out)])
    results = json.loads(out.read_text())["methods"]
    assert list(results) == ["gan", "gan-adapt2", "telea"]
    assert results["gan-adapt2"]["medium"]["n"] == 4 and results["gan-adapt2"]["medium"]["ms"] > 0
    assert results["gan-adapt2"]["medium"]["psnr_masked"] != results["gan"]["medium"]["psnr_masked"]
    image = evaluate.prepare(sorted(image_folder.iterdir())[:1], 512)[0][1]
    mask = evaluate.seeded_mask(image, 0, 0, "medium", 0)
    seed = evaluate.fill_seed(0, 0, "medium", 0)
    first, _ = evaluate.fill("gan-adapt2", image, mask, tiny_weights, seed)
    assert np.array_equal(first, evaluate.fill("gan-adapt2", image, mask, tiny_weights, seed)[0])
    assert not np.array_equal(first, evaluate.fill("gan", image, mask, tiny_weights)[0])
    assert seed != evaluate.fill_seed(0, 0, "medium", 1) and seed == evaluate.fill_seed(0, 0, "medium", 0)


def test_adapted_method_names():
    assert evaluate.adapt_steps("gan-adapt") == DEFAULT_STEPS and evaluate.adapt_steps("gan-adapt20") == 20
    assert evaluate.adapt_steps("gan") == 0 and evaluate.adapt_steps("telea") == 0
    for wrong in ("gan-adapt0", "gan-adaptx", "gan-adapt-3", "magic"):
        with pytest.raises(ValueError):
            evaluate.check_method(wrong)
    with pytest.raises(SystemExit):
        evaluate.main(["--images", "unused", "--methods", "gan,gan-adapted"])
