"""studio.restore: its handlers called directly, then through gradio_client (/restore and /restore_photo).

The running studio (tests/studio_server.py) starts with an empty folder of restoration models; this module
copies in tiny denoise and sr2 models trained for 3 steps (conftest.tiny_restore_weights) and no sr4 model,
so Enlarge 4x with the GAN must fail with a clear message while its classical methods still work. Image
modes, EXIF and ICC are tested in test_restore_modes.py.
"""
import shutil

import gradio as gr
import gradio_client
import numpy as np
import pytest
from gradio_client import handle_file
from gradio_client.exceptions import AppError
from PIL import Image

from tests.studio_helpers import photo, run_event  # noqa: E402
from tests.studio_server import ROOT, restore_weights_dir, start_app  # noqa: E402
from tests.studio.test_api import load, png_header_only, save, textured  # noqa: E402

from gan_core.photos import classical
from gan_core.photos import peers
from gan_core.core import metrics
from gan_core.core import tasks  # noqa: E402
from gan_core.photos.data import add_gaussian_noise  # noqa: E402
from studio import api  # noqa: E402
from studio import restore as restore_tab  # noqa: E402

EXAMPLES = ROOT / "examples"


# ----------------------------------------------------------------------------------------------------
# The handlers, called directly


@pytest.fixture
def restore_models(tiny_restore_weights, monkeypatch):
    """The tiny denoise and sr2 models (and no sr4 model) as the Restore tab's models."""
    monkeypatch.setenv(restore_tab.RESTORE_WEIGHTS_ENV, str(tiny_restore_weights))


def test_restore_with_synthetic_noise_shows_the_noisy_photo_and_the_psnr(restore_models):
    image = photo(64, 80)
    (before, after), _, download, status = restore_tab.restore_photo(Image.fromarray(image), "denoise", "nlmeans", 20)
    noisy = load(before)
    assert noisy.shape == load(after).shape == image.shape and download == after
    expected = add_gaussian_noise(image, 20, np.random.default_rng(restore_tab.NOISE_SEED))
    assert np.array_equal(noisy, expected), "the left side is the photo with the seeded sigma 20 noise"
    assert "sigma 20 was added first" in status and "PSNR" in status and "set for noise sigma 20" in status


@pytest.fixture
def without_peers(monkeypatch):
    """A server without the packages of BM3D and Real-ESRGAN."""
    monkeypatch.setattr(classical, "available", lambda name: name not in peers.PEERS)


def test_restore_method_choices_follow_the_task(without_peers):
    update = restore_tab.restore_methods("sr2", "nlmeans")
    assert [value for _, value in update["choices"]] == ["gan", "bicubic", "lanczos"] and update["value"] == "bicubic"
    assert ("Bicubic (classical)", "bicubic") in update["choices"]
    assert restore_tab.restore_methods("denoise", "lanczos")["value"] == "nlmeans"
    assert restore_tab.restore_methods("sr4", "gan")["value"] == "gan"


def test_the_strongest_peers_are_offered_beside_the_gan_where_installed(monkeypatch):
    installed = {"bm3d": True, "realesrgan": False, "realesrgan-small": True}
    monkeypatch.setattr(classical, "available", lambda name: installed.get(name, True))
    assert [name for _, name in restore_tab.restore_method_choices("denoise")] == ["gan", "nlmeans", "blur", "bm3d"]
    assert restore_tab.restore_method_choices("sr4") == [
        ("GAN", "gan"), ("Bicubic (classical)", "bicubic"), ("Lanczos (classical)", "lanczos"),
        ("Real-ESRGAN small (published GAN)", "realesrgan-small")]
    assert restore_tab.restore_methods("sr2", "realesrgan-small")["value"] == "realesrgan-small"
    with pytest.raises(gr.Error, match="Real-ESRGAN x4plus is not installed on this server .* choose one of: gan, "
                                       "bicubic, lanczos, realesrgan-small"):
        restore_tab.run_restore(photo(32, 32), "sr2", "realesrgan")


