"""Screenshots of every tab of the studio, empty and in use, with headless Chromium (Playwright).

    python scripts/screenshots.py [--out /tmp/screens]

Starts `python app.py` on a free loopback port (with the tiny test model unless --model says), then for each tab saves
<out>/<tab>-empty.png and, after clicking an example and running the tab's main action, <out>/<tab>-result.png.
The Learn tab's sections 2-6 (DCGAN, latent search, measures and collapse, pix2pix, CycleGAN) are saved as learn-*.png.
The Restore tab gets the denoise/sr2/sr4 models of --restore-weights (default weights/); it denoises the
Dandelions example with the GAN if there is a denoise model, else with non-local means.
Look at them: layout, labels and empty states are only checked by eye.
"""
import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from studio_server import restore_weights_dir, start_app, stop_app  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


LEARN_SECTIONS = {"learn-dcgan": "2. A DCGAN on Fashion-MNIST",
                  "learn-latent": "3. Filling a hole by searching G's latent space", "learn-measure": "4. How good is a generator?",
                  "learn-pix2pix": "5. pix2pix: draw a shoe", "learn-cyclegan": "6. CycleGAN: sandals ↔ sneakers"}


def learn_sections(page, out: Path) -> None:
    """<out>/learn-*.png: each Learn section from its heading to the next one, as the page shows it on load."""
    page.get_by_role("tab", name="Learn").click()
    page.wait_for_selector("#pix2pix-sketchpad")
    page.wait_for_timeout(8000)   # page-load events: curves, translations, the sketchpad's first shoe
    headings = [page.get_by_role("heading", name=text).first for text in LEARN_SECTIONS.values()]
    tops = [heading.bounding_box()["y"] + page.evaluate("window.scrollY") for heading in headings]
    bottom = page.evaluate("document.body.scrollHeight")
    for index, name in enumerate(LEARN_SECTIONS):
        top = tops[index] - 10
        end = tops[index + 1] - 10 if index + 1 < len(tops) and tops[index + 1] > top else min(top + 2200, bottom)
        for y in range(int(top), int(end), 500):   # pictures load lazily: bring each part into view once
            page.evaluate(f"window.scrollTo(0, {y})")
            page.wait_for_timeout(400)
        page.screenshot(path=out / f"{name}.png", full_page=True,
                        clip={"x": 0, "y": top, "width": 1400, "height": end - top})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="/tmp/screens")
    parser.add_argument("--model", default="inpaint-tiny-test", help="the default model of the app")
    parser.add_argument("--restore-weights", default=str(ROOT / "weights"),
                        help="folder with the Restore tab's denoise/sr2/sr4.safetensors (and .json cards)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    url = start_app(model=args.model)
    for task in ("denoise", "sr2", "sr4"):
        for suffix in (".safetensors", ".json"):
            if (Path(args.restore_weights) / f"{task}{suffix}").exists():
                shutil.copy(Path(args.restore_weights) / f"{task}{suffix}", restore_weights_dir())
    has_denoiser = (restore_weights_dir() / "denoise.safetensors").exists()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(url)
            page.wait_for_selector("#inpaint-editor")
            page.screenshot(path=out / "inpaint-empty.png", full_page=True)

            page.get_by_text("Ladybird", exact=True).first.click()
            page.wait_for_timeout(2000)
            page.get_by_text("What the critic sees", exact=True).first.click()  # fills, with the critic's map
            page.wait_for_function("() => { const b = document.querySelector('#download-result');"
                                   " return b && !b.disabled && !b.closest('[disabled]'); }")
            page.wait_for_timeout(1500)
            page.get_by_role("button", name="Compare all methods").click()
            page.wait_for_selector("text=Navier-Stokes:")
            page.wait_for_timeout(1500)
            page.screenshot(path=out / "inpaint-result.png", full_page=True)

            page.get_by_role("tab", name="Evaluate").click()
            page.wait_for_selector("#evaluate-editor")
            page.wait_for_timeout(500)
            page.screenshot(path=out / "evaluate-empty.png", full_page=True)
            page.locator("#evaluate-editor").scroll_into_view_if_needed()
            page.get_by_text("Room", exact=True).last.click()
            page.wait_for_timeout(2000)
            page.get_by_role("button", name="Evaluate", exact=True).click()
            page.wait_for_selector("text=Closest to the original")
            page.wait_for_timeout(1500)
            page.screenshot(path=out / "evaluate-result.png", full_page=True)

            page.get_by_role("tab", name="Restore").click()
            page.wait_for_selector("#restore-photo")
            page.wait_for_timeout(500)
            page.screenshot(path=out / "restore-empty.png", full_page=True)
            page.get_by_text("Dandelions: denoise, noise 25", exact=True).click()
            page.wait_for_timeout(1000)
            if not has_denoiser:
                page.get_by_label("Non-local means (classical)").check()
            page.get_by_role("button", name="Run", exact=True).click()
            page.wait_for_function("() => { const b = document.querySelector('#restore-download');"
                                   " return b && !b.disabled && !b.closest('[disabled]'); }")
            page.wait_for_timeout(1500)
            page.screenshot(path=out / "restore-result.png", full_page=True)
            learn_sections(page, out)
            browser.close()
    finally:
        stop_app()
    for path in sorted(out.glob("*.png")):
        print(path)


if __name__ == "__main__":
    main()
