"""The studio in a real browser (Debian's Chromium driven by Playwright): upload, paint, Fill, download.

Checks what only a browser shows: the canvas hands the server the photo at full size, the brush stroke
becomes the mask, and the downloaded PNG differs from the upload under the stroke and nowhere else; learning
the photo first draws its losses (coloured curves) and then the fill; the
Restore tab's method choices follow its task, and its download is the full-size result; and every example
and main button of every tab answers without an "Error" on the page or a traceback on the server.
"""
import io
import shutil
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


def test_learning_the_photo_first_draws_the_losses_and_then_the_fill(page):
    """"Learn this photo first" with 3 steps: the line of losses and the chart's coloured curves appear (G's L1;
    its adversarial loss and D's too when D plays), then the fill, whose download changed the photo only around
    the prepared mask."""
    page.reload()
    page.wait_for_selector("#inpaint-editor")
    page.get_by_text("Ladybird", exact=True).first.click()
    wait_for_photo_in_editor(page)
    page.get_by_text("Learn this photo first", exact=True).first.click()
    steps = page.locator("#inpaint-learn-steps input[type=number]")
    steps.fill("3")
    steps.press("Enter")
    page.get_by_role("button", name="Fill", exact=True).click()
    page.get_by_text("after learning this photo for 3 steps", exact=False).wait_for(timeout=120_000)
    assert "step 3 of 3" in page.locator("#inpaint-learning").inner_text()
    page.wait_for_function("""() => [...document.querySelectorAll('#inpaint-chart g.mark-line path')]
        .filter(line => line.getAttribute('stroke') && (line.getAttribute('d') || '').length > 20).length >= 1""")
    result = download_result(page)
    photo = np.asarray(Image.open(ROOT / "examples" / "ladybird.jpg").convert("RGB"))
    mask = np.asarray(Image.open(ROOT / "examples" / "ladybird_mask.png")) > 0
    changed = np.abs(result.astype(int) - photo).max(axis=2) > 2   # the browser's JPEG decoder may differ by 1
    rows, cols = np.nonzero(mask)
    near = np.zeros_like(mask)
    near[rows.min() - 8:rows.max() + 9, cols.min() - 8:cols.max() + 9] = True
    assert result.shape == photo.shape and changed[mask].mean() > 0.5 and not changed[~near].any()


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


# ----------------------------------------------------------------------------------------------------
# The Medical tab


MEDICAL_LAYOUT = """() => {   // each gallery: its pictures' boxes, and whether its one row fits without scrolling
    const round = (r) => [Math.round(r.left), Math.round(r.top), Math.round(r.width), Math.round(r.height)];
    return ['#medical-results', '#medical-errors'].map(id => {
        const wrap = document.querySelector(id + ' .grid-wrap');
        return {boxes: [...document.querySelectorAll(id + ' img')].map(img => round(img.getBoundingClientRect())),
                scrolls: wrap.scrollHeight > wrap.clientHeight + 1};
    });
}"""


def medical_run(page, downloads_expected: str) -> tuple[list, list[str]]:
    """Press Reconstruct, wait for the downloads, and check the galleries: every result has an error map of the
    same size below it, and neither gallery hides a row behind a scroll bar. Returns (table rows, file names)."""
    page.get_by_role("button", name="Reconstruct", exact=True).click()
    page.locator(f"#medical-downloads a[download='{downloads_expected}']").wait_for(timeout=180_000)
    settle(page)
    results, errors = page.evaluate(MEDICAL_LAYOUT)
    cells = page.locator("#medical-table [role=gridcell]").all_inner_texts()   # Gradio 6's table: cells in a row
    columns = page.locator("#medical-table [role=columnheader]").count()
    rows = [[cell.strip() for cell in cells[at:at + columns]] for at in range(0, len(cells), columns)]
    assert len(results["boxes"]) == len(errors["boxes"]) == len(rows) + 1, (results, errors, rows)
    sizes = {(box[2], box[3]) for box in results["boxes"] + errors["boxes"]}
    assert len(sizes) == 1 and min(sizes.pop()) > 150, (results, errors)   # error maps as large as the images
    assert [box[0] for box in results["boxes"]] == [box[0] for box in errors["boxes"]]   # in the same columns
    assert not results["scrolls"] and not errors["scrolls"]
    assert max(box[0] + box[2] for box in results["boxes"]) <= page.viewport_size["width"]
    links = page.locator("#medical-downloads a[download]")
    return rows, [links.nth(i).get_attribute("download") for i in range(links.count())]


