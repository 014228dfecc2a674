"""Tests for the 2D GAN playground (gan_core/toy.py). Each runs in a few seconds on a 2-core CPU."""
import functools
import subprocess
import sys

import numpy as np
import pytest
import torch


from gan_core.core.losses import GAN_LOSSES
from gan_core.learn.toy.game import PRESETS, SLOW_STAGES, SURFACE_RES, VIEW_SAMPLES, ToyConfig, ToyGAN, history_table, mode_centres, points_from_drawing, render
from tests.conftest import ROOT

COLLAPSE = "Mode collapse: minimax loss on the ring"
FIXES = ("Fixed: non-saturating loss + 5 D steps on the ring", "Fixed: WGAN-GP on the ring")


def test_training_moves_generated_points_toward_the_modes():
    gan = ToyGAN(ToyConfig(target="ring", seed=0))
    before = gan.metrics()["mode_distance"]
    gan.step(200)
    after = gan.metrics()["mode_distance"]
    assert after <= 0.5 * before, (before, after)


@functools.lru_cache
def modes_covered_after(preset: str, steps: int) -> int:
    gan = ToyGAN(PRESETS[preset].config)
    gan.step(steps)
    return gan.metrics()["modes_covered"]


@pytest.mark.parametrize("fix", FIXES)
def test_collapse_preset_covers_fewer_modes_than_the_fixed_one(fix):
    # Runs are deterministic given the seed. Over seeds 0-7 at 400 steps the collapse covers 0-1 modes
    # and the fixes 7-8, so this is far from the edge.
    collapsed, fixed = modes_covered_after(COLLAPSE, 400), modes_covered_after(fix, 400)
    assert collapsed < fixed and collapsed <= 2 and fixed >= 6, (collapsed, fixed)


def test_vanishing_gradients_preset_starves_minimax_but_not_nonsaturating():
    gan = ToyGAN(PRESETS["Vanishing gradients: minimax against a perfect discriminator"].config)
    gan.step(100)
    minimax_push = np.mean(gan.history["g_grad"][-10:])
    gan.configure(loss="nonsaturating")
    gan.step(1)
    assert minimax_push < 0.05 and gan.history["g_grad"][-1] > 100 * minimax_push


@pytest.mark.parametrize("loss", GAN_LOSSES)
@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_every_loss_trains_without_nan(loss, optimizer):
    gan = ToyGAN(ToyConfig(loss=loss, optimizer=optimizer, lr_g=1e-2, lr_d=1e-2, batch_size=32))
    gan.step(20)
    for key, values in gan.history.items():
        assert len(values) == 20 and np.isfinite(values).all(), key
    snap = gan.snapshot()
    for key in ("fake", "fake_grad", "surface", "manifold"):
        assert np.isfinite(snap[key]).all(), key


def test_snapshot_has_the_expected_shapes():
    gan = ToyGAN(ToyConfig(target="grid", metric_every=5))
    gan.step(10)
    snap = gan.snapshot()
    assert snap["step"] == 10
    assert snap["real"].shape == snap["fake"].shape == snap["fake_grad"].shape == (VIEW_SAMPLES, 2)
    assert snap["surface"].shape == (SURFACE_RES, SURFACE_RES) and snap["surface_coords"].shape == (SURFACE_RES,)
    assert snap["manifold"].ndim == 3 and snap["manifold"].shape[2] == 2
    assert snap["modes"].shape == (25, 2)
    assert set(snap["history"]) >= {"step", "d_loss", "g_loss", "d_real", "d_fake"}
    assert all(len(values) == 10 for values in snap["history"].values())
    assert snap["metric_history"]["step"] == [0, 5, 10]
    metrics = snap["metrics"]
    assert 0 <= metrics["js"] <= 1 and metrics["kl"] >= 0 and 0 <= metrics["modes_covered"] <= 25
    assert 0 <= snap["mean_d_real"] <= 1 and 0 <= snap["mean_d_fake"] <= 1   # probabilities for this loss


@pytest.mark.parametrize("noise_dim", [1, 2, 5])
def test_manifold_for_any_noise_dimension(noise_dim):
    snap = ToyGAN(ToyConfig(noise_dim=noise_dim)).snapshot()
    rows, cols, _ = snap["manifold"].shape
    assert rows == (1 if noise_dim == 1 else cols)
    assert render(snap, size=64).shape == (64, 64, 3)


def test_metrics_of_real_data_are_perfect():
    gan = ToyGAN(ToyConfig(target="ring"))
    metrics = gan.metrics(gan.sample_real(2048).numpy())
    assert metrics["modes_covered"] == 8 and metrics["quality"] > 0.95
    assert metrics["js"] < 0.02


