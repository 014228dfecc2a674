"""The README's picture of MRI reconstruction: one held-out brain slice at 4x and 8x.

    python scripts/mri_figure.py --out docs/mri-recon.jpg
    python scripts/mri_figure.py --slice 20 --scale 3 --out /tmp/macaque.jpg     # another slice

The slice, its masks and the compressed-sensing weight are those of the evaluation (gan_core.eval.mri):
validation slice number --slice (default 7: the Colin27 brain at z = 11 mm, the middle of its held-out
slab), the seeded column mask of that slice at each acceleration, and sigpy's L1-wavelet weight as tuned on
training slices and recorded in docs/mri-val.json. Columns: the k-space mask (white: measured columns),
zero-filled, L1-wavelet CS, the GAN, the original, and the GAN's absolute error times 5. Each panel is
enlarged --scale times (nearest neighbour) and carries its PSNR / SSIM, which are also printed.
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from gan_core.mri import slices as mri_data  # noqa: E402
from gan_core.eval.mri import l1_wavelet, psnr01, ssim01  # noqa: E402
from gan_core.mri.recon import ACCELERATIONS, column_mask, mri_reconstruct, undersample, zero_filled  # noqa: E402

ERROR_GAIN = 5
STRIP = 46  # px of label strip above each panel


def tuned_lambda(acceleration: int, record: Path = ROOT / "docs" / "mri-val.json") -> float:
    """The L1-wavelet weight that gan_core.eval.mri chose on training slices for this acceleration."""
    return float(json.loads(record.read_text())["accelerations"][f"{acceleration}x"]["l1-wavelet"]["lamda"])


def panel(image: np.ndarray, title: str, numbers: str, scale: int, font) -> Image.Image:
    """A [0, 1] slice enlarged `scale` times, under a strip with its title and numbers."""
    pixels = (np.clip(image, 0, 1) * 255).round().astype(np.uint8)
    picture = Image.fromarray(pixels).resize((image.shape[1] * scale, image.shape[0] * scale), Image.NEAREST)
    cell = Image.new("RGB", (picture.width, picture.height + STRIP), "white")
    cell.paste(picture.convert("RGB"), (0, STRIP))
    draw = ImageDraw.Draw(cell)
    draw.rectangle((0, STRIP, cell.width - 1, cell.height - 1), outline=(150, 150, 150), width=2)  # white mask edges
    draw.text((6, 3), title, fill="black", font=font)
    draw.text((6, 3 + STRIP // 2), numbers, fill=(60, 60, 60), font=font)
    return cell


def figure_row(original: np.ndarray, index: int, acceleration: int, scale: int, font) -> tuple[Image.Image, dict]:
    """One acceleration: the panels side by side, and {method: (psnr, ssim)}."""
    mask = column_mask(*original.shape, acceleration, seed=1000 * acceleration + index)  # as eval.mri seeds it
    kspace = undersample(original, mask)
    lamda = tuned_lambda(acceleration)
    results = {"zero-filled": zero_filled(kspace),
               "L1-wavelet CS": l1_wavelet(kspace, mask, lamda),
               "GAN (mri-recon)": mri_reconstruct(kspace, mask)}
    numbers = {name: (psnr01(original, result), ssim01(original, result)) for name, result in results.items()}
    gan = results["GAN (mri-recon)"]
    cells = [panel(mask.astype(np.float32), f"{acceleration}x k-space mask",
                   f"{mask[0].sum()} of {mask.shape[1]} columns", scale, font)]
    cells += [panel(result, name, "PSNR {:.2f} dB  SSIM {:.3f}".format(*numbers[name]), scale, font)
              for name, result in results.items()]
    cells.append(panel(original, "original", f"held-out slice, {original.shape[1]}x{original.shape[0]}", scale, font))
    cells.append(panel(np.abs(np.clip(gan, 0, 1) - original) * ERROR_GAIN, f"|GAN - original| x {ERROR_GAIN}",
                       f"mean abs error {np.abs(np.clip(gan, 0, 1) - original).mean():.4f}", scale, font))
    row = Image.new("RGB", (sum(c.width for c in cells) + 4 * (len(cells) - 1), cells[0].height), "white")
    x = 0
    for cell in cells:
        row.paste(cell, (x, 0))
        x += cell.width + 4
    return row, numbers


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--slice", type=int, default=7, help="index among the validation slices (mri_data)")
    parser.add_argument("--scale", type=int, default=2, help="nearest-neighbour enlargement of each panel")
    parser.add_argument("--out", default=str(ROOT / "docs" / "mri-recon.jpg"))
    args = parser.parse_args(argv)
    item = mri_data.load_slices("val")[args.slice]
    font = ImageFont.load_default(size=17)
    print(f"validation slice {args.slice}: {item.scan} ({item.brain}), z = {item.z_mm:g} mm, "
          f"{item.image.shape[1]}x{item.image.shape[0]}")
    rows = []
    for acceleration in ACCELERATIONS:
        row, numbers = figure_row(item.image, args.slice, acceleration, args.scale, font)
        rows.append(row)
        print(f"{acceleration}x L1-wavelet weight {tuned_lambda(acceleration):g} (tuned on training slices)")
        for name, (psnr, ssim) in numbers.items():
            print(f"{acceleration}x {name:28s} PSNR {psnr:6.2f} dB  SSIM {ssim:.4f}")
    sheet = Image.new("RGB", (rows[0].width, sum(r.height for r in rows) + 8 * (len(rows) - 1)), "white")
    for i, row in enumerate(rows):
        sheet.paste(row, (0, i * (row.height + 8)))
    sheet.save(args.out, quality=92)
    print(f"wrote {args.out} ({sheet.width}x{sheet.height})")


if __name__ == "__main__":
    main()
