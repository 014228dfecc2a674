"""Extract the photographs that Debian packages keep inside containers into data/extracted/ (not in git).

    python3 scripts/extract_photos.py                 # extract every manifest row with a `source`; skip existing
    python3 scripts/extract_photos.py --unpacked DIR  # also look for sources below DIR (a `dpkg -x` root)
    python3 scripts/extract_photos.py --build-manifest photos.tsv textures.tsv
                                                      # (re)write the extracted rows of data/photos.csv

data/photos.csv is the one list: a row whose `source` column is set names where its file comes from,
    /usr/share/gcompris-qt/rcc/erase.rcc::/gcompris/.../bee.webp     a file inside a Qt resource bundle
    /usr/share/enlightenment/data/backgrounds/Bamboo.edj              the largest JPEG inside an Eet file
    /usr/share/games/ufoai/base/0textures.pk3::textures/.../x.png     a member of a zip
    /usr/share/blender/datafiles/studiolights/world/city.exr          an HDR panorama, tone-mapped, middle band
    /usr/share/lxqt/wallpapers/fog.jpg                                a plain file
and its `path` (data/extracted/..., relative to the repository root) is where the extracted image goes.
Black frames around two photos are cut off (CROPS). Large photos are downscaled once (GCompris to 1024 px on the long side, the others to 2048 px): lossless
sources are written as PNG, lossy ones as JPEG quality 95 without chroma subsampling, and files that need
no change are copied byte for byte. Existing files are skipped, so a second run does nothing.

--build-manifest turns the two lists of candidates (tab-separated: package, version, path, WxH, licence,
credit) into manifest rows: it leaves out the files in DROPPED below (looked at on contact sheets), holds
out every 7th photo per package (sorted by path) for validation, extracts, and records the pixel sizes.
The rows that have no `source` (photos read in place from /usr/share) are kept exactly as they are.
"""
import argparse
import csv
import io
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from gan_core.photos import containers  # noqa: E402

MANIFEST = ROOT / "data" / "photos.csv"
OUT = Path("data") / "extracted"  # relative to ROOT, as written in the manifest
COLUMNS = ["path", "package", "license", "split", "kind", "width", "height", "source", "credit"]
MAX_SIDE = {"gcompris-qt-data": 1024}  # the GCompris photos are heavily compressed; the rest keep 2048 px
DEFAULT_MAX_SIDE = 2048
VAL_EVERY, VAL_OFFSET = 7, 3       # photo i (per package, sorted by source) is held out when i % 7 == 3