def test_render_returns_an_image_of_the_requested_size():
    gan = ToyGAN(ToyConfig(target="moons"))
    gan.step(5)
    snap = gan.snapshot()
    for size in (128, 333):
        image = render(snap, size=size)
        assert image.shape == (size, size, 3) and image.dtype == np.uint8
    bare = render(snap, size=100, show_surface=False, show_real=False, show_fake=False, show_arrows=False,
                  show_manifold=False, show_modes=False)
    assert (bare == bare[0, 0]).all()   # nothing drawn: one flat colour
    assert (render(snap, size=100) != bare).any()


@pytest.mark.parametrize("loss", ["nonsaturating", "wgan"])
def test_slow_motion_yields_every_stage_in_order_and_equals_one_step(loss):
    config = ToyConfig(loss=loss, d_steps=2, seed=3)
    slow, fast = ToyGAN(config), ToyGAN(config)
    slow.step(5)
    fast.step(5)
    stages = list(slow.slow_step())
    fast.step(1)
    assert [stage.name for stage in stages] == list(SLOW_STAGES)
    for stage in stages:
        assert stage.numbers and isinstance(stage.numbers, dict)   # the words are the studio's (lessons.py)
        assert render(stage.view, size=80).shape == (80, 80, 3)
    assert len(stages[0].view["fake"]) == 0 and len(stages[1].view["fake"]) == config.batch_size
    assert len(stages[4].view["fake_grad"]) == config.batch_size   # arrows appear with the gradients
    assert slow.steps == fast.steps == 6
    slow_weights = [*slow.G.parameters(), *slow.D.parameters()]
    fast_weights = [*fast.G.parameters(), *fast.D.parameters()]
    assert all(torch.allclose(a, b) for a, b in zip(slow_weights, fast_weights))


def test_drawn_points_are_learnable_targets():
    square = [(x, y) for x in (-1.0, 1.0) for y in np.linspace(-1, 1, 20)]
    gan = ToyGAN(ToyConfig(target="drawn", drawn_points=square))
    real = gan.sample_real(500).numpy()
    nearest = np.abs(real[:, None, :] - np.array(square)[None]).max(axis=2).min(axis=1)
    assert nearest.max() < 0.2                      # small jitter around the drawn points
    gan.step(10)
    assert render(gan.snapshot(), size=64).shape == (64, 64, 3)


def test_points_from_drawing_maps_pixels_into_the_view():
    mask = np.zeros((100, 100), dtype=bool)
    mask[10, 90] = True                             # top right corner
    points = points_from_drawing(mask)
    assert points.shape == (1, 2) and points[0, 0] > 1.0 and points[0, 1] > 1.0
    rgba = np.zeros((50, 50, 4), dtype=np.uint8)
    rgba[20:30, 20:30, 3] = 255
    assert points_from_drawing(rgba, max_points=30).shape == (30, 2)


def test_bad_config_raises_a_clear_value_error():
    with pytest.raises(ValueError, match="unknown loss 'wasserstein'"):
        ToyConfig(loss="wasserstein")
    with pytest.raises(ValueError, match="noise_dim must be at least 1"):
        ToyConfig(noise_dim=0)
    with pytest.raises(ValueError, match="unknown target"):
        ToyConfig(target="circle")
    with pytest.raises(ValueError, match="drawn_points"):
        ToyConfig(target="drawn")
    gan = ToyGAN()
    with pytest.raises(ValueError, match="unknown loss"):
        gan.configure(loss="nope")
    assert gan.config.loss == "nonsaturating"       # a rejected change leaves the game as it was


def test_configure_changes_live_settings_and_restarts_for_others():
    gan = ToyGAN()
    gan.step(3)
    assert gan.configure(loss="hinge", lr_g=5e-3) is False
    assert gan.steps == 3 and gan.opt_g.param_groups[0]["lr"] == 5e-3
    gan.step(2)
    assert gan.configure(target="spiral") is True and gan.steps == 0


def test_presets_and_history_table():
    for name, preset in PRESETS.items():
        assert preset.steps > 0, name
        preset.config.validate()
    assert len(mode_centres("ring")) == 8 and len(mode_centres("grid")) == 25 and len(mode_centres("moons")) == 0
    gan = ToyGAN()
    gan.step(30)
    table = history_table(gan.history, keys=("d_loss", "g_loss"), max_points=10)
    assert len(table["step"]) == len(table["value"]) == len(table["series"]) == 20
    assert set(table["series"]) == {"d_loss", "g_loss"}


def test_runs_do_not_depend_on_the_global_random_state():
    runs = []
    for global_seed in (1, 2):
        torch.manual_seed(global_seed)
        gan = ToyGAN(ToyConfig(loss="wgan", seed=7))
        gan.step(5)
        runs.append(gan.snapshot()["fake"])
    assert np.array_equal(*runs)


def test_module_does_not_import_gradio():
    code = "import sys, gan_core.learn.toy.game; assert 'gradio' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
