"""How long a big photo takes in a real browser: upload, one brush stroke, Fill, download ready.

    python scripts/browser_benchmark.py                  # 4000x3000 JPEG, the default model, Debian's chromium
    python scripts/browser_benchmark.py --side 6000 --model inpaint-tiny-test

Starts `python app.py` on a free port, drives /usr/bin/chromium with Playwright (never `playwright install`)
and prints the seconds for each step and in all. The studio keeps the full-resolution photo on the server
and the editor works on a copy at most 768 px on a side, so the target is under 15 s end to end and under
3 s from Fill to the preview on a 2-core CPU.
"""
import argparse
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--side", type=int, default=4000, help="the photo's width; height is 3/4 of it")
    parser.add_argument("--model", default="", help="inpainting model in weights/ (empty: the studio's default)")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    return parser.parse_args()


def big_photo(path: Path, width: int) -> Path:
    """A photo-like JPEG (an example enlarged, with grain so it compresses like a camera's): ~3-5 MB at 12 MP."""
    height = width * 3 // 4
    base = Image.open(ROOT / "examples" / "dandelions.jpg").convert("RGB").resize((width, height), Image.BICUBIC)
    grain = np.random.default_rng(0).normal(0, 6, (height, width, 1))
    Image.fromarray(np.clip(np.asarray(base) + grain, 0, 255).astype(np.uint8)).save(path, quality=92)
    return path


def start_app(model: str, log_path: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "GRADIO_SERVER_PORT": str(port), "GRADIO_ANALYTICS_ENABLED": "False"}
    if model:
        env["GAN_STUDIO_MODEL"] = model
    server = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env, stdout=open(log_path, "w"),
                              stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(240):
        try:
            urllib.request.urlopen(url, timeout=2)
            return server, url
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError(f"app.py did not start; see {log_path}")


def photo_shown(page) -> bool:
    shot = np.asarray(Image.open(io.BytesIO(page.locator("#inpaint-editor canvas").first.screenshot())))
    return shot[..., :3].std() > 20


def wait_until_settled(page, url: str, quiet_s: float = 1.0, timeout_s: float = 30) -> float:
    """Open the page and wait until its start-up requests are over; returns the seconds that took.

    On load the studio's other tabs prepare their demos (model lists, the DCGAN's samples, the Learn
    editors' first results); a person picks a photo after seeing the page, so the photo's clock starts
    once no request but Gradio's long-lived heartbeat has been open for `quiet_s` seconds.
    """
    in_flight, last_change = set(), [time.perf_counter()]

    def track(request, finished: bool) -> None:
        if "heartbeat" not in request.url:
            (in_flight.discard if finished else in_flight.add)(request)
            last_change[0] = time.perf_counter()

    page.on("request", lambda request: track(request, False))
    page.on("requestfinished", lambda request: track(request, True))
    page.on("requestfailed", lambda request: track(request, True))
    opened = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("#inpaint-editor-upload input[type=file]", state="attached")
    while in_flight or time.perf_counter() - last_change[0] < quiet_s:
        if time.perf_counter() - opened > timeout_s:
            break
        page.wait_for_timeout(100)
    return time.perf_counter() - opened


def run(page, url: str, photo: Path, out: Path) -> dict:
    times = {"page open and settled (not counted)": wait_until_settled(page, url)}
    started = time.perf_counter()
    page.locator("#inpaint-editor-upload input[type=file]").first.set_input_files(str(photo))
    while not photo_shown(page):
        page.wait_for_timeout(100)
    times["upload, photo shown in the editor"] = time.perf_counter() - started

    mark = time.perf_counter()
    page.locator("#inpaint-editor button[aria-label='Brush']").click()
    box = page.locator("#inpaint-editor canvas").first.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x - 60, y)
    page.mouse.down()
    page.mouse.move(x + 60, y, steps=5)
    page.mouse.up()
    times["one brush stroke"] = time.perf_counter() - mark

    mark = time.perf_counter()
    if os.environ.get("BENCH_TRACE"):  # when each request of the Fill leaves and ends
        page.on("request", lambda r: print(f"  {time.perf_counter() - mark:6.2f} s > {r.method} {r.url[-70:]}"))
        page.on("requestfinished", lambda r: print(f"  {time.perf_counter() - mark:6.2f} s < {r.url[-70:]}"))
    page.get_by_role("button", name="Fill", exact=True).click()
    page.get_by_text("px photo in", exact=False).wait_for(timeout=300_000)
    page.locator("img[src*='after-']").first.wait_for(timeout=60_000)
    times["Fill to preview in the slider"] = time.perf_counter() - mark

    mark = time.perf_counter()
    page.wait_for_function("() => { const b = document.querySelector('#download-result');"
                           " return b && !b.disabled && !b.closest('[disabled]'); }", timeout=120_000)
    with page.expect_download(timeout=120_000) as download:
        page.locator("#download-result").click()
    download.value.save_as(out)
    times["download ready and saved"] = time.perf_counter() - mark
    times["total (upload to download)"] = time.perf_counter() - started
    times["status"] = page.get_by_text("px photo in", exact=False).inner_text()
    return times


def main() -> int:
    args = parse_args()
    from playwright.sync_api import sync_playwright
    work = Path(tempfile.mkdtemp(prefix="gan-studio-bench-"))
    photo = big_photo(work / "big.jpg", args.side)
    print(f"photo: {photo} ({Image.open(photo).size[0]}x{Image.open(photo).size[1]}, "
          f"{photo.stat().st_size / 1e6:.1f} MB JPEG)", flush=True)
    server, url = start_app(args.model, work / "server.log")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True).new_page()
            page.set_default_timeout(120_000)
            times = run(page, url, photo, work / "filled.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=15)
    status = times.pop("status")
    for step, seconds in times.items():
        print(f"{step:36s} {seconds:6.1f} s")
    result = Image.open(work / "filled.png")
    print(f"download: {result.size[0]}x{result.size[1]} {result.mode} PNG, "
          f"{(work / 'filled.png').stat().st_size / 1e6:.1f} MB\nstatus: {status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