# Candidates left out after looking at them on contact sheets: end of the source path -> reason.
DROPPED = {
    "aulaPalatina.webp": "no licence given in the bundle's README",
    "Dunes.edj": "render, not a photograph",
    "Flat-Fan.edj": "render, not a photograph",
    "Sunset-Hills.edj": "render, not a photograph",
    "Paper-Flower.edj": "render, not a photograph",
    "Squiggle.edj": "render, not a photograph",
    "Squiggle-Dark.edj": "render, not a photograph",
    "Squiggle-Light.edj": "render, not a photograph",
    "Squiggle-Mid.edj": "render, not a photograph",
    # UFO:AI tiles (under textures/ in 0textures.pk3) that are drawn, rendered or edited, not photographs
    "tex_buildings/9basetrim01.jpg": "sci-fi wall panel, rendered",
    "tex_buildings/9darktrim02b.jpg": "sci-fi wall panel, rendered",
    "tex_buildings/9gratefloor01b.jpg": "sci-fi wall panel, rendered",
    "tex_buildings/9screen01.jpg": "sci-fi wall panel, rendered",
    "tex_buildings/9techwall01.jpg": "sci-fi wall panel, rendered",
    "tex_buildings/9techwall03b.jpg": "sci-fi wall panel, rendered",
    "tex_buildings/9techwall05b.jpg": "sci-fi wall panel, rendered",
    "tex_buildings/9techwall06.jpg": "sci-fi wall panel, rendered",
    "tex_buildings/9techwall07.jpg": "sci-fi wall panel, rendered",
    "tex_buildings/carpet022.png": "rug on a flat drawn background",
    "tex_buildings/ceiling.jpg": "sci-fi wall panel, rendered",
    "tex_buildings/con_trim.png": "stripe or trim band",
    "tex_buildings/concrete012.png": "panels with drawn joints",
    "tex_buildings/concrete013.png": "panels with drawn joints",
    "tex_buildings/concrete019.png": "stripe or trim band",
    "tex_buildings/concrete021.png": "stripe or trim band",
    "tex_buildings/concrete_slabs01.png": "panels with drawn joints",
    "tex_buildings/concrete_slabs02.png": "panels with drawn joints",
    "tex_buildings/floor008.png": "panels with drawn joints",
    "tex_buildings/floor035.png": "composited or drawn pattern",
    "tex_buildings/floor037.png": "composited or drawn pattern",
    "tex_buildings/floor039.png": "composited or drawn pattern",
    "tex_buildings/japdoor001.png": "door, window or furniture drawn flat",
    "tex_buildings/japdoor002.png": "door, window or furniture drawn flat",
    "tex_buildings/japdoor003.png": "door, window or furniture drawn flat",
    "tex_buildings/japwall001.jpg": "door, window or furniture drawn flat",
    "tex_buildings/metal01.png": "panels with drawn joints",
    "tex_buildings/metal02.png": "composited or drawn pattern",
    "tex_buildings/metal_window.png": "stripe or trim band",
    "tex_buildings/pipe_tall.png": "stripe or trim band",
    "tex_buildings/plat.png": "stripe or trim band",
    "tex_buildings/platside.png": "stripe or trim band",
    "tex_buildings/platstep1.png": "stripe or trim band",
    "tex_buildings/platstep2.png": "stripe or trim band",
    "tex_buildings/q1metal7_99.jpg": "door, window or furniture drawn flat",
    "tex_buildings/q1metal7_99_broke.jpg": "door, window or furniture drawn flat",
    "tex_buildings/roof004.png": "door, window or furniture drawn flat",
    "tex_buildings/roof006.png": "stripe or trim band",
    "tex_buildings/roof007.png": "stripe or trim band",
    "tex_buildings/rustpipes.jpg": "panels with drawn joints",
    "tex_buildings/sfloor1_2.jpg": "panels with drawn joints",
    "tex_buildings/solar.jpg": "panels with drawn joints",
    "tex_buildings/tin_floor04ach.jpg": "composited or drawn pattern",
    "tex_buildings/wall012.png": "composited or drawn pattern",
    "tex_buildings/wall014.png": "composited or drawn pattern",
    "tex_buildings/wall023.png": "composited or drawn pattern",
    "tex_buildings/wall024.png": "composited or drawn pattern",
    "tex_buildings/wall025.png": "composited or drawn pattern",
    "tex_buildings/wall_ind01.png": "panels with drawn joints",
    "tex_buildings/wall_ind01_cons.png": "panels with drawn joints",
    "tex_buildings/wall_ind01_flat.png": "panels with drawn joints",
    "tex_buildings/wall_ind01_pil.png": "panels with drawn joints",
    "tex_buildings/wall_ind02.png": "panels with drawn joints",
    "tex_buildings/wall_ind03.png": "panels with drawn joints",
    "tex_buildings/wall_wood_001.jpg": "panels with drawn joints",
    "tex_buildings/window012.png": "door, window or furniture drawn flat",
    "tex_buildings/window013.png": "door, window or furniture drawn flat",
    "tex_buildings/window014.png": "door, window or furniture drawn flat",
    "tex_buildings/window021.jpg": "door, window or furniture drawn flat",
    "tex_buildings/woodceiling1b.jpg": "door, window or furniture drawn flat",
    "tex_buildings/woodceiling1bdark.jpg": "door, window or furniture drawn flat",
    "tex_furniture/chest006.png": "door, window or furniture drawn flat",
    "tex_furniture/chest006_2.png": "door, window or furniture drawn flat",
    "tex_furniture/kitchen002.png": "panels with drawn joints",
    "tex_furniture/kitchen003.png": "panels with drawn joints",
    "tex_furniture/wardrobe_door.png": "door, window or furniture drawn flat",
    "tex_material/metall010.png": "stripe or trim band",
    "tex_material/metall021.png": "composited or drawn pattern",
    "tex_mattn/art001.jpg": "painting or drawing",
    "tex_mattn/art003.png": "painting or drawing",
    "tex_mattn/art004.png": "painting or drawing",
    "tex_mattn/art005.png": "over-exposed, no texture",
    "tex_mattn/automat.jpg": "cut-out on a flat background",
    "tex_mattn/bar1.png": "sign or lettering",
    "tex_mattn/bar2.png": "sign or lettering",
    "tex_mattn/bar3.png": "sign or lettering",
    "tex_mattn/bar4.png": "sign or lettering",
    "tex_mattn/cornice.png": "strip too thin to crop",
    "tex_mattn/door033.jpg": "door, window or furniture drawn flat",
    "tex_mattn/door058.jpg": "door, window or furniture drawn flat",
    "tex_mattn/egypt001.png": "composited or drawn pattern",
    "tex_mattn/egypt002.png": "composited or drawn pattern",
    "tex_mattn/plate.jpg": "stripe or trim band",
    "tex_mattn/railway.jpg": "door, window or furniture drawn flat",
    "tex_mattn/roof008.jpg": "composited or drawn pattern",
    "tex_mattn/sign003.png": "sign or lettering",
    "tex_mattn/sign004.png": "sign or lettering",
    "tex_mattn/sign005.png": "sign or lettering",
    "tex_mattn/sign006.png": "sign or lettering",
    "tex_mattn/sign007.png": "sign or lettering",
    "tex_mattn/sign008.png": "sign or lettering",
    "tex_mattn/sign009.png": "sign or lettering",
    "tex_mattn/sign010.png": "sign or lettering",
    "tex_mattn/sign011.png": "sign or lettering",
    "tex_mattn/sign012.png": "sign or lettering",
    "tex_mattn/sign013.png": "sign or lettering",
    "tex_mattn/sign_bg001.png": "sign or lettering",
    "tex_mattn/sign_bg002.png": "sign or lettering",
    "tex_mattn/subway_berlin.jpg": "painting or drawing",
    "tex_mattn/tech001.png": "painting or drawing",
    "tex_mattn/tire2.png": "cut-out on a flat background",
    "tex_mattn/wall021.jpg": "edited: flat black windows",
    "tex_mattn/wall022.jpg": "edited: flat black windows",
    "tex_mattn/wall024.jpg": "edited: flat black windows",
    "tex_mattn/wall025.jpg": "edited: flat black windows",
    "tex_mattn/wall026.jpg": "edited: flat black windows",
    "tex_mattn/wall033.jpg": "panels with drawn joints",
    "tex_mattn/wall034.jpg": "panels with drawn joints",
    "tex_mattn/wall060.jpg": "composited or drawn pattern",
    "tex_mattn/wall087.png": "stripe or trim band",
    "tex_mattn/window13.png": "composited or drawn pattern",
    "tex_mattn/wood009.jpg": "panels with drawn joints",
    "tex_mattn/wood010.jpg": "panels with drawn joints",
    "tex_nature/desert009.png": "composited or drawn pattern",
    "tex_nature/dirt_se04.png": "painted tyre tracks",
    "tex_nature/dirt_se05.png": "painted tyre tracks",
    "tex_nature/dirt_se10.png": "painted tyre tracks",
    "tex_nature/dirt_se11.png": "painted tyre tracks",
    "tex_nature/dirt_se12.png": "painted tyre tracks",
    "tex_nature/dirt_se13.png": "painted tyre tracks",
    "tex_nature/grass_mowed_dry_a_k1.jpg": "composited or drawn pattern",
    "tex_nature/leaves3.png": "cut-out on a flat background",
    "tex_nature/pjrock16.png": "composited or drawn pattern",
    "tex_nature/pjrock6.png": "composited or drawn pattern",
    "tex_nature/potatoes.png": "composited or drawn pattern",
    "tex_nature/rockyground01.png": "composited or drawn pattern",
    "tex_nature/rockyground02.png": "composited or drawn pattern",
}
# Photos kept but framed by black bars: end of the source path -> the box (left, top, right, bottom) to keep.
CROPS = {
    "georgeWashingtonBirthplace.webp": (0, 0, 992, 668),   # black frame with a shadow, right and bottom
    "mossy_bark.jpg": (0, 28, 640, 452),                     # letterbox bars, top and bottom
}
NOT_TEXTURES = ("_nm.", "_gm.", "_sm.", "_bump.", "_spec.")  # normal / gloss / specular / bump maps


