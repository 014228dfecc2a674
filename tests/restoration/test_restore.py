"""gan_core.restore and gan_core.restoration.restore: the GAN in seamless tiles, the classical methods, any mode."""
import numpy as np
import pytest
from PIL import Image

import gan_core
from gan_core.core import metrics
from gan_core.photos import classical
from gan_core.restoration import restore
from tests.conftest import TINY, striped_photo
from tests.inpainting.test_fill import photo_in_mode


def identity_restorer(tmp_path, image_folder, task="sr2"):
    """A restoration model as exported before any training step: the identity (upscaled), for exact checks."""
    from gan_core.training.train import parse_args, train
    train(parse_args(["--task", task, "--data", str(image_folder), "--out", str(tmp_path / "run"), "--steps", "0",
                      "--export", f"{task}-id", "--weights-dir", str(tmp_path), *TINY]))
    return tmp_path / f"{task}-id.safetensors"


def test_restore_tiles_without_seams(tmp_path, image_folder):
    """A restoration model that is the identity at init must give back the input through tiles exactly."""
    weights = identity_restorer(tmp_path, image_folder)
    photo = striped_photo(150, 230, 4)
    tiled = restore.gan_restore(photo, "sr2", weights, tile=64, tile_pad=8)
    whole = restore.gan_restore(photo, "sr2", weights, tile=512, tile_pad=8)
    assert tiled.shape == (300, 460, 3)
    assert np.abs(tiled.astype(int) - whole.astype(int)).max() <= 1
    assert np.array_equal(gan_core.restore(photo, "sr2", weights, tile=64, tile_pad=8), tiled)


def test_restore_keeps_alpha_and_enlarges_it(tmp_path, image_folder):
    weights = identity_restorer(tmp_path, image_folder)
    photo = photo_in_mode("RGBA", 30, 40)
    enlarged = gan_core.restore(photo, "sr2", weights)
    assert enlarged.mode == "RGBA" and enlarged.size == (80, 60)
    alpha = np.asarray(enlarged)[..., 3].astype(int)
    assert abs(alpha[:, 0].mean() - 0) < 8 and abs(alpha[:, -1].mean() - 255) < 8, "the alpha ramp survives"


def test_restore_keeps_sixteen_bits_and_greyscale(tmp_path, image_folder):
    weights = identity_restorer(tmp_path, image_folder)
    photo = photo_in_mode("I;16", 30, 40)
    enlarged = gan_core.restore(photo, "sr2", weights)
    assert enlarged.mode == "I;16" and enlarged.size == (80, 60) and np.asarray(enlarged).max() > 255
    assert gan_core.restore(photo_in_mode("LA", 30, 40), "sr2", weights).mode == "LA"


@pytest.mark.parametrize("task, method", [("denoise", "nlmeans"), ("denoise", "blur"), ("sr2", "bicubic"),
                                          ("sr4", "lanczos"), ("sr2", "Lanczos")])
def test_a_classical_restoration_of_an_rgb_photo_is_the_method_itself(task, method):
    photo = striped_photo(40, 48, 7)
    name = method.lower()
    expected = classical.restore(photo, name, gan_core.core.tasks.get(task).scale, 20)
    assert np.array_equal(restore.restore(photo, task, method=method, sigma=20), expected)


def test_a_classical_denoiser_is_set_for_the_noise_it_estimates_when_not_told():
    photo = striped_photo(40, 48, 8)
    expected = classical.restore(photo, "nlmeans", 1, metrics.noise_sigma(photo))
    assert np.array_equal(restore.restore(photo, "denoise", method="nlmeans"), expected)


def test_classical_methods_keep_the_mode_and_transparency():
    enlarged = gan_core.restore(photo_in_mode("RGBA", 30, 40), "sr2", method="bicubic")
    assert enlarged.mode == "RGBA" and enlarged.size == (80, 60)
    assert gan_core.restore(photo_in_mode("I;16", 30, 40), "denoise", method="blur", sigma=10).mode == "I;16"


def test_unknown_tasks_and_methods_are_refused_clearly():
    with pytest.raises(ValueError, match="unknown restoration task"):
        gan_core.restore(striped_photo(20, 20, 0), "inpaint")
    with pytest.raises(ValueError, match="bicubic, lanczos"):
        gan_core.restore(striped_photo(20, 20, 0), "sr2", method="nlmeans")


def test_the_setting_picks_the_model_trained_for_it():
    assert restore.weights_for("sr4") == "sr4" and restore.weights_for("sr4", "real") == "sr4-real"
    assert restore.weights_for("denoise", "real") == "denoise-real"
    with pytest.raises(ValueError, match="clean, real"):
        gan_core.restore(striped_photo(20, 20, 0), "sr2", setting="phone")