def test_medical_tab_mri_and_ct_with_error_maps_numbers_and_named_downloads(page, tmp_path):
    """At 1280x900: MRI then CT on the bundled example, each method with its error map at the same size and its
    numbers; a one-slice DICOM hides the slice slider, a volume shows it; a file that is neither says so.
    Screenshots: /tmp/medical-mri.png, -ct.png, -volume.png, -error.png."""
    context = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    medical = context.new_page()
    medical.set_default_timeout(30_000)
    medical.goto(start_app())
    medical.get_by_role("tab", name="Medical").click()

    rows, files = medical_run(medical, "ch2-slice82-zero-filled-4x.png")
    assert [row[0] for row in rows][:3] == ["zero-filled", "L1-wavelet CS", "TV CS"]
    assert all(float(row[1]) > 10 for row in rows), rows                      # PSNR of every method
    assert len(files) == len(rows) and all(name.startswith("ch2-slice82-") for name in files), files
    medical.screenshot(path="/tmp/medical-mri.png", full_page=True)

    medical.get_by_label("CT", exact=True).check()
    medical.get_by_label("30 views", exact=True).check()
    rows, files = medical_run(medical, "ch2-slice82-fbp-30views.png")
    assert [row[0] for row in rows][:2] == ["FBP", "SART-TV"] and all(float(row[1]) > 10 for row in rows)
    assert "ch2-slice82-sart-tv-30views.png" in files
    assert ("GAN" in [row[0] for row in rows]) == (ROOT / "weights" / "ct-recon.safetensors").exists()
    medical.screenshot(path="/tmp/medical-ct.png", full_page=True)

    single_slice_dicom(tmp_path / "slice.dcm")
    medical.locator("#medical-file input[type=file]").set_input_files(str(tmp_path / "slice.dcm"))
    settle(medical)
    assert not medical.locator("#medical-slice").is_visible()
    from tests.studio.test_medical import write_nifti
    write_nifti(tmp_path / "three.nii.gz", np.random.default_rng(0).integers(0, 900, (40, 40, 3)).astype(np.int16))
    medical.locator("#medical-file button[aria-label='Clear']").first.click()
    medical.locator("#medical-file input[type=file]").set_input_files(str(tmp_path / "three.nii.gz"))
    medical.locator("#medical-slice").wait_for(state="visible")
    assert medical.locator("#medical-slice input[type=range]").get_attribute("max") == "2"
    medical.screenshot(path="/tmp/medical-volume.png")
    (tmp_path / "notes.txt").write_text("not an image")
    medical.locator("#medical-file button[aria-label='Clear']").first.click()
    medical.locator("#medical-file input[type=file]").set_input_files(str(tmp_path / "notes.txt"))
    medical.get_by_text("neither a NIfTI", exact=False).first.wait_for()
    medical.screenshot(path="/tmp/medical-error.png")
    context.close()


# ----------------------------------------------------------------------------------------------------
# Every example and every main button of every tab, on one page


ERROR_WATCH = """(() => {   // every "Error" the page shows (a toast, or a component's status), kept in window.__errors
    window.__errors = [];
    const kept = (element) => window.__errors.push(
        ((element.closest('.toast-body') || element.closest('.wrap') || element).textContent || '').trim().slice(0, 300));
    new MutationObserver(records => records.forEach(record => record.addedNodes.forEach(node => {
        if (node instanceof Element)
            [node, ...node.querySelectorAll('*')].filter(e => e.matches('.toast-body.error, span.error')).forEach(kept);
    }))).observe(document, {childList: true, subtree: true});
})()"""
BUSY = """() => [...document.querySelectorAll('.wrap.full, .wrap.minimal')].filter(wrap =>
    wrap.offsetParent !== null && !wrap.classList.contains('hide') && !wrap.querySelector('.error'))
    .map(wrap => (wrap.closest('[id]') || {}).id + ': ' + wrap.textContent.trim().slice(0, 80))"""