# ----------------------------------------------------------------------------------------------------
# Extraction


def read_source(source: str, unpacked: Path | None) -> tuple[bytes | Image.Image, bool]:
    """The image a `source` names: (encoded bytes or a decoded image, whether it is stored lossless)."""
    container, _, member = source.partition("::")
    path = Path(container)
    if not path.exists() and unpacked is not None:
        path = unpacked / container.lstrip("/")
    if not path.exists():
        raise FileNotFoundError(f"{container} is missing: install its package (bash scripts/get_data.sh)")
    if path.suffix == ".rcc":
        data = containers.QtResources(path).read(member)
    elif path.suffix == ".edj":
        data = containers.largest_jpeg(path)
    elif path.suffix == ".pk3":
        data = containers.read_zip(path, member)
    elif path.suffix == ".exr":
        rgb = containers.tone_map(containers.read_exr_rgb(path))
        return Image.fromarray(containers.middle_band(rgb)), True
    else:
        data = path.read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        lossless = image.format in ("PNG", "TIFF", "BMP") or (image.format == "WEBP" and image.info.get("lossless"))
    return data, bool(lossless)


def extract(row: dict, unpacked: Path | None = None) -> bool:
    """Write one row's image to its path. Returns False if it was there already."""
    target = ROOT / row["path"]
    if target.exists():
        return False
    data, lossless = read_source(row["source"], unpacked)
    image = data if isinstance(data, Image.Image) else Image.open(io.BytesIO(data))
    crop = next((box for name, box in CROPS.items() if row["source"].endswith("/" + name)), None)
    if crop is not None:
        image, data = image.crop(crop), None              # re-encoded below, never copied as is
    max_side = MAX_SIDE.get(row["package"], DEFAULT_MAX_SIDE)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".part")
    same_format = image.format == {".jpg": "JPEG", ".png": "PNG"}.get(target.suffix)
    if isinstance(data, bytes) and same_format and max(image.size) <= max_side:
        temporary.write_bytes(data)                       # nothing to change: keep the original bytes
    else:
        image = image.convert("RGB")
        if max(image.size) > max_side:
            scale = max_side / max(image.size)
            size = (round(image.width * scale), round(image.height * scale))
            image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=None)
        if target.suffix == ".png":
            image.save(temporary, "PNG", optimize=False, compress_level=6)
        else:
            image.save(temporary, "JPEG", quality=95, subsampling=0)
    temporary.rename(target)  # never leave a half-written file under the final name
    return True


