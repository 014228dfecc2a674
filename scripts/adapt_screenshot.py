"""The Inpaint tab while the GAN learns a photo, and after: docs/inpaint-adapt-studio.png (headless Chromium).

    python scripts/adapt_screenshot.py [--model inpaint-photo] [--steps 40] [--out PATH]

Starts `python app.py` on a free loopback port (tests/studio_server.py), clicks the Ladybird example, ticks
"Learn this photo first" and presses Fill; shoots the tab half-way through learning (the photo and its mask, the option ticked, the progress
bar, the fill so far, the losses and their chart) and the results once the fill is done, and stacks the two
shots in one palette PNG.
"""
import argparse
import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from studio_server import start_app, stop_app  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
GAP = 24   # px of white between the two shots


def wait_for_photo_in_editor(page) -> None:
    """Wait until the editor's canvas shows the example, not its flat empty canvas."""
    for _ in range(60):
        shot = np.asarray(Image.open(io.BytesIO(page.locator("#inpaint-editor canvas").first.screenshot())))
        if shot[..., :3].std() > 20:
            return
        page.wait_for_timeout(500)
    raise RuntimeError("the example never appeared in the editor")


def shot(page, top_selector: str) -> Image.Image:
    """The page from the top of `top_selector` down to the Stop button (below the chart)."""
    scrolled = page.evaluate("window.scrollY")   # boxes are in the window; a full-page clip, in the page
    top = page.locator(top_selector).first.bounding_box()["y"] + scrolled - 8
    stop = page.locator("#inpaint-stop").bounding_box()
    png = page.screenshot(full_page=True, clip={"x": 0, "y": top, "width": page.viewport_size["width"],
                                                "height": stop["y"] + scrolled + stop["height"] + 8 - top})
    return Image.open(io.BytesIO(png)).convert("RGB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="inpaint-photo", help="the app's default inpainting model")
    parser.add_argument("--steps", type=int, default=40, help="learning steps (the studio's default budget: 40)")
    parser.add_argument("--scale", type=float, default=0.7, help="the shots' size on the page, for a small file")
    parser.add_argument("--out", default=str(ROOT / "docs" / "inpaint-adapt-studio.png"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    url = start_app(model=args.model)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(url)
            page.wait_for_selector("#inpaint-editor")
            page.get_by_text("Ladybird", exact=True).first.click()
            wait_for_photo_in_editor(page)
            page.get_by_text("Learn this photo first", exact=True).first.click()
            steps = page.locator("#inpaint-learn-steps input[type=number]")
            steps.fill(str(args.steps))
            steps.press("Enter")
            page.get_by_role("button", name="Fill", exact=True).click()
            half = args.steps // 2   # shoot once the fill has been redrawn past half-way (every 5 steps)
            page.wait_for_function(
                "(half) => { const m = /step (\\d+) of/.exec(document.querySelector('#inpaint-learning').innerText);"
                " return m && +m[1] >= half + 1; }", arg=half, timeout=20 * 60_000)
            page.wait_for_timeout(500)
            during = shot(page, "#inpaint-editor-upload")   # the settings too: the option ticked
            page.get_by_text(f"after learning this photo for {args.steps} steps", exact=False).wait_for(
                timeout=20 * 60_000)
            page.wait_for_timeout(1500)
            after = shot(page, "#inpaint-status")
            browser.close()
    finally:
        stop_app()
    width = max(during.width, after.width)
    sheet = Image.new("RGB", (width, during.height + GAP + after.height), "white")
    sheet.paste(during, (0, 0))
    sheet.paste(after, (0, during.height + GAP))
    sheet = sheet.resize((round(sheet.width * args.scale), round(sheet.height * args.scale)), Image.Resampling.LANCZOS)
    sheet.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(args.out, optimize=True)
    print(args.out, f"{Path(args.out).stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
