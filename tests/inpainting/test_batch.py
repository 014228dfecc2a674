import numpy as np
import pytest
from PIL import Image

from gan_core.inpainting import batch
from tests.conftest import striped_photo


def test_batch_fills_matched_pairs_and_reports_the_rest(tiny_weights, tmp_path):
    images, masks, out = tmp_path / "images", tmp_path / "masks", tmp_path / "out"
    images.mkdir(), masks.mkdir()
    mask = np.zeros((60, 80), np.uint8)
    mask[20:30, 20:40] = 255
    for name in ("a", "b", "c", "d"):
        Image.fromarray(striped_photo(60, 80, 0)).save(images / f"{name}.jpg")
    Image.fromarray(mask).save(masks / "a.png")
    Image.fromarray(mask).save(masks / "b_mask.png")
    Image.fromarray(np.zeros((10, 10), np.uint8)).save(masks / "c.png")  # wrong size
    (images / "e.png").write_text("broken")
    Image.fromarray(mask).save(masks / "e.png")
    report = batch.run(str(images), str(masks), str(out), weights=str(tiny_weights), progress=False)
    assert report["a.jpg"] == "ok" and report["b.jpg"] == "ok"
    assert "same size" in report["c.jpg"] and "no mask" in report["d.jpg"] and report["e.png"] != "ok"
    assert Image.open(out / "a.png").size == (80, 60)
    assert batch.main(["--images", str(images), "--masks", str(masks), "--out", str(out),
                       "--weights", str(tiny_weights)]) == 1


def test_batch_adapts_to_each_photo_seeded(tiny_weights, tmp_path, one_thread, bold_adaptation):
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir(), masks.mkdir()
    mask = np.zeros((96, 96), np.uint8)
    mask[30:50, 40:70] = 255
    for name, seed in (("a", 1), ("b", 2)):
        Image.fromarray(striped_photo(96, 96, seed)).save(images / f"{name}.png")
        Image.fromarray(mask).save(masks / f"{name}.png")
    common = ["--images", str(images), "--masks", str(masks), "--weights", str(tiny_weights)]
    for out, extra in (("plain", []), ("adapted", ["--adapt", "2", "--seed", "3"]),
                       ("again", ["--adapt", "2", "--seed", "3"]), ("reseeded", ["--adapt", "2", "--seed", "4"])):
        assert batch.main([*common, "--out", str(tmp_path / out), *extra]) == 0
    read = lambda out, name: np.asarray(Image.open(tmp_path / out / f"{name}.png"))  # noqa: E731
    for name in ("a", "b"):
        assert np.array_equal(read("adapted", name), read("again", name)), "the same seed, the same file"
        assert not np.array_equal(read("adapted", name), read("plain", name))
        assert not np.array_equal(read("adapted", name), read("reseeded", name))
        assert np.array_equal(read("adapted", name)[mask == 0], read("plain", name)[mask == 0])
    with pytest.raises(SystemExit):
        batch.main([*common, "--out", str(tmp_path / "x"), "--adapt", "-1"])