def settle(page, timeout_s: float = 120) -> None:
    """Wait until no component on the page shows a running event's progress (twice in a row, 0.15 s apart)."""
    page.wait_for_timeout(150)
    quiet = 0
    for _ in range(int(timeout_s / 0.15)):
        quiet = 0 if page.evaluate(BUSY) else quiet + 1   # the progress shown, if any
        if quiet == 2:
            return
        page.wait_for_timeout(150)
    raise AssertionError(f"the page was still busy after {timeout_s:.0f} s: {page.evaluate(BUSY)}")


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the dropdown called `label` in the tab in view."""
    page.get_by_label(label).locator("visible=true").first.click()
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def press(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).locator("visible=true").first.click()
    settle(page)


EDITORS_READY = """() => [...document.querySelectorAll('.image-editor, [id$=-editor]')].filter(e => e.offsetParent)
    .every(editor => editor.querySelector('canvas'))"""


def press_every_example(page) -> None:
    """Click each example of the tab in view (gr.Examples), one after the other.

    The tab's image editors are let finish starting first: an example's photo sent to an editor whose canvas
    did not exist yet (within about a second of the tab's first showing, on a busy machine) left the editor
    "processing" for good, in about one run in four."""
    page.wait_for_function(EDITORS_READY)
    page.wait_for_timeout(300)
    examples = page.locator("button.gallery-item:visible")
    for index in range(examples.count()):
        examples.nth(index).click()
        settle(page)


def single_slice_dicom(path) -> None:
    from tests.studio.test_medical import write_dicom_slice
    y, x = np.mgrid[0:64, 0:64]
    write_dicom_slice(path, ((x * 40 + y * 20) % 3000).astype(np.uint16))


@pytest.fixture
def every_restore_model(tiny_restore_weights, image_folder, tmp_path):
    """The Restore tab's three tasks with tiny models (sr4 trained here), taken away again afterwards."""
    from gan_core.training.train import parse_args, train
    from tests.conftest import TINY
    from tests.studio_server import restore_weights_dir
    train(parse_args(["--task", "sr4", "--data", str(image_folder), "--out", str(tmp_path / "sr4"), "--steps", "1",
                      "--export", "sr4", "--weights-dir", str(tmp_path / "weights"), "--sample-every", "100", *TINY]))
    folder, added = restore_weights_dir(), []
    for source in [*tiny_restore_weights.glob("*.*"), *(tmp_path / "weights").glob("*.*")]:
        if not (folder / source.name).exists():
            shutil.copy(source, folder / source.name)
            added.append(folder / source.name)
    yield
    for path in added:
        path.unlink()


# tracebacks of the transport alone, where nothing of ours ran: Gradio's 404 to the event stream of a page that
# went away (its session's messages are gone), and uvicorn's complaint when the browser drops a download half-way
TRANSPORT_ONLY = ("in sse_stream", "Too little data for declared Content-Length")


def app_tracebacks(log: str) -> list[str]:
    """The tracebacks in a part of the server's log, but for the transport's own (TRANSPORT_ONLY)."""
    blocks = log.split("Traceback (most recent call last):")[1:]
    return [block for block in blocks if not any(sign in block for sign in TRANSPORT_ONLY)]


def test_every_example_and_every_button_answers_without_an_error(page, tmp_path, every_restore_model):
    """Each tab's examples, then its main buttons, pressed as a user would: no "Error" on the page and no
    traceback in the server's log. (Restore's examples failed on every click; a one-slice DICOM failed.)"""
    from tests.studio_server import server_log
    log_start = server_log().stat().st_size
    page = page.context.new_page()                     # a page of its own, watched for errors from the start
    page.set_default_timeout(30_000)
    page.add_init_script(ERROR_WATCH)
    page.goto(start_app())
    page.wait_for_selector("#inpaint-editor")
    settle(page)

    press_every_example(page)                                                  # Inpaint
    press(page, "Fill")
    page.get_by_text("What the critic sees", exact=True).first.click()         # fills again, with the map
    settle(page)
    press(page, "Compare all methods")
    for tab, buttons in (("Extend", ("Extend",)), ("Paintings", ("Find cracks", "Restore")),
                         ("Evaluate", ("Evaluate",)), ("Restore", ("Run",))):
        page.get_by_role("tab", name=tab).click()
        press_every_example(page)                                              # Restore's run the GAN
        if tab == "Paintings":                                                 # quick models, small holes:
            choose(page, "GAN model", "inpaint-tiny-test")                     # the buttons run the same code
        if tab == "Evaluate":
            page.get_by_label("Random small mask (2-10%)").check()
        for name in buttons:                                                   # on the last example
            press(page, name)

    page.get_by_role("tab", name="Learn").click()
    settle(page)
    choose(page, "Preset", "Fixed: WGAN-GP on the ring")
    for name in ("Step", "Reset", "Train ▶"):
        press(page, name)
    page.wait_for_timeout(1000)
    press(page, "Pause")
    page.wait_for_timeout(1000)                                  # a refresh fired before the pause may still come
    page.get_by_role("slider", name="Search steps").press("Home")             # the fewest: 20
    for name in ("Step slowly", *["Next stage ▶"] * 5, "Generate 64 garments", "Random item", "Search ▶",
                 "Draw the shoe ▶", "Blank canvas", "Translate both ▶", "Train the 2D toy with and without the cycle loss ▶"):
        press(page, name)
    for gallery in ("#pix2pix-examples", "#cyclegan-examples-a2b", "#cyclegan-examples-b2a"):
        page.locator(f"{gallery} button.thumbnail-item").first.click()
        settle(page)

    page.get_by_role("tab", name="Medical").click()
    press(page, "Reconstruct")                                                 # the bundled example
    single_slice_dicom(tmp_path / "slice.dcm")
    page.locator("#medical-file input[type=file]").set_input_files(str(tmp_path / "slice.dcm"))
    settle(page)
    press(page, "Reconstruct")
    page.get_by_label("CT", exact=True).check()                                # the same slice as a CT scan
    press(page, "Reconstruct")

    errors = page.evaluate("window.__errors") + page.locator(".toast-body.error, span.error").all_inner_texts()
    page.close()
    with open(server_log(), errors="replace") as log:
        log.seek(log_start)
        tracebacks = app_tracebacks(log.read())
    assert errors == [] and tracebacks == [], (errors, [block.strip().splitlines()[-1] for block in tracebacks],
                                               tracebacks[:1])