def output_path(package: str, source: str, lossless: bool) -> str:
    """Where a source's image goes, e.g. data/extracted/gcompris-qt-data/erase/bee.jpg."""
    container, _, member = source.partition("::")
    container = Path(container)
    suffix = ".png" if lossless else ".jpg"
    if container.suffix == ".rcc":
        name = Path(container.stem) / Path(member).name
    elif container.suffix == ".pk3":
        name = Path(member)                                 # textures/tex_nature/x.png: keeps its folder
    elif container.parts[-3:-1] == ("contents", "images"):  # plasma: /usr/share/wallpapers/NAME/contents/images/
        name = Path(container.parts[-4] + container.suffix)
    else:
        name = Path(container.name)
    if container.suffix == ".pk3" and name.suffix in (".png", ".jpg"):
        suffix = name.suffix                                # tiles are copied as they are
    return str(OUT / package / name.with_suffix(suffix))


# ----------------------------------------------------------------------------------------------------
# The manifest


def read_manifest(path: Path = MANIFEST) -> list[dict]:
    with open(path, newline="") as handle:
        return [{column: row.get(column) or "" for column in COLUMNS} for row in csv.DictReader(handle)]


def write_manifest(rows: list[dict], path: Path = MANIFEST) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def read_candidates(tsv: Path) -> list[dict]:
    """Rows of a candidates list: package, version, path (container::member), WxH, licence[, credit]."""
    rows = []
    for line in tsv.read_text().splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) < 5:
            continue
        source = fields[2].replace("::largest embedded JPEG", "")
        license = fields[4].split(" (")[0]               # "LGPL-2.1+ (Debian Files: *)" -> "LGPL-2.1+"
        license = "public-domain" if license.lower() == "public-domain" else license
        rows.append(dict(package=fields[0], source=source, license=license,
                         credit=fields[5] if len(fields) > 5 else ""))
    return rows