def test_every_classical_method_of_the_registry_runs():
    image = photo(40, 48)
    for task in tasks.RESTORE_TASKS:
        for method in tasks.get(task).classical:
            if not classical.available(method.name):
                continue
            result = restore_tab.run_restore(image, task, method.name, 10)
            assert result.image.shape == (40 * tasks.get(task).scale, 48 * tasks.get(task).scale, 3), method
            assert method.label.lower() in result.detail.lower()


class Progress:
    """gr.Progress as a handler sees it, keeping every call."""
    def __init__(self):
        self.calls = []

    def __call__(self, fraction, desc=None, **_):
        self.calls.append((fraction, desc))


def test_bm3d_gets_the_sigma_the_classical_denoisers_get_and_the_progress_bar_covers_it(monkeypatch):
    told = []
    monkeypatch.setattr(classical, "available", lambda name: True)
    monkeypatch.setattr(peers, "bm3d", lambda image, sigma: told.append(sigma) or image.copy())  # seconds: faked
    image = Image.fromarray(photo(48, 64))
    progress = Progress()
    *_, status = restore_tab.restore_photo(image, "denoise", "bm3d", 20, progress=progress)
    assert told == [20.0] and "BM3D (classical), set for noise sigma 20" in status
    started = [index for index, (_, desc) in enumerate(progress.calls) if desc == "Denoise: BM3D, seconds on a CPU"]
    assert started and progress.calls[started[0]][0] < 0.1, "the bar shows BM3D from its start"
    assert progress.calls[-1][0] > 0.9 and "Saving" in progress.calls[-1][1]
    *_, plain = restore_tab.restore_photo(image, "denoise", "bm3d", 0)
    *_, nl_means = restore_tab.restore_photo(image, "denoise", "nlmeans", 0)
    estimated = f"set for noise sigma {told[-1]:.0f} (estimated from the photo)"
    assert estimated in plain and estimated in nl_means, "BM3D is set like non-local means"


@pytest.mark.skipif(not classical.available("realesrgan"), reason="Real-ESRGAN (ncnn) is not installed")
def test_real_esrgan_enlarges_beside_the_gan():
    image = Image.fromarray(photo(24, 32)).convert("RGBA")
    (before, after), _, download, status = restore_tab.restore_photo(image, "sr2", "realesrgan", 0)
    assert Image.open(download).mode == "RGBA" and Image.open(download).size == (64, 48)
    assert load(before).shape == load(after).shape == (48, 64, 3)
    assert "with Real-ESRGAN x4plus (published GAN)" in status


# ----------------------------------------------------------------------------------------------------
# The two settings


@pytest.fixture
def real_models(tiny_restore_weights, tmp_path, monkeypatch):
    """The tiny denoise and sr2 models, and the tiny denoise model again as denoise-real (no sr2-real, no sr4)."""
    folder = tmp_path / "weights"
    shutil.copytree(tiny_restore_weights, folder)
    monkeypatch.setenv(restore_tab.RESTORE_WEIGHTS_ENV, str(folder))
    return folder


def drop_in_real_model(folder, task: str) -> None:
    for suffix in (".safetensors", ".json"):
        shutil.copy(folder / f"{task}{suffix}", folder / f"{task}-real{suffix}")


def test_real_photo_setting_is_offered_once_its_model_is_in_the_folder(real_models):
    assert restore_tab.setting_choices("denoise") == [("Clean", "clean")]
    method, setting, note = restore_tab.restore_choices("denoise", "gan", "real")
    assert setting["choices"] == [("Clean", "clean")] and setting["value"] == "clean"
    assert note.startswith("**Clean** — for clean photos") and "Real photo is not installed for Denoise" in note
    drop_in_real_model(real_models, "denoise")           # no restart: the next page load or task change sees it
    _, setting, note = restore_tab.restore_choices("denoise", "gan", "real")
    assert setting["choices"] == [("Clean", "clean"), ("Real photo", "real")] and setting["value"] == "real"
    assert note == f"**Real photo** — {restore_tab.restoring.SETTINGS['real']}."
    _, setting, note = restore_tab.restore_choices("sr2", "gan", "real")   # sr2 has no real model
    assert setting["value"] == "clean" and "(weights/sr2-real.safetensors)" in note
    assert "**Real photo models:** Denoise (" in restore_tab.restore_models_note()


