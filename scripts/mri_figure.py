"""The README's picture of medical reconstruction: MRI at 4x and 8x, sparse-view CT at 60 and 30 views.

    python scripts/mri_figure.py --mri-weights weights/mri-recon.safetensors \\
        --mri-weights weights/mri-unrolled.safetensors --ct-weights weights/ct-recon.safetensors   # docs/medical.jpg
    python scripts/mri_figure.py --acceleration 6 --views 45 --scale 2 --out /tmp/medical.jpg

Two slices, those of the evaluations (gan_core.eval.mri, gan_core.eval.ct): the middle of colin27's
validation slab ("in-source") and the middle of every 4th slice of the macaque scan no generalising model
trains on ("held-out source"); --in-source / --held-out pick others by their index in those lists.
MRI rows: each slice at each --acceleration, with the masked k-space gan_core.eval.mri.measure gives it (one
seeded column mask per slice index and acceleration); columns: the mask (white: measured columns),
zero-filled, L1-wavelet CS (the weight tuned in docs/mri-val.json, else 1e-3), TV CS, each --mri-weights model
(labelled by its file's stem), the original, and the last model's absolute error x5. CT rows: the slices made
square as gan_core.eval.ct does, at each --views; columns: FBP, SART-TV, each --ct-weights model, the original,
the error x5 of the last model (of SART-TV when there is none). Without --mri-weights / --ct-weights, the
evaluations' defaults where present. Panels at 100% (--scale: nearest-neighbour enlargement), labelled with
PSNR / SSIM on the [0, 1] scale, which are also printed as a markdown table.
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from gan_core.eval import ct as eval_ct, mri as eval_mri  # noqa: E402
from gan_core.mri import ct  # noqa: E402
from gan_core.mri.classical import l1_wavelet, psnr01, sart_tv, ssim01, tv_cs  # noqa: E402
from gan_core.mri.recon import ACCELERATIONS, mri_reconstruct, zero_filled  # noqa: E402

ERROR_GAIN = 5
FALLBACK_LAMBDA = 1e-3
STRIP, GAP, PAD = 40, 4, 6   # px: the two text lines above a panel, between panels, text margin
FONT = ImageFont.load_default(size=14)
HEADING = ImageFont.load_default(size=17)


def l1_lambda(acceleration: int, record: Path = ROOT / "docs" / "mri-val.json") -> float:
    """The L1-wavelet weight gan_core.eval.mri tuned on training slices (its record), else FALLBACK_LAMBDA."""
    try:
        return float(json.loads(record.read_text())["accelerations"][f"{acceleration}x"]["l1-wavelet"]["lamda"])
    except (OSError, KeyError, ValueError):
        return FALLBACK_LAMBDA


def evaluation_kspace(items: list, index: int, acceleration: int) -> tuple[np.ndarray, np.ndarray]:
    """The masked k-space and the mask that gan_core.eval.mri.measure gives slice `index` of a split, taken
    from measure itself (it seeds the mask by slice index and acceleration), so the two cannot drift apart."""
    seen = []

    def capture(kspace, mask):
        seen.append((kspace, mask))
        return np.zeros(mask.shape, np.float32)

    eval_mri.measure({"capture": capture}, items[:index + 1], acceleration)
    return seen[index]


def scored(original: np.ndarray, results: dict, learned: list) -> tuple[list, dict]:
    """Panels (image, title, numbers) for the results, the original and an error map; {method: (psnr, ssim)}."""
    scores = {name: (psnr01(original, result), ssim01(original, result)) for name, result in results.items()}
    panels = [(result, name, "PSNR {:.2f}  SSIM {:.3f}".format(*scores[name])) for name, result in results.items()]
    panels.append((original, "original", f"{original.shape[1]}x{original.shape[0]}"))
    last = learned[-1] if learned else list(results)[-1]
    error = np.abs(np.clip(results[last], 0, 1) - original)
    panels.append((error * ERROR_GAIN, f"error x{ERROR_GAIN}: {last}", f"mean |error| {error.mean():.4f}"))
    return panels, scores


def mri_row(items: list, index: int, acceleration: int, weights: list) -> tuple[list, dict]:
    kspace, mask = evaluation_kspace(items, index, acceleration)
    results = {"zero-filled": zero_filled(kspace), "L1-wavelet CS": l1_wavelet(kspace, mask, l1_lambda(acceleration)),
               "TV CS": tv_cs(kspace, mask)}
    results.update({Path(path).stem: mri_reconstruct(kspace, mask, weights=path) for path in weights})
    panels, scores = scored(items[index].image, results, [Path(path).stem for path in weights])
    mask_panel = (mask.astype(np.float32), f"{acceleration}x mask", f"{mask[0].sum()} of {mask.shape[1]} columns")
    return [mask_panel] + panels, scores


def ct_row(item, views: int, weights: list) -> tuple[list, dict]:
    image = eval_ct.ct_slices([item])[0]
    angles = ct.angles_for(views)
    sinogram = ct.sinogram_of(image, angles)
    results = {"FBP": ct.fbp(sinogram, angles), "SART-TV": sart_tv(sinogram, angles)}
    results.update({Path(path).stem: ct.ct_reconstruct(sinogram, angles, weights=path) for path in weights})
    return scored(image, results, [Path(path).stem for path in weights])


def caveat(split: str, weights: list, saw: set) -> list[str]:
    """A held-out-source row's warning: the models among these that trained on the macaque scan."""
    names = [Path(path).stem for path in weights if Path(path).stem in saw]
    return [f"not held out for {', '.join(names)}"] if split == eval_mri.HELD_OUT and names else []


