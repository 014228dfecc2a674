"""gan_core.inpainting.meta: Reptile moves the start towards where adaptation ends, and resumes."""
import json

import numpy as np

import pytest
import torch

from gan_core.core.weights import load_parts, load_state
from gan_core.inpainting import meta

pytestmark = pytest.mark.usefixtures("one_thread")

QUICK = ["--side", "96", "--inner-steps", "1", "--checkpoint-every", "1", "--adapt",
         json.dumps({"batch_size": 2, "crop": 64})]


def run(tiny_weights, image_folder, out, outer_steps, epsilon=0.5):
    meta.main(["--weights", str(tiny_weights), "--data", str(image_folder), "--out", str(out),
               "--outer-steps", str(outer_steps), "--epsilon", str(epsilon), *QUICK])
    return load_parts(out / "start.safetensors")[0]["generator"]


def test_reptile_moves_the_start_and_epsilon_zero_does_not(tiny_weights, image_folder, tmp_path):
    shipped = load_state(tiny_weights)[0]
    moved = run(tiny_weights, image_folder, tmp_path / "moved", 2)
    still = run(tiny_weights, image_folder, tmp_path / "still", 2, epsilon=0.0)
    assert any(not torch.equal(moved[k], shipped[k].float()) for k in shipped)
    assert all(torch.equal(still[k], shipped[k].float()) for k in shipped)


def test_a_run_resumes_where_it_stopped(tiny_weights, image_folder, tmp_path):
    straight = run(tiny_weights, image_folder, tmp_path / "straight", 3)
    run(tiny_weights, image_folder, tmp_path / "resumed", 2)
    resumed = run(tiny_weights, image_folder, tmp_path / "resumed", 3)
    assert json.loads((tmp_path / "resumed" / "state.json").read_text())["outer_step"] == 3
    assert all(torch.allclose(straight[k], resumed[k], atol=1e-6) for k in straight)
    assert len((tmp_path / "resumed" / "log.jsonl").read_text().splitlines()) == 3


def test_the_follow_photos_are_left_out(tmp_path, monkeypatch):
    (tmp_path / "follow.txt").write_text("# a comment\n/anywhere/kept.jpg\n")
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("kept.jpg", "used.jpg"):
        (photos / name).write_bytes(b"")
    monkeypatch.setattr(meta, "DATA_DIR", tmp_path)
    monkeypatch.setattr(meta, "resolve_files", lambda data: sorted(photos.iterdir()))
    assert [p.name for p in meta.meta_photos("anything")] == ["used.jpg"]


def test_export_writes_inpainting_weights_that_fill(tiny_weights, image_folder, tmp_path):
    from gan_core.inpainting.fill import fill
    from tests.conftest import striped_photo
    start = run(tiny_weights, image_folder, tmp_path / "run", 1)
    path = tmp_path / "meta-start.safetensors"
    meta.main(["--weights", str(tiny_weights), "--data", str(image_folder), "--out", str(tmp_path / "run"),
               "--outer-steps", "1", "--export", str(path), *QUICK])
    generator, _, card = load_state(path)
    assert card["task"] == "inpaint" and card["meta"]["outer_step"] == 1
    assert all(torch.equal(generator[k], start[k]) for k in start)
    hole = np.zeros((96, 96), bool)
    hole[30:50, 40:70] = True
    assert fill(striped_photo(96, 96, 0), hole, weights=path).image.shape == (96, 96, 3)