def test_the_setting_picks_the_gans_model(real_models, monkeypatch):
    drop_in_real_model(real_models, "denoise")
    asked = []
    run = restore_tab.restoring.restore
    monkeypatch.setattr(restore_tab.restoring, "restore", lambda *args, **options: asked.append(
        (args, options)) or run(*args, **options))
    image = Image.fromarray(photo(40, 48))
    *_, status = restore_tab.restore_photo(image, "denoise", "gan", 0, "real")
    assert "the GAN (model `denoise-real`, Real photo setting)" in status
    assert asked[-1][0][2].endswith("denoise-real.safetensors") and asked[-1][1]["setting"] == "real"
    *_, status = restore_tab.restore_photo(image, "denoise", "gan", 0)
    assert "(model `denoise`, Clean setting)" in status
    with pytest.raises(gr.Error, match=r"The Real photo model for Enlarge 2x is not installed yet: "
                                       r"weights/sr2-real.safetensors is missing. Choose the Clean setting"):
        restore_tab.restore_photo(image, "sr2", "gan", 0, "real")
    with pytest.raises(gr.Error, match="Unknown setting 'dirty'; choose one of: clean, real"):
        restore_tab.restore_photo(image, "sr2", "gan", 0, "dirty")


def test_restore_models_note_says_which_are_installed(restore_models, monkeypatch):
    note = restore_tab.restore_models_note()
    assert "installed:** Denoise (3 training steps), Enlarge 2x (3 training steps)." in note
    assert "Not yet: Enlarge 4x" in note
    monkeypatch.setenv(restore_tab.RESTORE_WEIGHTS_ENV, str(EXAMPLES))  # a folder without models
    assert "none installed yet" in restore_tab.restore_models_note()


def test_missing_model_names_the_file_and_the_classical_methods(restore_models, without_peers):
    with pytest.raises(gr.Error, match=r"sr4 model \(Enlarge 4x\) is not installed: .*/sr4.safetensors is missing. "
                                       r"Choose Bicubic \(classical\) or Lanczos \(classical\) instead"):
        restore_tab.run_restore(photo(32, 32), "sr4", "gan")


def test_restore_api_takes_a_setting_and_says_when_it_does_not_apply(real_models):
    drop_in_real_model(real_models, "denoise")
    path, notes = api.restore_api(Image.fromarray(photo(40, 48)), "denoise", "gan", 0, "real")
    assert load(path).shape == (40, 48, 3) and notes == ""
    with pytest.warns(UserWarning, match="setting is for the GAN"):
        _, notes = api.restore_api(Image.fromarray(photo(40, 48)), "sr2", "bicubic", 0, "real")
    assert "bicubic ran as it always does" in notes


def test_restore_examples_show_their_result_when_clicked(restore_models, tmp_path, monkeypatch):
    """Clicking an example runs the GAN once and keeps its result (lazy caching), through Gradio's own event
    machinery: an update for the download button in the cached outputs made every click an "Error"
    (AttributeError: 'DownloadButton' object has no attribute 'info')."""
    monkeypatch.setenv("GRADIO_EXAMPLES_CACHE", str(tmp_path / "examples-cache"))
    with gr.Blocks() as demo:
        restore_tab.build()
    for index, (name, task, _) in enumerate(restore_tab.RESTORE_EXAMPLES):
        if task == "sr4":   # no tiny sr4 model here: test_missing_model_... covers its message
            continue
        pair, close, download, status = run_event(demo, "load_example_output", [index])
        photo = np.asarray(Image.open(EXAMPLES / f"{name}.jpg"))
        assert load(download["path"]).shape[:2] == tuple(n * tasks.get(task).scale for n in photo.shape[:2])
        assert f"**{tasks.get(task).label}**" in status and "with the GAN" in status


