"""The studio in a real browser (Debian's Chromium driven by Playwright): upload, paint, Fill, download.

Checks what only a browser shows: the canvas hands the server the photo at full size, the brush stroke
becomes the mask, and the downloaded PNG differs from the upload under the stroke and nowhere else; the
Restore tab's method choices follow its task, and its download is the full-size result.
"""
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.studio_server import ROOT, start_app  # noqa: E402

from gan_core.photos import classical  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                                "(apt-get install chromium); CI installs it")
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def page():
    url = start_app()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(url)
        page.wait_for_selector("#inpaint-editor")
        yield page
        browser.close()


def download_result(page, button: str = "#download-result") -> np.ndarray:
    """Wait for a Download button to come alive after Fill (or Run), click it, and read the PNG it saves."""
    page.wait_for_function("(selector) => { const b = document.querySelector(selector);"
                           " return b && !b.disabled && !b.closest('[disabled]'); }", arg=button, timeout=60_000)
    page.wait_for_timeout(300)
    with page.expect_download(timeout=30_000) as download_info:
        page.locator(button).click()
    return np.asarray(Image.open(io.BytesIO(Path(download_info.value.path()).read_bytes())).convert("RGB"))


def canvas_box(page):
    """The bounding box of the editor's drawing canvas on the page."""
    canvas = page.locator("#inpaint-editor canvas").first
    canvas.wait_for()
    return canvas.bounding_box()


def upload_photo(page, path) -> None:
    """Drop a file into the Inpaint tab's upload box and wait until the editor shows it."""
    page.locator("#inpaint-editor-upload input[type=file]").first.set_input_files(str(path))
    page.wait_for_function("() => document.querySelector('#inpaint-editor button[aria-label=\"Brush\"]')")
    wait_for_photo_in_editor(page)


def wait_for_photo_in_editor(page, timeout_s: float = 30) -> None:
    """Wait until the editor's canvas shows a picture, not a flat empty canvas (read from a screenshot)."""
    for _ in range(int(timeout_s * 2)):
        shot = np.asarray(Image.open(io.BytesIO(page.locator("#inpaint-editor canvas").first.screenshot())))
        if shot[..., :3].std() > 20:  # the ladybird has contrast; the empty canvas is one flat grey
            return
        page.wait_for_timeout(500)
    raise AssertionError("the uploaded photo never appeared in the editor")


def paint_stroke(page, half_length: int = 60) -> None:
    """Choose the Brush and paint one horizontal stroke through the middle of the canvas."""
    page.locator("#inpaint-editor button[aria-label='Brush']").click()
    box = canvas_box(page)
    centre_x, centre_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(centre_x - half_length, centre_y)
    page.mouse.down()
    page.mouse.move(centre_x + half_length, centre_y, steps=5)  # each move redraws the canvas: ~1 s in software
    page.mouse.up()


