"""Inpaint a folder of photos with a folder of masks (what IOPaint users run as `iopaint run`).

    python -m gan_core.inpainting.batch --images photos/ --masks masks/ --out filled/ [--grow 4] [--weights NAME] \
        [--adapt 40 --seed 0]

Masks are matched to photos by file name without extension (holiday.jpg <- holiday.png); a mask may also
be named NAME_mask.*. Results are lossless PNGs named after the photo, in the photo's own mode (TIFF for
CMYK, YCbCr, HSV and 32-bit float photos, which PNG cannot hold). A file that cannot be processed is
reported with the reason and skipped; the rest go on. The exit code is 1 if any file failed.

--adapt N lets the generator learn each photo for N steps before it fills it (gan_core.inpainting.adapt; a
copy per photo, so one photo never teaches another); --seed seeds it, so a rerun gives the same files.
"""
import argparse
import sys
from pathlib import Path

from PIL import Image, ImageOps
from tqdm import tqdm

from gan_core.photos.data import list_images
from gan_core.inpainting.fill import inpaint


def match_masks(images: list[Path], masks: list[Path]) -> dict[Path, Path | None]:
    """Each photo's mask, matched by stem (or stem + '_mask'); None where there is none."""
    by_stem = {}
    for mask in masks:
        by_stem[mask.stem] = mask
        if mask.stem.endswith("_mask"):
            by_stem.setdefault(mask.stem[: -len("_mask")], mask)
    return {image: by_stem.get(image.stem) for image in images}


def run(images_dir: str, masks_dir: str, out_dir: str, grow: int = 0, weights: str | None = None,
        progress: bool = True, adapt: int = 0, seed: int = 0) -> dict[str, str]:
    """Process every photo (adapting to each for `adapt` steps, seeded by `seed`); return {file name: "ok" or
    the reason it failed}."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pairs = match_masks(list_images(images_dir), list_images(masks_dir))
    report = {}
    bar = tqdm(pairs.items(), desc="inpainting", unit="photo", disable=not progress)
    for image_path, mask_path in bar:
        bar.set_postfix_str(image_path.name)
        if mask_path is None:
            report[image_path.name] = f"no mask named {image_path.stem}.* or {image_path.stem}_mask.* in {masks_dir}"
        else:
            try:
                with Image.open(image_path) as image, Image.open(mask_path) as mask:
                    filled = inpaint(ImageOps.exif_transpose(image), mask, weights=weights, grow=grow,
                                     adapt=adapt, seed=seed)
                suffix = ".tif" if filled.mode in ("CMYK", "YCbCr", "HSV", "F") else ".png"
                filled.save(out / f"{image_path.stem}{suffix}")
                report[image_path.name] = "ok"
            except (OSError, ValueError) as error:  # unreadable file, wrong size, empty mask...
                report[image_path.name] = str(error)
        if report[image_path.name] != "ok":
            tqdm.write(f"skipped {image_path.name}: {report[image_path.name]}", file=sys.stderr)
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", required=True, help="folder of photos")
    parser.add_argument("--masks", required=True, help="folder of masks (white = fill)")
    parser.add_argument("--out", required=True, help="folder for the filled PNGs")
    parser.add_argument("--grow", type=int, default=0, help="grow each mask by this many pixels")
    parser.add_argument("--weights", default=None, help="inpainting weights name or path (default: shipped)")
    parser.add_argument("--adapt", type=int, default=0,
                        help="steps the generator learns each photo for before filling it (0: off)")
    parser.add_argument("--seed", type=int, default=0, help="seeds the adaptation: the same seed, the same fills")
    args = parser.parse_args(argv)
    if args.adapt < 0:
        parser.error("--adapt takes a number of steps >= 0")
    report = run(args.images, args.masks, args.out, args.grow, args.weights, adapt=args.adapt, seed=args.seed)
    failed = sum(status != "ok" for status in report.values())
    print(f"{len(report) - failed} filled, {failed} skipped; results in {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
