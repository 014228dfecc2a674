"""Learn, part 5: pix2pix, draw a shoe. The user's edges (or a test item's) go through two U-Nets trained on
the same (edges, shoe) pairs (gan_core.learn.pix2pix): one with L1 + adversarial loss, one with L1 alone."""
import functools

import gradio as gr
import numpy as np
from PIL import Image

import gan_core
from gan_core.learn import pix2pix
from gan_core.core import weights as weights_lib
from studio.common import enlarge, on_page_load, save_image

MODELS = {"pix2pix-shoes": "pix2pix: L1 + adversarial",       # weights/NAME.safetensors: label of its output
          "pix2pix-shoes-l1": "the same U-Net, L1 only"}
ITEM_SIDE = 28                         # the models' edges and shoes are Fashion-MNIST's 28 x 28
CANVAS = 280                           # the sketchpad: 10 canvas pixels per model pixel
SHOW_SCALE = 8                         # results shown at 224 px
N_EXAMPLES = 8                         # test items offered as edges to start from
TRAIN_COMMANDS = {"pix2pix-shoes": "python -m gan_core.learn.pix2pix --out runs/pix2pix --export pix2pix-shoes",
                  "pix2pix-shoes-l1": "python -m gan_core.learn.pix2pix --out runs/pix2pix-l1 --adv-weight 0 "
                                      "--export pix2pix-shoes-l1"}
COVERED = 64                           # a model pixel is a line if a quarter of its 10 x 10 canvas pixels is drawn

EXPLAINER = (
    "pix2pix (Isola et al. 2017) is a *conditional* GAN trained on pairs: here the edges of a Fashion-MNIST "
    "sandal, sneaker or ankle boot (found by OpenCV's Canny detector) and the item itself. The generator is a "
    "small U-Net: it sees the edges and paints the item. The critic is a *PatchGAN*: it looks at (edges, "
    "picture) pairs and says, for every small patch, whether it is a real item for those edges.\n\n"
    "**Why both losses?** The L1 loss (the mean pixel difference from the true item) alone rewards the "
    "*average* of all items that fit the edges: the right outline, but grey and blurry inside, because a "
    "blur is the safest guess. The adversarial loss says nothing about which item is right, but it punishes "
    "anything that does not look real, blur included. Together (L1 × 100 + adversarial, as in the paper) "
    "the generator keeps to the edges *and* commits to one sharp, plausible item. Below, the same U-Net "
    "trained with L1 alone shows the blur.\n\n"
    "**The studio's photo inpainter is the same kind of model**: a conditional generator that sees the photo "
    "with its hole, a PatchGAN critic, and L1 + adversarial loss. Try it on the **Inpaint** tab (the first "
    "tab), and its *What the critic sees* button shows that critic's patch-by-patch verdicts.")
HOW_TO = ("Draw white edges on the black canvas (choose the brush; the eraser removes strokes), or pick a test "
          "item's edges below and change them. The canvas is shrunk to the models' 28 × 28 pixels: draw thin "
          "lines, about one brush width apart.")


@functools.lru_cache(maxsize=1)
def example_items() -> np.ndarray:
    """uint8 (N_EXAMPLES, 28, 28): the first test-split footwear items, the same every time."""
    return pix2pix.footwear("test")[:N_EXAMPLES]


def edges_picture(edges: np.ndarray, scale: int = SHOW_SCALE) -> np.ndarray:
    """uint8 edges (28, 28) -> RGB, enlarged so every pixel shows."""
    return enlarge(np.repeat(edges[..., None], 3, axis=2), scale)


def example_gallery() -> list[str]:
    """The test items' edges, as files for a gallery."""
    return [save_image(edges_picture(e, 4), "pix2pix-example", compress_level=1)
            for e in pix2pix.edges_of(example_items())]


