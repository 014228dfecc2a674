import json

import numpy as np

from gan_core.eval import inpaint as evaluate


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