def dropped_reason(source: str) -> str | None:
    """Why a candidate is left out (see DROPPED), or None if it is kept."""
    for name, reason in DROPPED.items():
        if source.endswith("/" + name):
            return reason
    if any(tag in source for tag in NOT_TEXTURES):
        return "normal, gloss, specular or bump map"
    return None


def is_lossless(source: str, unpacked: Path | None) -> bool:
    if source.endswith(".exr"):
        return True
    return read_source(source, unpacked)[1]


def build_manifest(photos_tsv: Path, textures_tsv: Path, unpacked: Path | None) -> list[dict]:
    """Manifest rows for every kept candidate, extracted, with sizes; the in-place rows stay as they are."""
    kept_rows = [row for row in read_manifest() if not row["source"]]
    new_rows = []
    for kind, tsv in (("photo", photos_tsv), ("texture", textures_tsv)):
        candidates = [c for c in read_candidates(tsv) if dropped_reason(c["source"]) is None]
        by_package: dict[str, list[dict]] = {}
        for candidate in sorted(candidates, key=lambda c: c["source"]):
            by_package.setdefault(candidate["package"], []).append(candidate)
        for package, group in by_package.items():
            for index, candidate in enumerate(group):
                held_out = kind == "photo" and index % VAL_EVERY == VAL_OFFSET
                path = output_path(package, candidate["source"], is_lossless(candidate["source"], unpacked))
                new_rows.append(dict(path=path, package=package, license=candidate["license"],
                                     split="val" if held_out else "train", kind=kind,
                                     source=candidate["source"], credit=candidate["credit"]))
    for row in new_rows:
        extract(row, unpacked)
        with Image.open(ROOT / row["path"]) as image:
            row["width"], row["height"] = image.size
    return kept_rows + new_rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--unpacked", type=Path, default=None,
                        help="a `dpkg -x` root to look in for sources that are not installed (tuxpaint-data)")
    parser.add_argument("--build-manifest", nargs=2, type=Path, metavar=("PHOTOS_TSV", "TEXTURES_TSV"),
                        help="rewrite the extracted rows of data/photos.csv from two candidate lists")
    args = parser.parse_args()
    if args.build_manifest:
        rows = build_manifest(*args.build_manifest, args.unpacked)
        write_manifest(rows)
        listed = {ROOT / row["path"] for row in rows}
        stale = [f for f in (ROOT / OUT).rglob("*") if f.is_file() and f not in listed]
        for file in stale:  # files of candidates that have been dropped since they were extracted
            file.unlink()
        print(f"[extract] removed {len(stale)} files that are no longer listed")
        print(f"[extract] wrote {len(rows)} rows to {MANIFEST.relative_to(ROOT)}")
        return
    rows = [row for row in read_manifest() if row["source"]]
    written = 0
    for row in rows:
        try:
            written += extract(row, args.unpacked)
        except (FileNotFoundError, ValueError) as error:
            raise SystemExit(f"[extract] ERROR: {row['path']}: {error}") from error
    print(f"[extract] {written} files written, {len(rows) - written} already there, in {OUT}/")


if __name__ == "__main__":
    main()