def canvas_value(edges: np.ndarray | None = None) -> dict:
    """A sketchpad value: a black background and, if given, 28 px edges as a white drawing layer, so the
    eraser can remove them."""
    background = np.zeros((CANVAS, CANVAS, 4), np.uint8)
    background[..., 3] = 255
    if edges is None:
        return {"background": background, "layers": [], "composite": background}
    lines = enlarge(edges, CANVAS // ITEM_SIDE) > 0
    layer = np.zeros((CANVAS, CANVAS, 4), np.uint8)
    layer[lines] = 255
    composite = background.copy()
    composite[lines] = 255
    return {"background": background, "layers": [layer], "composite": composite}


def sketch_edges(value: dict | None) -> np.ndarray:
    """The sketchpad's picture -> uint8 edges (28, 28), 255 on a line: bright canvas pixels are lines, and a
    model pixel is a line where at least a quarter of its canvas pixels is."""
    picture = None if not value else value.get("composite")
    if picture is None and value:
        picture = value.get("background")
    if picture is None:
        return np.zeros((ITEM_SIDE, ITEM_SIDE), np.uint8)
    picture = np.asarray(picture).astype(np.float32)
    if picture.ndim == 3:
        alpha = picture[..., 3] / 255 if picture.shape[2] == 4 else 1.0  # transparent = black canvas
        picture = picture[..., :3].mean(axis=2) * alpha
    lines = Image.fromarray(((picture > 127) * 255).astype(np.uint8))
    small = np.asarray(lines.resize((ITEM_SIDE, ITEM_SIDE), Image.BOX))
    return np.where(small >= COVERED, 255, 0).astype(np.uint8)


def not_trained(name: str) -> str:
    command = TRAIN_COMMANDS.get(name, f"python -m gan_core.learn.pix2pix --export {name}")
    return (f"⚠️ `{name}` is not trained yet (weights/{name}.safetensors is missing): `{command}` makes it, "
            "and it shows here at once.")


def draw_shoes(value: dict | None, truth_index: float | None = None):
    """The edges the models see, each model's shoe (None if not trained yet), the true item if the edges are
    a test item's, and a note."""
    edges = sketch_edges(value)
    shoes, notes = [], []
    for name, label in MODELS.items():
        try:
            shoe = gan_core.sketch_to_shoe(edges, weights=name)
            shoes.append(save_image(edges_picture(shoe), "pix2pix-shoe", compress_level=1))
        except FileNotFoundError:
            shoes.append(None)
            notes.append(not_trained(name))
    truth = None
    if truth_index is not None and truth_index >= 0:
        truth = save_image(edges_picture(example_items()[int(truth_index)]), "pix2pix-truth", compress_level=1)
    if not (edges > 0).any():
        notes.insert(0, "The canvas is empty: draw some edges (white on black).")
    return (save_image(edges_picture(edges), "pix2pix-edges", compress_level=1), *shoes, truth,
            "\n\n".join(notes))


def pick_example(selection: gr.SelectData):
    """A gallery click: that test item's edges onto the canvas, and its index (to show the true item)."""
    index = int(selection.index)
    return canvas_value(pix2pix.edges_of(example_items()[index:index + 1])[0]), index


def blank_canvas():
    return canvas_value(), -1


def model_numbers() -> str:
    """The trained models' measured numbers from their cards (500 held-out test items); "" before any is trained
    (draw_shoes says which are not)."""
    rows = []
    for name, label in MODELS.items():
        try:
            card = weights_lib.read_card(weights_lib.named_weights(name))
        except FileNotFoundError:
            continue
        numbers = card.get("evaluation", {}).get("held_out_500", {})
        l1, fd = numbers.get("l1"), numbers.get("fd")
        rows.append(f"| `{name}` ({label}) | {card.get('steps', '?')} | "
                    f"{'?' if l1 is None else f'{l1:.4f}'} | {'?' if fd is None else f'{fd:.1f}'} |")
    if not rows:
        return ""
    return ("Measured on 500 held-out test items (`python -m gan_core.learn.pix2pix --evaluate pix2pix-shoes "
            "pix2pix-shoes-l1`): L1 is the mean pixel difference from the true item (0-1 scale), FD the "
            "Fréchet distance to the true items in our classifier's features (section 4).\n\n"
            "| model | steps | L1 to the truth | FD |\n|---|---|---|---|\n" + "\n".join(rows))


def build() -> None:
    """The pix2pix section's components and events, inside the Learn tab."""
    gr.Markdown("## 5. pix2pix: draw a shoe")
    gr.Markdown(EXPLAINER)
    truth_index = gr.State(0)
    with gr.Row():
        with gr.Column(scale=1, min_width=320):
            gr.Markdown(HOW_TO)
            sketchpad = gr.ImageEditor(label="Your edges", type="numpy", image_mode="RGBA", format="png",
                                       canvas_size=(CANVAS, CANVAS), fixed_canvas=True, sources=(), transforms=(),
                                       layers=False, brush=gr.Brush(colors=["#ffffff"], color_mode="fixed",
                                                                    default_size=10),
                                       eraser=gr.Eraser(default_size=16), height=380, elem_id="pix2pix-sketchpad")
            with gr.Row():
                draw_button = gr.Button("Draw the shoe ▶", variant="primary")
                blank_button = gr.Button("Blank canvas")
        with gr.Column(scale=2):
            with gr.Row():
                seen = gr.Image(label="What the models see (28 × 28)", type="filepath", interactive=False, height=240,
                                buttons=[])
                shoes = [gr.Image(label=label, type="filepath", interactive=False, height=240, buttons=[])
                         for label in MODELS.values()]
                truth = gr.Image(label="The test item the edges came from", type="filepath", interactive=False,
                                 height=240, buttons=[])
            examples = gr.Gallery(label="Or start from a test item's edges (click one)", columns=N_EXAMPLES,
                                  height=110, allow_preview=False, object_fit="contain", buttons=[],
                                  elem_id="pix2pix-examples")
            note = gr.Markdown()
            numbers = gr.Markdown()
    outputs = [seen, *shoes, truth, note]
    draw_button.click(draw_shoes, [sketchpad, truth_index], outputs, api_name="pix2pix_draw")
    sketchpad.change(draw_shoes, [sketchpad, truth_index], outputs, api_name="pix2pix_live",
                     api_visibility="undocumented", trigger_mode="always_last", show_progress="hidden")
    examples.select(pick_example, None, [sketchpad, truth_index], api_name="pix2pix_pick",
                    api_visibility="undocumented").then(draw_shoes, [sketchpad, truth_index], outputs,
                                                        show_progress="hidden", api_visibility="private")
    blank_button.click(blank_canvas, None, [sketchpad, truth_index], api_name="pix2pix_blank",
                       api_visibility="undocumented").then(draw_shoes, [sketchpad, truth_index], outputs,
                                                           show_progress="hidden", api_visibility="private")

    def on_load():   # a value set by a handler does not fire the editor's change event: draw here too
        first = canvas_value(pix2pix.edges_of(example_items()[:1])[0])
        return example_gallery(), first, 0, model_numbers(), *draw_shoes(first, 0)

    on_page_load(on_load, None, [examples, sketchpad, truth_index, numbers, *outputs], api_name="pix2pix_on_load",
                 api_visibility="undocumented")
