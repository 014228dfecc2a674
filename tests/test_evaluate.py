import json

from gan_core import evaluate


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