def test_close_up_is_the_centre_with_pixels_doubled():
    image = photo(600, 1000)
    close = restore_tab.close_up(image)
    assert close.shape == (2 * restore_tab.CLOSE_UP_SIDE, 2 * restore_tab.CLOSE_UP_SIDE, 3)
    assert np.array_equal(close[::2, ::2], image[172:428, 372:628])


# ----------------------------------------------------------------------------------------------------
# The running studio


@pytest.fixture(scope="module")
def client(tiny_restore_weights):
    url = start_app()
    for path in tiny_restore_weights.iterdir():  # denoise and sr2, each .safetensors + .json
        shutil.copy(path, restore_weights_dir() / path.name)
    return gradio_client.Client(url, verbose=False)


def restore(client, image_path, *options) -> np.ndarray:
    return load(client.predict(handle_file(str(image_path)), *options, api_name="/restore")[0])


# ----------------------------------------------------------------------------------------------------
# The GAN with tiny models, and the classical methods


def test_gan_denoise_keeps_the_size_and_sr2_doubles_it(client, tmp_path):
    image = textured(60, 90)
    path = save(image, tmp_path / "photo.png")
    assert restore(client, path, "denoise", "gan").shape == (60, 90, 3)
    enlarged = restore(client, path, "sr2", "gan")
    assert enlarged.shape == (120, 180, 3)
    assert not np.array_equal(enlarged, classical.upscale(image, 2, "bicubic")), "the GAN, not bicubic, must run"


def test_synthetic_noise_is_seeded_and_reaches_the_model(client, tmp_path):
    path = save(textured(48, 64), tmp_path / "photo.png")
    first = restore(client, path, "denoise", "gan", 20)
    assert np.array_equal(first, restore(client, path, "denoise", "gan", 20)), "the same request, the same result"
    assert not np.array_equal(first, restore(client, path, "denoise", "gan", 0))


def test_classical_methods_work_without_a_model(client, tmp_path):
    image = textured(40, 50)
    path = save(image, tmp_path / "photo.png")
    # there is no sr4 model, yet both classical enlargements work, and bicubic is exactly Pillow's
    assert np.array_equal(restore(client, path, "sr4", "bicubic"), classical.upscale(image, 4, "bicubic"))
    assert restore(client, path, "sr4", "lanczos").shape == (160, 200, 3)
    clean = np.asarray(Image.open(EXAMPLES / "dandelions.jpg").convert("RGB"))[:128, :160]
    noisy = add_gaussian_noise(clean, 25, np.random.default_rng(0))  # what the app adds: seed 0
    denoised = restore(client, save(clean, tmp_path / "clean.png"), "denoise", "nlmeans", 25)
    assert denoised.shape == clean.shape
    assert metrics.psnr(clean, denoised) > metrics.psnr(clean, noisy) + 3


def test_missing_model_is_a_clear_error_naming_the_file(client, tmp_path):
    path = save(textured(32, 32), tmp_path / "photo.png")
    with pytest.raises(AppError, match=r"sr4 model \(Enlarge 4x\) is not installed: .*/sr4.safetensors is "
                                       r"missing. Choose Bicubic \(classical\)(,| or) Lanczos"):
        restore(client, path, "sr4", "gan")


def test_restore_photo_shows_before_and_after_at_the_same_size(client, tmp_path):
    image = textured(50, 70)
    (before, after), (close_before, close_after), download, status = client.predict(
        handle_file(save(image, tmp_path / "photo.png")), "sr2", "gan", 0, api_name="/restore_photo")
    assert load(before).shape == load(after).shape == (100, 140, 3)
    assert np.array_equal(load(before)[::2, ::2], image), "the left side is the photo, each pixel doubled"
    assert np.array_equal(load(download), load(after))
    assert load(close_before).shape == load(close_after).shape == (200, 280, 3)  # under 256 px: all of it, doubled
    assert "70x50 px → 140x100 px" in status and "s with the GAN" in status