def render(groups: list, scale: int) -> Image.Image:
    """groups: [(heading, [(label lines, panels)])] -> one sheet; every panel cell of the same width."""
    panels = [panel for _, rows in groups for _, row in rows for panel in row]
    cell = max(max(image.shape[1] * scale for image, _, _ in panels),
               max(FONT.getlength(text) for _, title, numbers in panels for text in (title, numbers)) + 2 * PAD)
    cell = int(np.ceil(cell))
    label = int(max(FONT.getlength(line) for _, rows in groups for lines, _ in rows for line in lines)) + 2 * PAD
    heights = [[STRIP + max(image.shape[0] for image, _, _ in row) * scale for _, row in rows] for _, rows in groups]
    width = label + max(len(row) for _, rows in groups for _, row in rows) * (cell + GAP)
    sheet = Image.new("RGB", (width, sum(30 + sum(h) + GAP * len(h) for h in heights)), "white")
    draw, y = ImageDraw.Draw(sheet), 0
    for (heading, rows), row_heights in zip(groups, heights):
        draw.text((PAD, y + 5), heading, fill="black", font=HEADING)
        y += 30
        for (lines, row), height in zip(rows, row_heights):
            for i, line in enumerate(lines):
                draw.text((PAD, y + STRIP + 18 * i), line, fill="black", font=FONT)
            for column, (image, title, numbers) in enumerate(row):
                x = label + column * (cell + GAP)
                pixels = Image.fromarray((np.clip(image, 0, 1) * 255).round().astype(np.uint8))
                pixels = pixels.resize((pixels.width * scale, pixels.height * scale), Image.NEAREST)
                left = x + (cell - pixels.width) // 2
                sheet.paste(pixels.convert("RGB"), (left, y + STRIP))
                draw.rectangle((left - 1, y + STRIP - 1, left + pixels.width, y + STRIP + pixels.height),
                               outline=(150, 150, 150))   # the white of a mask meets the white page
                draw.text((x + PAD, y + 2), title, fill="black", font=FONT)
                draw.text((x + PAD, y + 2 + STRIP // 2), numbers, fill=(70, 70, 70), font=FONT)
            y += height + GAP
    return sheet


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--acceleration", type=int, action="append", help="MRI undersampling (repeatable; default 4, 8)")
    parser.add_argument("--views", type=int, action="append", help="CT views (repeatable; default 60, 30)")
    parser.add_argument("--mri-weights", action="append", help="a learned MRI model (repeatable)")
    parser.add_argument("--ct-weights", action="append", help="a learned CT model (repeatable)")
    parser.add_argument("--in-source", type=int, help="index among colin27's validation slices (default: middle)")
    parser.add_argument("--held-out", type=int, help="index among the macaque's slices (default: middle)")
    parser.add_argument("--scale", type=int, default=1, help="nearest-neighbour enlargement of each panel")
    parser.add_argument("--out", default=str(ROOT / "docs" / "medical.jpg"))
    args = parser.parse_args(argv)
    mri_weights = args.mri_weights if args.mri_weights is not None else eval_mri.default_weights()
    ct_weights = args.ct_weights if args.ct_weights is not None else [p for p in [ct.DEFAULT_WEIGHTS] if p.exists()]
    for path in [*mri_weights, *ct_weights]:
        if not Path(path).exists():
            parser.error(f"{path} does not exist")
    saw = {Path(path).stem for path in [*mri_weights, *ct_weights] if eval_mri.trained_on_held_out_source(Path(path))}
    for name in sorted(saw):
        print(f"note: {name} trained on the macaque scan too: its held-out-source panels are not held out")
    splits = eval_mri.validation_splits()
    chosen = {eval_mri.IN_SOURCE: args.in_source, eval_mri.HELD_OUT: args.held_out}
    picks = {split: (items, len(items) // 2 if chosen[split] is None else chosen[split])
             for split, items in splits.items()}
    for split, (items, index) in picks.items():
        if not 0 <= index < len(items):
            parser.error(f"the {split} split has slices 0 to {len(items) - 1}, not {index}")
    accelerations, views_list = args.acceleration or list(ACCELERATIONS), args.views or list(ct.VIEWS)
    table, mri_rows, ct_rows = [], [], []
    for split, (items, index) in picks.items():
        item = items[index]
        where = [split, f"{item.brain} ({item.scan})", f"slice {index}, z = {item.z_mm:g} mm"]
        for acceleration in accelerations:
            row, scores = mri_row(items, index, acceleration, mri_weights)
            mri_rows.append((where + [f"{acceleration}x"] + caveat(split, mri_weights, saw), row))
            table += [("MRI", f"{split} {index}", f"{acceleration}x", name, *numbers) for name, numbers in scores.items()]
        for views in views_list:
            row, scores = ct_row(item, views, ct_weights)
            ct_rows.append((where + [f"{views} views"] + caveat(split, ct_weights, saw), row))
            table += [("CT", f"{split} {index}", f"{views} views", name, *numbers) for name, numbers in scores.items()]
    sheet = render([("MRI: k-space undersampled by random Cartesian columns (PSNR dB, SSIM)", mri_rows),
                    ("CT: sparse-view sinograms (PSNR dB, SSIM)", ct_rows)], args.scale)
    print("| modality | slice | setting | method | PSNR dB | SSIM |\n|---|---|---|---|---|---|")
    for modality, where, setting, name, psnr, ssim in sorted(table, key=lambda row: row[0] != "MRI"):
        print(f"| {modality} | {where} | {setting} | {name} | {psnr:.2f} | {ssim:.4f} |")
    print("L1-wavelet weight: " + ", ".join(f"{a}x {l1_lambda(a):g}" for a in accelerations))
    sheet.save(args.out, quality=92)
    print(f"wrote {args.out} ({sheet.width}x{sheet.height})")


if __name__ == "__main__":
    main()
