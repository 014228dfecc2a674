import gzip
import struct

import numpy as np
import pytest
import torch
from PIL import Image

from gan_core.photos import data


def test_load_rgb_handles_modes_and_exif(tmp_path):
    grey16 = Image.fromarray((np.arange(64 * 48).reshape(48, 64) * 20).astype(np.uint16))
    grey16.save(tmp_path / "g16.png")
    assert data.load_rgb(tmp_path / "g16.png").shape == (48, 64, 3)
    Image.new("P", (10, 20)).save(tmp_path / "p.png")
    Image.new("RGBA", (10, 20), (0, 0, 0, 0)).save(tmp_path / "rgba.png")
    assert (data.load_rgb(tmp_path / "rgba.png") == 255).all()  # transparent -> white
    Image.new("CMYK", (10, 20)).save(tmp_path / "c.jpg")
    for name in ("p.png", "c.jpg"):
        assert data.load_rgb(tmp_path / name).shape == (20, 10, 3)
    rotated = Image.new("RGB", (30, 10))
    exif = rotated.getexif()
    exif[0x0112] = 6  # rotate 90 degrees on display
    rotated.save(tmp_path / "r.jpg", exif=exif)
    assert data.load_rgb(tmp_path / "r.jpg").shape == (30, 10, 3)


def test_non_image_is_a_clear_error(tmp_path):
    (tmp_path / "x.png").write_text("not an image")
    with pytest.raises(ValueError, match="not an image"):
        data.load_rgb(tmp_path / "x.png")


def crop_and_draw(crop, rng):
    """A pair that shows what the dataset hands over: the crop, and one number drawn after it."""
    return torch.from_numpy(crop.copy()), torch.tensor(rng.random())


def test_photo_crops_hand_each_crop_and_its_random_generator_to_the_pair(image_folder):
    files = data.list_images(image_folder)
    crop, drawn = data.PhotoCrops(files, crop_and_draw, data.CropConfig(crop=64))[0]
    assert crop.shape == (64, 64, 3) and crop.dtype == torch.uint8 and 0 <= drawn < 1
    seeded = data.PhotoCrops(files, crop_and_draw, data.CropConfig(crop=64), seed=3)
    assert all(torch.equal(a, b) for a, b in zip(seeded[5], seeded[5]))
    assert not torch.equal(seeded[5][0], seeded[6][0])
    batch = data.fixed_batch(seeded, 3)
    assert batch[0].shape == (3, 64, 64, 3) and batch[1].shape == (3,)


def test_crops_keep_the_photos_up_unless_all_eight_symmetries_are_asked_for(tmp_path):
    rows = np.repeat(np.arange(0, 256, 4, dtype=np.uint8)[:, None], 64, axis=1)  # dark at the top, light below
    Image.fromarray(np.stack([rows] * 3, -1)).save(tmp_path / "gradient.png")
    files = [tmp_path / "gradient.png"]

    def directions(symmetries):  # where the light side of each whole-photo crop ends up
        config = data.CropConfig(crop=64, min_scale=1.0, symmetries=symmetries)
        seen = set()
        for i in range(40):
            image = data.PhotoCrops(files, crop_and_draw, config, seed=i)[0][0][..., 0].float()
            top, bottom, left, right = image[0].mean(), image[-1].mean(), image[:, 0].mean(), image[:, -1].mean()
            seen.add(("down", "up", "right", "left")[int(np.argmax([bottom - top, top - bottom, right - left, left - right]))])
        return seen

    assert directions(2) == {"down"}
    assert directions(8) == {"down", "up", "right", "left"}
    with pytest.raises(ValueError, match="symmetries"):
        data.PhotoCrops(files, crop_and_draw, data.CropConfig(symmetries=4))


def test_degradations_change_the_image_by_the_right_amount():
    rng = np.random.default_rng(0)
    flat = np.full((64, 64, 3), 128, np.uint8)
    noisy = data.add_gaussian_noise(flat, 25, rng)
    assert 22 < noisy.astype(float).std() < 28
    assert data.bicubic_down(flat, 4).shape == (16, 16, 3)
    assert data.jpeg(flat, 50).shape == flat.shape


