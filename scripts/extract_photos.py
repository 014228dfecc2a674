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
Large photos are downscaled once (GCompris to 1024 px on the long side, the others to 2048 px): lossless
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
from gan_core import containers  # noqa: E402

MANIFEST = ROOT / "data" / "photos.csv"
OUT = Path("data") / "extracted"  # relative to ROOT, as written in the manifest
COLUMNS = ["path", "package", "license", "split", "kind", "width", "height", "source", "credit"]
MAX_SIDE = {"gcompris-qt-data": 1024}  # the GCompris photos are heavily compressed; the rest keep 2048 px
DEFAULT_MAX_SIDE = 2048
VAL_EVERY, VAL_OFFSET = 7, 3       # photo i (per package, sorted by source) is held out when i % 7 == 3

# Candidates left out after looking at them: name (end of the source path) -> reason.
DROPPED = {
    "aulaPalatina.webp": "no licence given in the bundle's README",
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


def is_lossless(source: str, unpacked: Path | None) -> bool:
    if source.endswith(".exr"):
        return True
    return read_source(source, unpacked)[1]


def build_manifest(photos_tsv: Path, textures_tsv: Path, unpacked: Path | None) -> list[dict]:
    """Manifest rows for every kept candidate, extracted, with sizes; the in-place rows stay as they are."""
    kept_rows = [row for row in read_manifest() if not row["source"]]
    new_rows = []
    for kind, tsv in (("photo", photos_tsv), ("texture", textures_tsv)):
        candidates = [c for c in read_candidates(tsv) if Path(c["source"].split("::")[-1]).name not in DROPPED]
        if kind == "texture":
            candidates = [c for c in candidates if not any(tag in c["source"] for tag in NOT_TEXTURES)]
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
