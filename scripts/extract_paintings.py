"""Reassemble GCompris' 23 puzzle paintings into data/extracted/paintings/ and list them in data/paintings.csv.

    python3 scripts/extract_paintings.py            # write the missing PNGs (skips existing ones) and the manifest
    python3 scripts/extract_paintings.py --force    # rewrite every PNG

The paintings come from gcompris-qt-data (/usr/share/gcompris-qt/rcc/paintings.rcc, installed by
scripts/get_data.sh); gan_core.photos.paintings reads the bundle and puts the jigsaw pieces together. The scans are
from Nicolas Pioch's WebMuseum, released by GCompris under GPL-3.0-or-later (the paintings themselves are in
the public domain). VALIDATION names the paintings held out for validation: four of 23, one of each kind of
painting the training set has (a Japanese woodblock print, an impressionist crowd scene, a post-impressionist
landscape, a Flemish old master).
"""
import argparse
import csv
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from gan_core.photos import paintings  # noqa: E402

MANIFEST = ROOT / "data" / "paintings.csv"
OUT = Path("data") / "extracted" / "paintings"  # relative to ROOT, as written in the manifest
COLUMNS = ["path", "title", "painter", "year", "licence", "split", "pieces", "width", "height"]
LICENCE = "GPL-3.0-or-later (WebMuseum scan; the painting is in the public domain)"
VALIDATION = {"EjiriSuruga", "renoir-filles_piano", "gogh_auvert", "PieterBruegel"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bundle", default=paintings.PAINTINGS_RCC, help="the paintings.rcc to read")
    parser.add_argument("--force", action="store_true", help="rewrite PNGs that already exist")
    args = parser.parse_args()
    if not Path(args.bundle).is_file():
        sys.exit(f"{args.bundle} not found: install gcompris-qt-data (bash scripts/get_data.sh)")
    (ROOT / OUT).mkdir(parents=True, exist_ok=True)
    rows = []
    for painting in paintings.read_paintings(args.bundle):
        path = OUT / f"{painting.name}.png"
        if args.force or not (ROOT / path).exists():
            Image.fromarray(painting.image).save(ROOT / path)
        height, width = painting.image.shape[:2]
        rows.append({"path": str(path), "title": painting.title, "painter": painting.painter,
                     "year": painting.year, "licence": LICENCE,
                     "split": "val" if painting.name in VALIDATION else "train",
                     "pieces": painting.pieces, "width": width, "height": height})
        print(f"{path}  {width}x{height}  {painting.pieces:2d} pieces  {rows[-1]['split']:5s}  "
              f"{painting.painter}, {painting.title}")
    with open(MANIFEST, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} paintings ({sum(r['split'] == 'val' for r in rows)} held out) -> {MANIFEST.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
