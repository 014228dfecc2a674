"""How often does the playground's picture refresh in a real browser while it trains?

Starts the studio (`python app.py` on a free port), opens the Learn tab in Debian's Chromium through
Playwright, presses Train and counts, for --seconds, how often the picture's source changes (a
MutationObserver in the page), then reads the speed the page itself reports under the picture. This is the
end-to-end rate a student sees: server step + render + queue + network + the browser loading the image.
The playground needs >= 20 steps/s while refreshing >= 4 times a second.

    python -m gan_core.eval.toy_browser [--seconds 15]
"""
import argparse
import re
import sys
import time

from gan_core.core.paths import REPO_ROOT

ROOT = REPO_ROOT
sys.path.insert(0, str(ROOT / "tests"))

from studio_server import start_app  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

COUNT_REFRESHES = """() => {
    window.refreshTimes = [];
    const view = document.querySelector('#toy-view');
    new MutationObserver(() => {
        const img = view.querySelector('img');
        if (img && img.src !== window.lastSrc) { window.lastSrc = img.src; window.refreshTimes.push(performance.now()); }
    }).observe(view, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
}"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright
    url = start_app()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(url)
        page.get_by_role("tab", name="Learn").click()
        page.wait_for_selector("#toy-view img")
        page.evaluate(COUNT_REFRESHES)
        page.get_by_role("button", name="Train ▶").click()
        time.sleep(args.warmup)
        start_count = page.evaluate("window.refreshTimes.length")
        time.sleep(args.seconds)
        times = page.evaluate("window.refreshTimes")[start_count:]
        stats = page.locator("#toy-view").locator("xpath=../..").inner_text()
        page.get_by_role("button", name="Pause").click()
        browser.close()
    gaps = [b - a for a, b in zip(times, times[1:])]
    rate = (len(times) - 1) / ((times[-1] - times[0]) / 1000) if len(times) > 1 else 0.0
    print(f"browser: {len(times)} picture refreshes in {args.seconds:.0f} s -> {rate:.2f} refreshes/s "
          f"(gap median {sorted(gaps)[len(gaps) // 2] if gaps else float('nan'):.0f} ms, max {max(gaps, default=0):.0f} ms)")
    match = re.search(r"training at (\d+) steps/s, ([\d.]+) refreshes/s", stats)
    if match:
        print(f"page reports: {match.group(1)} steps/s, {match.group(2)} refreshes/s (server side)")


if __name__ == "__main__":
    main()
