"""scripts/extract_photos.py: where files go, which are left out, and that extraction is done once."""
import importlib.util
import io
from pathlib import Path

from PIL import Image

from tests.photos.test_containers import make_rcc

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "extract_photos.py"
spec = importlib.util.spec_from_file_location("extract_photos", SCRIPT)
extract_photos = importlib.util.module_from_spec(spec)
spec.loader.exec_module(extract_photos)


def webp_bytes(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(out, "WEBP", quality=80)
    return out.getvalue()


def test_a_photo_in_a_qt_bundle_is_downscaled_once_and_then_skipped(tmp_path, monkeypatch):
    bundle = tmp_path / "erase.rcc"
    bundle.write_bytes(make_rcc({"bee.webp": (webp_bytes(1920, 1080), 0)}))
    monkeypatch.setattr(extract_photos, "ROOT", tmp_path)
    source = f"{bundle}::/res/bee.webp"
    path = extract_photos.output_path("gcompris-qt-data", source, lossless=False)
    assert path == "data/extracted/gcompris-qt-data/erase/bee.jpg"
    row = dict(path=path, package="gcompris-qt-data", source=source)
    assert extract_photos.extract(row) is True
    with Image.open(tmp_path / path) as image:
        assert (image.format, image.size) == ("JPEG", (1024, 576))
    assert extract_photos.extract(row) is False      # already there: nothing is read or written


def test_a_small_file_that_needs_no_change_is_copied_byte_for_byte(tmp_path, monkeypatch):
    original = io.BytesIO()
    Image.new("RGB", (64, 32), (10, 20, 30)).save(original, "JPEG")
    monkeypatch.setattr(extract_photos, "ROOT", tmp_path)
    row = dict(path="data/extracted/tuxpaint-data/rocks.jpg", package="tuxpaint-data",
               source="/usr/share/tuxpaint/templates/rocks.jpg")
    unpacked = tmp_path / "unpacked" / "usr" / "share" / "tuxpaint" / "templates"
    unpacked.mkdir(parents=True)
    (unpacked / "rocks.jpg").write_bytes(original.getvalue())
    assert extract_photos.extract(row, unpacked=tmp_path / "unpacked")  # not installed: read from the dpkg -x root
    assert (tmp_path / row["path"]).read_bytes() == original.getvalue()


def test_output_paths_name_the_package_and_the_photo():
    assert (extract_photos.output_path("plasma-workspace-wallpapers",
                                       "/usr/share/wallpapers/Kite/contents/images/2560x1600.jpg", False)
            == "data/extracted/plasma-workspace-wallpapers/Kite.jpg")
    assert (extract_photos.output_path("ufoai-textures",
                                       "/x/0textures.pk3::textures/tex_nature/bark.jpg", False)
            == "data/extracted/ufoai-textures/textures/tex_nature/bark.jpg")
    assert (extract_photos.output_path("blender-data", "/x/world/city.exr", True)
            == "data/extracted/blender-data/city.png")


def test_drawn_tiles_renders_and_normal_maps_are_left_out_with_a_reason():
    assert "sign" in extract_photos.dropped_reason("/x/0textures.pk3::textures/tex_mattn/sign003.png")
    assert "render" in extract_photos.dropped_reason("/usr/share/enlightenment/data/backgrounds/Dunes.edj")
    assert "normal" in extract_photos.dropped_reason("/x/0textures.pk3::textures/tex_nature/dirt_nm.png")
    assert extract_photos.dropped_reason("/x/0textures.pk3::textures/tex_nature/rock004.png") is None


def test_a_photo_framed_by_black_bars_is_cropped_to_its_box(tmp_path, monkeypatch):
    framed = Image.new("RGB", (100, 80), (0, 0, 0))
    framed.paste((90, 140, 60), (0, 10, 100, 70))
    framed.save(tmp_path / "bark.jpg", "JPEG", quality=95)
    monkeypatch.setattr(extract_photos, "ROOT", tmp_path)
    monkeypatch.setitem(extract_photos.CROPS, "bark.jpg", (0, 10, 100, 70))
    row = dict(path="data/extracted/t/bark.jpg", package="t", source=str(tmp_path / "bark.jpg"))
    extract_photos.extract(row)
    with Image.open(tmp_path / row["path"]) as image:
        assert image.size == (100, 60)
        assert min(image.convert("L").getextrema()) > 40   # no black row or column left