def test_paint_fill_and_download(page, tmp_path):
    photo = np.asarray(Image.open(ROOT / "examples" / "ladybird.jpg").convert("RGB"))  # 768x480
    upload = tmp_path / "ladybird.png"  # PNG, so the browser decodes exactly the pixels we compare with
    Image.fromarray(photo).save(upload)

    upload_photo(page, upload)
    paint_stroke(page)
    page.get_by_role("button", name="Fill", exact=True).click()
    result = download_result(page)

    assert result.shape == photo.shape, "the result must keep the upload's full resolution"
    changed = (result != photo).any(axis=2)
    rows, cols = np.nonzero(changed)
    assert changed.any(), "nothing under the brush stroke was filled"
    height, width = photo.shape[:2]
    # the stroke is horizontal, through the middle of the photo: every change lies in a band around it
    assert abs((rows.min() + rows.max()) / 2 - height / 2) < height * 0.1
    assert rows.max() - rows.min() < height * 0.4 and cols.max() - cols.min() > rows.max() - rows.min()
    assert changed[height // 2, width // 2], "the middle of the stroke must be filled"
    assert not changed[: height // 4].any() and not changed[-height // 4:].any(), "pixels away from the stroke changed"


def test_example_loads_photo_and_prepared_mask_in_one_click(page):
    """Clicking an example puts the photo in the editor with its mask painted on, in the right place."""
    page.reload()
    page.wait_for_selector("#inpaint-editor")
    page.get_by_text("Room", exact=True).first.click()
    page.wait_for_timeout(2000)
    page.get_by_role("button", name="Fill", exact=True).click()
    result = download_result(page)
    photo = np.asarray(Image.open(ROOT / "examples" / "room.jpg").convert("RGB"))
    mask = np.asarray(Image.open(ROOT / "examples" / "room_mask.png")) > 0
    assert result.shape == photo.shape
    changed = (np.abs(result.astype(int) - photo).max(axis=2) > 2)  # the browser's JPEG decoder may differ by 1
    rows, cols = np.nonzero(mask)
    grown = np.zeros_like(mask)
    grown[rows.min() - 8:rows.max() + 9, cols.min() - 8:cols.max() + 9] = True  # the mask's box + the grow
    assert changed[mask].mean() > 0.5, "the prepared mask was not filled where it belongs"
    assert not changed[~grown].any(), "pixels away from the prepared mask changed (a shifted mask layer?)"


def test_restore_tab_enlarges_with_a_classical_method(page, tmp_path):
    """Restore tab: choosing Enlarge 2x offers the classical filters; Run gives a PNG twice the upload's size."""
    photo = np.asarray(Image.open(ROOT / "examples" / "ladybird.jpg").convert("RGB"))[:120, :160]
    upload = tmp_path / "small.png"
    Image.fromarray(photo).save(upload)
    page.reload()
    page.get_by_role("tab", name="Restore").click()
    page.locator("#restore-photo input[type=file]").first.set_input_files(str(upload))
    page.get_by_label("Enlarge 2x").check()
    page.get_by_label("Bicubic (classical)").check()  # offered only once the task is an enlargement
    page.get_by_role("button", name="Run", exact=True).click()
    result = download_result(page, "#restore-download")
    assert np.array_equal(result, classical.upscale(photo, 2, "bicubic"))


def test_a_photo_uploaded_the_moment_the_page_appears_is_never_dropped(page, tmp_path):
    """20 fresh pages, each given a photo as soon as it loads: every photo shows, and every Fill fills it.

    Dropping a photo straight into Gradio 6.31's editor during its first second lost it about half the time
    (the editor wiped its canvas when it finished starting up); the upload box hands it over server-side.
    """
    upload = tmp_path / "ladybird.png"
    Image.open(ROOT / "examples" / "ladybird.jpg").convert("RGB").save(upload)  # 768x480
    browser = page.context.browser
    for attempt in range(20):
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        fresh = context.new_page()
        fresh.set_default_timeout(30_000)
        fresh.goto(start_app())
        fresh.locator("#inpaint-editor-upload input[type=file]").first.set_input_files(str(upload))
        wait_for_photo_in_editor(fresh)
        paint_stroke(fresh, half_length=30)
        fresh.get_by_role("button", name="Fill", exact=True).click()
        status = fresh.get_by_text("px photo in", exact=False)
        status.wait_for(timeout=60_000)
        assert "of the 768x480 px photo" in status.inner_text(), f"attempt {attempt}: {status.inner_text()}"
        context.close()


def test_fill_without_a_photo_says_so(page):
    """Painting on the empty editor and pressing Fill gives a message, never a "filled" blank canvas."""
    page.reload()
    page.wait_for_selector("#inpaint-editor")
    page.get_by_role("button", name="Fill", exact=True).click()
    page.get_by_text("Please upload a photo first").first.wait_for(timeout=30_000)
    assert page.get_by_text("px photo in", exact=False).count() == 0


def test_the_learn_tabs_loss_charts_draw_lines_once_training_starts(page):
    """The playground's loss and D(x) / D(G(z)) charts draw their curves, not only axes (Vega's SVG lines)."""
    page.reload()
    page.get_by_role("tab", name="Learn").click()
    page.get_by_role("button", name="Train ▶").click()
    page.wait_for_function("""() => [...document.querySelectorAll('.vega-embed')].slice(0, 2).every(plot =>
        [...plot.querySelectorAll('g.mark-line path')].some(line => line.getBBox().width > 50
                                                              && (line.getAttribute('d') || '').length > 100))""",
                           timeout=60_000)
    page.get_by_role("button", name="Pause").click()