# ----------------------------------------------------------------------------------------------------
# What must be refused, and what must be accepted


@pytest.mark.parametrize("mode", ["L", "RGBA", "I;16"])
def test_greyscale_transparent_and_16_bit_photos_come_back_in_their_mode(client, tmp_path, mode):
    image = Image.fromarray(textured(30, 40))
    image = Image.fromarray(np.asarray(image.convert("L")).astype(np.uint16) * 257) if mode == "I;16" \
        else image.convert(mode)
    path, notes = client.predict(handle_file(save(image, tmp_path / "photo.png")), "sr2", "gan",
                                 api_name="/restore")
    result = Image.open(path)
    assert result.mode == mode and result.size == (80, 60) and notes == ""


def test_restore_keeps_the_transparency_of_an_rgba_png(client, tmp_path):
    colour = textured(40, 60)
    alpha = np.zeros((40, 60), np.uint8)
    alpha[:, :30] = 255                                  # left half opaque, right half transparent
    path = save(Image.fromarray(np.dstack([colour, alpha]), "RGBA"), tmp_path / "cut-out.png")
    result = Image.open(client.predict(handle_file(path), "sr2", "gan", 0, "clean", api_name="/restore")[0])
    assert result.mode == "RGBA" and result.size == (120, 80)
    opacity = np.asarray(result)[..., 3]
    assert (opacity[:, :52] == 255).all() and (opacity[:, 68:] == 0).all()
    (_, after), _, download, status = client.predict(handle_file(path), "sr2", "gan", 0, "clean",
                                                     api_name="/restore_photo")
    assert Image.open(download).mode == "RGBA" and load(after).shape == (80, 120, 3)
    assert "RGBA, 8 bits" in status and "The transparency is kept (enlarged 2x" in status


def test_a_setting_whose_model_is_missing_is_a_clear_error(client, tmp_path):
    path = save(textured(32, 32), tmp_path / "photo.png")
    with pytest.raises(AppError, match=r"Real photo model for Enlarge 2x is not installed yet: .*sr2-real.safetensors"):
        client.predict(handle_file(path), "sr2", "gan", 0, "real", api_name="/restore")


def test_bad_files_are_refused_with_a_message(client, tmp_path):
    text = tmp_path / "notes.png"
    text.write_text("hello, not a picture")
    with pytest.raises(AppError, match="not an image we can read"):
        restore(client, text, "denoise", "nlmeans")
    data = (EXAMPLES / "ladybird.jpg").read_bytes()
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(AppError, match="damaged"):
        restore(client, broken, "sr2", "bicubic")
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_header_only(7000, 7000))
    with pytest.raises(AppError, match="40 MP"):
        restore(client, bomb, "denoise", "gan")


def test_results_over_the_pixel_limit_are_refused_with_advice(client, tmp_path):
    flat = save(np.full((2000, 3200, 3), 120, np.uint8), tmp_path / "flat.png")  # 6.4 MP: x16 is 102 MP
    with pytest.raises(AppError, match=r"12800x8000 px image \(102.4 MP\), over the studio's limit of 40 MP. "
                                       r"Choose Enlarge 2x, or use a photo of at most 2000x1250 px"):
        restore(client, flat, "sr4", "bicubic")


def test_wrong_options_are_clear_errors(client, tmp_path):
    path = save(textured(32, 32), tmp_path / "photo.png")
    with pytest.raises(AppError, match="'nlmeans' is not a method for Enlarge 2x"):
        restore(client, path, "sr2", "nlmeans")
    with pytest.raises(AppError, match="between 0 and 50"):
        restore(client, path, "denoise", "gan", 80)
    with pytest.raises(AppError, match="not in the list of choices"):  # Gradio checks the radio's choices
        restore(client, path, "sr8", "gan")


def test_queue_still_serves_after_the_errors(client):
    assert restore(client, EXAMPLES / "room.jpg", "denoise", "gan").shape == load(EXAMPLES / "room.jpg").shape
