"""Learn, part 3: fill a hole in a Fashion-MNIST test item by searching the DCGAN's latent space
(gan_core.learn.latent_search), streaming the best fill so far, and compare it with the mean-image fill."""
import queue
import threading
import time

import gradio as gr
import numpy as np

from gan_core.core.device import one_thread
from gan_core.learn import dcgan
from gan_core.photos import data as data_lib
from gan_core.learn.latent_search import LatentSearchConfig, hole_l1, latent_data, latent_inpaint, latent_mask, mean_image_fill
from studio.common import enlarge, on_page_load, painted_mask, save_image
from studio.learn.dcgan import FRAME_SCALE, dcgan_models

RANDOM_SQUARE, DRAWN = "Random square", "The hole I paint"
HOLE_COLOUR = (230, 40, 90)
EXPLAINER = (
    "G was never trained to fill holes. To fill one anyway, we search for the noise z whose picture G(z) "
    "agrees with the pixels we know (Yeh et al. 2017), with D keeping G(z) realistic, and take the hole "
    "from it. **Why the studio's conditional inpainter is better and faster:** it is trained to fill holes "
    "and does it in one forward pass, seeing the known pixels directly, while latent search needs hundreds "
    "of passes of G and D per picture and can only return pictures G can make.")


def latent_show(image, mask=None) -> np.ndarray:
    """(1, 32, 32) in [-1, 1] -> 256 px RGB; the hole (mask 1) painted in HOLE_COLOUR."""
    rgb = dcgan.to_picture(image)
    if mask is not None:
        rgb[np.asarray(mask)[0] > 0.5] = HOLE_COLOUR
    return enlarge(rgb, FRAME_SCALE)


def latent_pick(index: float):
    """Show a test item in the hole editor (paint on it to choose your own hole) and name its class."""
    images, labels, _ = latent_data()
    index = int(np.clip(index, 0, len(images) - 1))
    background = latent_show(images[index])
    return ({"background": background, "layers": [], "composite": background},
            f"Test item {index}: **{data_lib.FASHION_CLASSES[int(labels[index])]}**")


def latent_random(seed: float):
    """A random test item and a new hole seed."""
    rng = np.random.default_rng(None)
    index, hole_seed = int(rng.integers(len(latent_data()[0]))), int(rng.integers(10_000))
    return (index, hole_seed, *latent_pick(index))


def hole_for(hole: str, hole_seed: float, editor):
    """(1, 32, 32) hole: a seeded square of 10-16 px inside the garment area, or the painted strokes."""
    if hole != DRAWN:
        return latent_mask(seed=int(hole_seed))
    painted, _ = painted_mask((editor or {}).get("layers"))
    if painted is None or not painted.any():
        raise gr.Error("Paint the hole on the garment first (choose the brush), or pick a random square.")
    return latent_mask(painted=painted)


def latent_search(index: float, hole: str, hole_seed: float, editor, steps: float = 200):
    """Fill a hole by latent search, streaming the best fill so far every 10 steps; then compare it with the
    mean-image fill and the original, by the L1 error over the hole (0-1 scale)."""
    try:
        generator, discriminator, _ = dcgan_models()
    except FileNotFoundError as error:
        raise gr.Error(str(error)) from error
    images, labels, mean_image = latent_data()
    index = int(np.clip(index, 0, len(images) - 1))
    original, mask = images[index], hole_for(hole, hole_seed, editor)
    mean_fill = mean_image_fill(original, mask, mean_image)
    mean_l1 = float(hole_l1(mean_fill[None], original[None], mask[None]))
    config = LatentSearchConfig(steps=int(steps), callback_every=10)
    updates = queue.Queue()

    def search_in_background():
        try:
            with one_thread():
                result = latent_inpaint(generator, discriminator, original, mask, config,
                                        callback=lambda step, best, loss: updates.put(("frame", step, best, loss)))
            updates.put(("done", result))
        except Exception as error:   # reported to the user below
            updates.put(("error", error))

    started = time.perf_counter()
    threading.Thread(target=search_in_background, daemon=True).start()
    shown = (save_image(latent_show(original), "latent-original", compress_level=1),
             save_image(latent_show(original, mask), "latent-hole", compress_level=1),
             save_image(latent_show(mean_fill), "latent-mean", compress_level=1))
    while True:
        kind, *payload = updates.get()
        if kind == "error":
            error = payload[0]
            raise gr.Error(str(error) if isinstance(error, ValueError) else
                           f"The search failed ({type(error).__name__}); please try again.") from error
        if kind == "frame":
            step, best, loss = payload
            yield (*shown, save_image(latent_show(best), "latent-best", compress_level=1),
                   f"Searching… step {step} / {config.steps}, context loss {loss:.4f} (L1 against the known pixels)")
            continue
        result = payload[0]
        seconds = time.perf_counter() - started
        search_l1 = float(hole_l1(result.filled[None], original[None], mask[None]))
        yield (*shown, save_image(latent_show(result.filled), "latent-filled", compress_level=1),
               f"Done in {seconds:.1f} s ({config.steps} steps × {config.restarts} restarts). L1 error over the "
               f"hole (0-1 scale, lower is better): **mean image {mean_l1:.3f}**, **latent search {search_l1:.3f}**. "
               f"Test item {index}: {data_lib.FASHION_CLASSES[int(labels[index])]}.")
        return


def build() -> None:
    """The latent-search section's components and events, inside the Learn tab."""
    gr.Markdown("## 3. Filling a hole by searching G's latent space")
    gr.Markdown(EXPLAINER)
    with gr.Row():
        with gr.Column(scale=1):
            item = gr.Slider(0, 9999, value=0, step=1, label="Fashion-MNIST test item")
            item_name = gr.Markdown()
            hole = gr.Radio([RANDOM_SQUARE, DRAWN], value=RANDOM_SQUARE, label="Hole")
            hole_seed = gr.Number(0, precision=0, label="Seed of the random square")
            search_steps = gr.Slider(20, 400, value=200, step=10, label="Search steps")
            with gr.Row():
                random_button = gr.Button("Random item")
                search_button = gr.Button("Search ▶", variant="primary")
        with gr.Column(scale=1):
            hole_editor = gr.ImageMask(label="Paint a hole here (choose 'The hole I paint')", type="numpy",
                                       image_mode="RGBA", format="png", canvas_size=(256, 256), fixed_canvas=True,
                                       brush=gr.Brush(colors=[("#e6285a", 0.8)], color_mode="fixed", default_size=24),
                                       layers=False, transforms=(), sources=(), height=330)
    search_status = gr.Markdown()
    with gr.Row():
        pictures = [gr.Image(label=label, type="filepath", interactive=False, height=256)
                    for label in ("Original", "With the hole", "Mean-image fill", "Latent search (best so far)")]
    item.release(latent_pick, item, [hole_editor, item_name], api_name="latent_pick")
    random_button.click(latent_random, hole_seed, [item, hole_seed, hole_editor, item_name], api_name="latent_random")
    search_button.click(latent_search, [item, hole, hole_seed, hole_editor, search_steps], [*pictures, search_status],
                        api_name="latent_search", show_progress="minimal")
    on_page_load(latent_pick, item, [hole_editor, item_name], api_name="latent_pick_on_load",
                 api_visibility="undocumented")
