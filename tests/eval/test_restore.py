import json

import numpy as np
import pytest

from gan_core.photos import classical
from gan_core.eval import restore as evaluate_restore
from gan_core.photos.data import bicubic_down
from tests.conftest import TINY, striped_photo


@pytest.fixture(scope="module")
def tiny_sr2(image_folder, tmp_path_factory):
    """A tiny x2 super-resolver trained for a few steps: real weights, made in seconds."""
    from gan_core.training.train import parse_args, train
    out = tmp_path_factory.mktemp("sr2")
    cfg = parse_args(["--task", "sr2", "--data", str(image_folder), "--out", str(out / "run"), "--steps", "3",
                      "--export", "tiny-sr2", "--weights-dir", str(out / "weights"), "--sample-every", "100", *TINY])
    train(cfg)
    return out / "weights" / "tiny-sr2.safetensors"


def test_denoise_evaluation_mirrors_the_inpainting_layout(image_folder, tmp_path):
    out = tmp_path / "denoise.json"
    evaluate_restore.main(["--task", "denoise", "--images", str(image_folder), "--methods", "nlmeans,blur",
                   "--conditions", "sigma25,sigma50", "--per-image", "2", "--json", str(out),
                   "--grid", str(tmp_path / "grid.png")])
    results = json.loads(out.read_text())
    assert results["task"] == "denoise"
    for method in ("nlmeans", "blur"):
        for condition in ("sigma25", "sigma50"):
            numbers = results["methods"][method][condition]
            assert numbers["n"] == 8 and {"psnr", "ssim", "ms"} <= set(numbers)
    # the classical denoisers must actually denoise: better than the noisy input, and worse at sigma 50
    clean = striped_photo(160, 200, 0)
    noisy = evaluate_restore.degrade_for("denoise", "sigma25", clean, np.random.default_rng(0))
    noisy_psnr = evaluate_restore.score(clean, noisy, 0)["psnr"]
    assert results["methods"]["nlmeans"]["sigma25"]["psnr"] > noisy_psnr + 3
    assert results["methods"]["nlmeans"]["sigma50"]["psnr"] < results["methods"]["nlmeans"]["sigma25"]["psnr"]
    assert (tmp_path / "grid.png").stat().st_size > 1000


def test_super_resolution_evaluation_runs_the_gan_in_both_settings(tiny_sr2, image_folder, tmp_path):
    out = tmp_path / "sr2.json"
    evaluate_restore.main(["--task", "sr2", "--images", str(image_folder), "--per-image", "2", "--weights", str(tiny_sr2),
                   "--json", str(out), "--grid", str(tmp_path / "grid.png"), "--update-card"])
    methods = json.loads(out.read_text())["methods"]
    assert set(methods) == {"gan", "bicubic", "lanczos"}
    assert methods["bicubic"]["standard"]["n"] == 4      # deterministic: one per photo
    assert methods["bicubic"]["degraded"]["n"] == 8      # seeded degradations: --per-image per photo
    # a 3-step model starts as bilinear upsampling plus a near-zero residual: close to bicubic, not garbage
    assert abs(methods["gan"]["standard"]["psnr"] - methods["bicubic"]["standard"]["psnr"]) < 3
    card = json.loads(tiny_sr2.with_suffix(".json").read_text())
    assert card["evaluation"]["validation"]["methods"]["gan"]["standard"]["n"] == 4


def test_standard_setting_is_plain_bicubic_and_results_have_the_target_size():
    clean = striped_photo(64, 96, 1)
    small = evaluate_restore.degrade_for("sr4", "standard", clean, np.random.default_rng(0))
    assert np.array_equal(small, bicubic_down(clean, 4))
    result, ms = evaluate_restore.run("lanczos", "sr4", "standard", small)
    assert result.shape == clean.shape and ms >= 0


def test_a_method_of_another_task_is_refused_with_the_task_methods():
    with pytest.raises(ValueError, match="choose one of: gan, bicubic, lanczos"):
        evaluate_restore.run("nlmeans", "sr2", "standard", striped_photo(32, 32, 0))


def test_unknown_conditions_are_refused(image_folder):
    with pytest.raises(SystemExit):
        evaluate_restore.main(["--task", "sr4", "--images", str(image_folder), "--conditions", "sigma25"])


def test_tuned_strengths_grow_with_sigma_and_interpolate():
    strengths = [classical.nl_means_strength(s) for s in (5, 15, 20, 25, 50)]
    assert strengths == sorted(strengths)
    low, high = classical.TUNED_DENOISE[15][0], classical.TUNED_DENOISE[25][0]
    assert min(low, high) <= classical.nl_means_strength(20) <= max(low, high)


def test_tuning_picks_a_stronger_filter_for_stronger_noise(image_folder):
    files = sorted(image_folder.iterdir())
    best = evaluate_restore.tune_classical(files, sigmas=(10, 40), crops=2, crop=64)
    assert best[40]["nlmeans_h"] > best[10]["nlmeans_h"]
    assert best[40]["blur_width"] >= best[10]["blur_width"]
