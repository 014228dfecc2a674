"""scripts/restore_figure.py on two tiny crops: the layout, the captions' numbers, the cache, JPEG out."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import striped_photo

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "restore_figure.py"
spec = importlib.util.spec_from_file_location("restore_figure", SCRIPT)
restore_figure = importlib.util.module_from_spec(spec)
spec.loader.exec_module(restore_figure)

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture
def tiny_crops(monkeypatch):
    photos = {"a.png": striped_photo(96, 120, 0), "b.png": striped_photo(80, 100, 1)}
    monkeypatch.setattr(restore_figure, "load_photo", photos.__getitem__)
    monkeypatch.setattr(restore_figure, "CELL", 32)
    monkeypatch.setattr(restore_figure, "MARGIN", 8)
    monkeypatch.setattr(restore_figure, "CROPS", (restore_figure.Crop("a.png", 4, 40, "face", "stripes"),
                                                   restore_figure.Crop("b.png", 40, 60, "text", "more stripes")))
    monkeypatch.setattr(restore_figure, "ROWS", {"clean": (("sr2", "standard", ("face", "text")),
                                                           ("denoise", "sigma25", ("face",)))})


def test_the_figure_runs_on_two_tiny_crops(tiny_crops, tiny_restore_weights, tmp_path, capsys):
    out = tmp_path / "figure.jpg"
    args = ["--setting", "clean", "--sr2-weights", str(tiny_restore_weights / "sr2.safetensors"),
            "--denoise-weights", str(tiny_restore_weights / "denoise.safetensors"), "--methods", "bicubic,blur",
            "--cache", str(tmp_path / "cache"), "--out", str(out)]
    restore_figure.main(args)
    assert "MB" in capsys.readouterr().out
    with Image.open(out) as image:
        assert image.format == "JPEG" and image.width == 4 * 32   # input, GAN, bicubic, original
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 3      # bicubic twice, blur once; never the GAN
    first = np.asarray(Image.open(out))
    restore_figure.main(args)                                      # the peers from the cache: the same picture
    assert np.array_equal(first, np.asarray(Image.open(out)))


def test_a_row_shows_the_crop_at_100_percent_with_its_numbers(tiny_crops):
    crop = restore_figure.crop_of("text")
    cells = restore_figure.row("sr2", "standard", crop, "clean", ["bicubic"], None, 0, None, set())
    assert [picture.shape for picture, _ in cells] == [(32, 32, 3)] * 3     # input (enlarged), bicubic, original
    assert np.array_equal(cells[-1][0], striped_photo(80, 100, 1)[40:72, 60:92])
    assert "input 16x16 px" in cells[0][1]
    assert "PSNR" in cells[1][1] and "detail" in cells[1][1] and "grain" in cells[1][1]


def test_a_crop_off_its_photo_is_refused(tiny_crops):
    with pytest.raises(ValueError, match="off its"):
        restore_figure.region(restore_figure.Crop("a.png", 80, 0, "x", "y"), (96, 120, 3), 2)