def test_read_idx(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    with gzip.open(tmp_path / "x-images-idx3-ubyte.gz", "wb") as handle:
        handle.write(struct.pack(">HBB", 0, 8, 3) + struct.pack(">3I", 2, 3, 4) + images.tobytes())
    assert np.array_equal(data.read_idx(tmp_path / "x-images-idx3-ubyte.gz"), images)


def test_gimp_pattern_reader(tmp_path):
    pixels = np.random.default_rng(0).integers(0, 255, (5, 7, 3), dtype=np.uint8)
    name = b"test\0"
    header = struct.pack(">5I", 24 + len(name), 1, 7, 5, 3) + b"GPAT" + name
    (tmp_path / "t.pat").write_bytes(header + pixels.tobytes())
    tiled = data.load_rgb(tmp_path / "t.pat")
    assert tiled.shape[0] >= 512 and np.array_equal(tiled[:5, :7], pixels)


def test_the_real_degradation_is_seeded_shrinks_by_the_scale_and_takes_detail_away():
    rng = np.random.default_rng(0)
    photo = (np.indices((128, 128)).sum(axis=0) % 8 < 4).astype(np.uint8)[..., None].repeat(3, 2) * 200 + 20
    for scale in (1, 2, 4):
        first = data.real_degradation(photo, scale, np.random.default_rng([scale, 1]))
        again = data.real_degradation(photo, scale, np.random.default_rng([scale, 1]))
        assert first.shape == (128 // scale, 128 // scale, 3) and first.dtype == np.uint8
        assert np.array_equal(first, again)
    # blur and resizing take most of the stripes' contrast away, on average over draws
    drawn = [data.real_degradation(photo, 1, rng).astype(float) for _ in range(8)]
    assert np.mean([np.abs(np.diff(d, axis=1)).mean() for d in drawn]) < 0.5 * np.abs(np.diff(photo.astype(float), axis=1)).mean()


def test_each_setting_degrades_as_it_says():
    rng = np.random.default_rng(0)
    flat = np.full((64, 64, 3), 128, np.uint8)
    assert np.array_equal(data.degrade(flat, "sr4", rng, "clean"), data.bicubic_down(flat, 4))
    assert data.degrade(flat, "sr2", rng, "real").shape == (32, 32, 3)
    assert data.degrade(flat, "denoise", rng, "clean").astype(float).std() < 35   # Gaussian of sigma 0-55, no more
    with pytest.raises(ValueError, match="setting"):
        data.degrade(flat, "sr2", rng, "phone")


def test_sources_joined_by_a_plus_are_read_together(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        Image.new("RGB", (8, 8)).save(tmp_path / folder / f"{folder}.png")
    assert data.resolve_files(f"{tmp_path / 'a'}+{tmp_path / 'b'}") == [tmp_path / "a" / "a.png", tmp_path / "b" / "b.png"]


def test_a_txt_list_of_paths_resolves_and_names_a_missing_photo(tmp_path):
    Image.new("RGB", (8, 8)).save(tmp_path / "a.png")
    listing = tmp_path / "list.txt"
    listing.write_text(f"# a comment\n{tmp_path / 'a.png'}\n\n")
    assert data.resolve_files(str(listing)) == [tmp_path / "a.png"]
    listing.write_text(f"{tmp_path / 'a.png'}\n{tmp_path / 'gone.png'}\n")
    with pytest.raises(FileNotFoundError, match="gone.png"):
        data.resolve_files(str(listing))


@pytest.mark.parametrize("listing, count", [("select.txt", 8), ("follow.txt", 10)])
def test_the_checkpoint_selection_photos_are_training_photos_never_validation_ones(listing, count):
    lines = list(map(str, data.read_list(data.MANIFEST.parent / listing)))
    assert len(lines) == count
    assert set(map(str, data.manifest_files("train"))) >= set(lines)
    assert not set(map(str, data.manifest_files("val"))) & set(lines)


def test_relative_manifest_paths_resolve_against_the_repository_root_from_any_folder(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / "data" / "extracted").mkdir(parents=True)
    Image.new("RGB", (8, 8)).save(repo / "data" / "extracted" / "cat.jpg")
    manifest = repo / "data" / "photos.csv"
    manifest.write_text("path,package,license,split,kind,width,height,source,credit\n"
                        "data/extracted/cat.jpg,p,CC0-1.0,val,photo,8,8,/usr/share/x.rcc::/cat.webp,\"A, B\"\n"
                        f"{repo / 'data' / 'extracted' / 'cat.jpg'},p,CC0-1.0,train,photo,8,8,,\n")
    monkeypatch.setattr(data, "MANIFEST", manifest)
    monkeypatch.chdir(tmp_path)
    assert data.manifest_files("val") == [repo / "data" / "extracted" / "cat.jpg"]
    assert data.resolve_files("manifest:train") == [repo / "data" / "extracted" / "cat.jpg"]


def test_texture_tiles_are_gimp_patterns_or_files_in_a_textures_folder():
    assert data.is_texture_tile("/usr/share/gimp/2.0/patterns/Wood/wood5.pat")
    assert data.is_texture_tile("data/extracted/ufoai-textures/textures/tex_nature/bark.png")
    assert not data.is_texture_tile("data/extracted/gcompris-qt-data/erase/textures.jpg")


def test_the_manifest_holds_out_about_15_percent_of_the_extracted_photos_in_every_package():
    import csv
    with open(data.MANIFEST, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert all(row["license"] for row in rows)
    assert not any(row["kind"] == "texture" and row["split"] == "val" for row in rows)
    assert not any("aulaPalatina" in row["source"] for row in rows)
    extracted = [row for row in rows if row["source"] and row["kind"] == "photo"]
    for package in {row["package"] for row in extracted}:
        splits = [row["split"] for row in extracted if row["package"] == package]
        assert 1 <= splits.count("val") <= max(1, round(0.2 * len(splits))), package
    share = sum(row["split"] == "val" for row in extracted) / len(extracted)
    assert 0.12 <= share <= 0.18
