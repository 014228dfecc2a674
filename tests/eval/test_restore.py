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
    assert results["setting"] == "clean"
    for method in ("nlmeans", "blur"):
        for condition in ("sigma25", "sigma50"):
            numbers = results["methods"][method][condition]
            assert numbers["n"] == 8 and {"psnr", "ssim", "detail", "grain", "ms"} <= set(numbers)
    # the classical denoisers must actually denoise: better than the noisy input, and worse at sigma 50
    clean = striped_photo(160, 200, 0)
    noisy = evaluate_restore.degrade_for("denoise", "sigma25", clean, np.random.default_rng(0))
    noisy_psnr = evaluate_restore.score(clean, noisy, 0)["psnr"]
    assert results["methods"]["nlmeans"]["sigma25"]["psnr"] > noisy_psnr + 3
    assert results["methods"]["nlmeans"]["sigma50"]["psnr"] < results["methods"]["nlmeans"]["sigma25"]["psnr"]
    assert (tmp_path / "grid.png").stat().st_size > 1000


def test_super_resolution_evaluation_runs_the_gan_in_both_settings(tiny_sr2, image_folder, tmp_path, capsys):
    out = tmp_path / "sr2.json"
    evaluate_restore.main(["--task", "sr2", "--images", str(image_folder), "--per-image", "2", "--weights", str(tiny_sr2),
                   "--methods", "gan,bicubic,lanczos", "--json", str(out), "--grid", str(tmp_path / "grid.png"),
                   "--update-card"])
    methods = json.loads(out.read_text())["methods"]
    assert set(methods) == {"gan", "bicubic", "lanczos"}
    assert set(methods["bicubic"]) == {"standard"}       # the clean setting: the benchmark's bicubic downscale
    assert methods["bicubic"]["standard"]["n"] == 4      # deterministic: one per photo
    # a 3-step model starts as bilinear upsampling plus a near-zero residual: close to bicubic, not garbage
    assert abs(methods["gan"]["standard"]["psnr"] - methods["bicubic"]["standard"]["psnr"]) < 3
    card = json.loads(tiny_sr2.with_suffix(".json").read_text())
    assert card["evaluation"]["validation"]["methods"]["gan"]["standard"]["n"] == 4
    assert card["evaluation"]["validation"]["setting"] == "clean"
    assert "detail" in capsys.readouterr().out

    evaluate_restore.main(["--task", "sr2", "--setting", "real", "--images", str(image_folder), "--per-image", "2",
                           "--weights", str(tiny_sr2), "--methods", "gan,bicubic", "--conditions", "real,degraded",
                           "--json", str(out)])
    results = json.loads(out.read_text())
    assert results["setting"] == "real"
    assert results["methods"]["gan"]["real"]["n"] == 8 and results["methods"]["bicubic"]["degraded"]["n"] == 8
    header = capsys.readouterr().out.splitlines()[0].split()
    assert header == ["method", "condition", "n", "PSNR", "SSIM", "detail", "grain", "ms"]


def test_missing_weights_of_a_setting_are_named(image_folder, capsys):
    with pytest.raises(SystemExit):
        evaluate_restore.main(["--task", "sr2", "--setting", "real", "--images", str(image_folder),
                               "--weights", "no-such-model", "--methods", "gan,bicubic"])
    assert "no-such-model" in capsys.readouterr().err


def test_the_real_condition_is_seeded_per_photo_and_draw():
    clean = striped_photo(64, 96, 1)
    first = evaluate_restore.degrade_for("sr4", "real", clean, evaluate_restore.draw_rng(0, "a.png", "real", 0))
    again = evaluate_restore.degrade_for("sr4", "real", clean, evaluate_restore.draw_rng(0, "a.png", "real", 0))
    other = evaluate_restore.degrade_for("sr4", "real", clean, evaluate_restore.draw_rng(0, "a.png", "real", 1))
    assert first.shape == (16, 24, 3) and np.array_equal(first, again) and not np.array_equal(first, other)
    same_rng = [evaluate_restore.degrade_for("denoise", "real", clean, np.random.default_rng(7)) for _ in range(2)]
    assert same_rng[0].shape == clean.shape and np.array_equal(*same_rng)   # denoise: scale 1, the same size


def test_classical_denoisers_know_sigma_only_in_the_clean_setting():
    assert evaluate_restore.told_sigma("denoise", "sigma25", "clean") == 25
    assert evaluate_restore.told_sigma("denoise", "sigma25", "real") is None
    assert evaluate_restore.told_sigma("denoise", "real", "clean") is None
    assert evaluate_restore.told_sigma("sr4", "standard", "clean") is None


def test_the_cache_returns_a_peer_result_identical_without_running_it(tmp_path, monkeypatch):
    clean = striped_photo(64, 64, 2)
    noisy = evaluate_restore.degrade_for("denoise", "sigma25", clean, np.random.default_rng(0))
    first = evaluate_restore.measure("nlmeans", "denoise", "sigma25", noisy, cache=tmp_path, key="p_sigma25_d0")
    assert len(list(tmp_path.glob("*.npz"))) == 1

    def no_run(*args, **kwargs):
        raise AssertionError("a cached peer ran again")
    monkeypatch.setattr(evaluate_restore, "run", no_run)
    second = evaluate_restore.measure("nlmeans", "denoise", "sigma25", noisy, cache=tmp_path, key="p_sigma25_d0")
    assert np.array_equal(first[0], second[0]) and first[1] == second[1]
    with pytest.raises(AssertionError, match="ran again"):   # told another sigma (the real setting): a miss
        evaluate_restore.measure("nlmeans", "denoise", "sigma25", noisy, setting="real", cache=tmp_path,
                                 key="p_sigma25_d0")
    with pytest.raises(AssertionError, match="ran again"):   # another input under the same key: a miss
        evaluate_restore.measure("nlmeans", "denoise", "sigma25", noisy[::-1], cache=tmp_path, key="p_sigma25_d0")


def test_a_cached_evaluation_gives_the_same_table(image_folder, tmp_path):
    images = evaluate_restore.prepare(sorted(image_folder.iterdir())[:2], 96)
    run = [evaluate_restore.evaluate(images, "sr2", ["bicubic"], ["standard", "real"], per_image=1,
                                     progress=False, cache=tmp_path, max_side=96)[0] for _ in range(2)]
    assert run[0] == run[1]
    assert len(list(tmp_path.glob("*.npz"))) == 4


def test_default_methods_are_the_gan_and_the_peers_that_can_run(monkeypatch):
    monkeypatch.setattr(classical, "available", lambda name: name != "bm3d")
    assert evaluate_restore.default_methods("denoise") == ["gan", "nlmeans", "blur"]
    assert evaluate_restore.default_methods("sr4")[:3] == ["gan", "bicubic", "lanczos"]


def test_standard_setting_is_plain_bicubic_and_results_have_the_target_size():
    clean = striped_photo(64, 96, 1)
    small = evaluate_restore.degrade_for("sr4", "standard", clean, np.random.default_rng(0))
    assert np.array_equal(small, bicubic_down(clean, 4))
    result, ms = evaluate_restore.run("lanczos", "sr4", "standard", small)
    assert result.shape == clean.shape and ms >= 0


def test_a_method_of_another_task_is_refused_with_the_task_methods():
    with pytest.raises(ValueError, match="choose one of: gan, bicubic, lanczos"):   # the peers follow
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
