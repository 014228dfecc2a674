"""Learn, part 6: CycleGAN, sandals <-> sneakers without pairs (gan_core.learn.cyclegan): real -> fake ->
reconstructed both ways with the classifier's verdicts, the training curves, and the 2D cycle toy
(gan_core.learn.toy.cycle) with the round trips drawn as arrows."""
import functools

import gradio as gr
import numpy as np
from PIL import Image, ImageDraw

import gan_core
from gan_core.learn import classifier
from gan_core.learn import cyclegan as cyclegan_lib
from gan_core.core import weights as weights_lib
from gan_core.photos.data import FASHION_CLASSES
from gan_core.learn.toy.cycle import ToyCycleConfig, train_toy_cycle
from studio.common import ROOT, enlarge, on_page_load, save_image
from studio.learn.plots import curves, empty_curves, line_plot

WEIGHTS = "cyclegan-shoes"             # weights/NAME.safetensors (or a path), loaded by gan_core.translate
LOGS = (weights_lib.WEIGHTS_DIR / "cyclegan-shoes.log.jsonl",   # shipped with the weights, or the run's own
        ROOT / "runs" / "cyclegan-shoes" / "main" / "log.jsonl")   # python -m gan_core.training --recipe cyclegan-shoes
ITEM_SIDE = 28
SHOW_SCALE = 8                         # items shown at 224 px; also the editor's canvas scale
N_EXAMPLES = 8                         # test items offered per class
SIDES = {"a2b": (cyclegan_lib.CLASS_A, cyclegan_lib.CLASS_B), "b2a": (cyclegan_lib.CLASS_B, cyclegan_lib.CLASS_A)}
TOY_SIZE = 360                         # pixels of each toy picture
TOY_VIEW = (-1.45, 1.45)               # the plane shown, both axes
TOY_ARROWS = 70                        # round trips drawn (of the toy's 200 points)
TOY_CYCLE_WEIGHT = 5.0                 # the toy's default cycle weight; the other picture has none

EXPLAINER = (
    "CycleGAN (Zhu et al. 2017) learns to turn one kind of picture into another *without pairs*: here "
    "Fashion-MNIST sandals (A) into sneakers (B) and back, from 6,000 of each that were never matched. "
    "Two generators (G_ab: A → B, G_ba: B → A) each face a critic that knows the real pictures of its "
    "target class. The critics alone only ask that a translated sandal *looks like some sneaker*: any "
    "sneaker would do, unrelated to the sandal. The **cycle loss** adds: going there and back, "
    "G_ba(G_ab(a)), must give the sandal again. To be able to come back, G_ab has to keep what it can of the "
    "sandal (its size, its outline, where the sole is) and change only what makes it a sandal.\n\n"
    "Below: a test item (pick one, or paint on it), its translation, and its round trip. Our classifier "
    "(section 4) says what each translation looks like.")
TOY_TEXT = (
    "### Why the cycle matters, in 2D\nCloud A is a ring (green), cloud B a bar (purple). G_ab moves the ring's "
    "points onto the bar (orange), G_ba moves them back. Each red arrow runs from a point of A to where its "
    "round trip G_ba(G_ab(a)) lands. With the cycle loss the arrows are short: every point comes home. "
    "Without it nothing ties a point to its way back: G_ab is free to squeeze the ring into a small part of "
    "the bar (a kind of mode collapse), G_ba cannot tell the squeezed points apart, and the round trips land "
    "far from where they started: long arrows. Both toys are trained here, in a few seconds, when you press "
    "the button.")


# ----------------------------------------------------------------------------------------------------
# Test items in, translations out


@functools.lru_cache(maxsize=2)
def example_items(label: int) -> np.ndarray:
    """uint8 (N_EXAMPLES, 28, 28): the first test items of a class, the same every time."""
    return cyclegan_lib.held_out(label, N_EXAMPLES)


def item_picture(item: np.ndarray, scale: int = SHOW_SCALE) -> np.ndarray:
    return enlarge(np.repeat(item[..., None], 3, axis=2), scale)


def gallery(label: int) -> list[str]:
    return [save_image(item_picture(item, 4), "cyclegan-example", compress_level=1) for item in example_items(label)]


def editor_value(item: np.ndarray) -> dict:
    """An editor value showing a 28 px item at SHOW_SCALE, to paint on."""
    picture = np.concatenate([item_picture(item), np.full((ITEM_SIDE * SHOW_SCALE,) * 2 + (1,), 255, np.uint8)], 2)
    return {"background": picture, "layers": [], "composite": picture}


def editor_item(value: dict | None) -> np.ndarray | None:
    """The editor's picture (with the user's paint) -> uint8 (28, 28) grey, transparent = black; None if empty."""
    picture = None if not value else value.get("composite")
    if picture is None and value:
        picture = value.get("background")
    if picture is None:
        return None
    picture = np.asarray(picture).astype(np.float32)
    if picture.ndim == 3:
        alpha = picture[..., 3] / 255 if picture.shape[2] == 4 else 1.0
        picture = picture[..., :3].mean(axis=2) * alpha
    grey = Image.fromarray(np.clip(picture, 0, 255).round().astype(np.uint8))
    return np.asarray(grey.resize((ITEM_SIDE, ITEM_SIDE), Image.BOX))


def not_trained() -> str:
    return (f"⚠️ `{WEIGHTS}` is not here (weights/{WEIGHTS}.safetensors is missing): `python -m gan_core.training "
            f"--recipe {WEIGHTS}` trains it (about 40 minutes on one CPU thread), and it shows here at once.")


def verdict(image: np.ndarray, expected: int) -> str:
    """The classifier's class for one item, marked ✓ if it is the expected one."""
    try:
        label = int(classifier.predict(image[None])[0])
    except FileNotFoundError:
        return "(no classifier shipped)"
    return f"**{FASHION_CLASSES[label]}**" + (" ✓" if label == expected else " ✗")


def round_trip(item: np.ndarray | None, direction: str):
    """(real, fake, reconstructed) pictures and a line of verdicts for one item and direction."""
    source, target = SIDES[direction]
    if item is None:
        return None, None, None, f"Pick a {FASHION_CLASSES[source].lower()} or paint one first."
    real = save_image(item_picture(item), f"cyclegan-real-{direction}", compress_level=1)
    back_direction = "b2a" if direction == "a2b" else "a2b"
    try:
        fake = gan_core.translate(item, weights=WEIGHTS, direction=direction)
        back = gan_core.translate(fake, weights=WEIGHTS, direction=back_direction)
    except FileNotFoundError:
        return real, None, None, f"⚠️ `{WEIGHTS}` is not trained yet: no translation to show."
    error = float(np.abs(back.astype(np.float32) - item).mean() / 255)
    return (real, save_image(item_picture(fake), f"cyclegan-fake-{direction}", compress_level=1),
            save_image(item_picture(back), f"cyclegan-back-{direction}", compress_level=1),
            f"The classifier takes the real item for {verdict(item, source)}, its translation for "
            f"{verdict(fake, target)} (it should be a {FASHION_CLASSES[target].lower()}), and the round trip for "
            f"{verdict(back, source)}. Round-trip error: **{error:.3f}** (mean absolute, 0-1 scale).")


def translate_both(editor_a: dict | None, editor_b: dict | None):
    """Both rows: sandal -> sneaker -> sandal and sneaker -> sandal -> sneaker."""
    return (*round_trip(editor_item(editor_a), "a2b"), *round_trip(editor_item(editor_b), "b2a"))


def pick_a(selection: gr.SelectData):
    return editor_value(example_items(cyclegan_lib.CLASS_A)[int(selection.index)])


def pick_b(selection: gr.SelectData):
    return editor_value(example_items(cyclegan_lib.CLASS_B)[int(selection.index)])


# ----------------------------------------------------------------------------------------------------
# The training run


def shown_path(path) -> str:
    """A path as the page shows it: relative to the repository when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def training_log():
    """The first of LOGS that exists, or None."""
    return next((path for path in LOGS if path.exists()), None)


def training_curves():
    """(losses, the classifier's verdicts on held-out items, note) along the CycleGAN run."""
    path = training_log()
    if path is None:
        return empty_curves(), empty_curves(), (
            f"No training log here yet ({', '.join(shown_path(p) for p in LOGS)}): the curves appear "
            "once a CycleGAN run has started.")
    losses = weights_lib.read_log(path, ("cycle", "adv", "identity", "loss_d_a", "loss_d_b"))
    verdicts = weights_lib.read_log(path, ("eval_a2b_taken_for_b", "eval_b2a_taken_for_a", "eval_round_trip_mae_a"))
    return (curves(losses, {"adv": "G's adversarial", "cycle": "cycle (L1)", "identity": "identity (L1)",
                            "loss_d_a": "D_a's", "loss_d_b": "D_b's"}),
            curves(verdicts, {"eval_a2b_taken_for_b": "sandal → taken for a sneaker",
                              "eval_b2a_taken_for_a": "sneaker → taken for a sandal",
                              "eval_round_trip_mae_a": "a sandal's round-trip error"}),
            f"From `{shown_path(path)}`: "
            f"{len(losses['step'])} logged steps, the last at step {losses['step'][-1] if losses['step'] else 0}.")


def model_numbers() -> str:
    """The shipped model's measured numbers (500 held-out items each way), or that it is not trained yet."""
    try:
        card = weights_lib.read_card(weights_lib.named_weights(WEIGHTS))
    except FileNotFoundError:
        return not_trained()
    numbers = card.get("evaluation", {}).get("held_out_500_each", {})
    if not numbers:
        return f"`{WEIGHTS}`: {card.get('steps', '?')} training steps; not measured yet."
    share = lambda key: f"{numbers[key]:.1%}" if key in numbers else "?"  # noqa: E731
    return (f"`{WEIGHTS}`, {card.get('steps', '?')} training steps, on 500 test items each way: translated "
            f"sandals taken for sneakers **{share('a2b_taken_for_b')}**, translated sneakers taken for sandals "
            f"**{share('b2a_taken_for_a')}**; a sandal's round-trip error "
            f"**{numbers.get('round_trip_mae_a', float('nan')):.3f}** (`python -m gan_core.learn.cyclegan --evaluate "
            f"{WEIGHTS}`).")


# ----------------------------------------------------------------------------------------------------
# The 2D toy


@functools.lru_cache(maxsize=4)
def toy_result(cycle_weight: float) -> dict:
    """A trained toy (seeded, so the same every time: trained once per server)."""
    return train_toy_cycle(ToyCycleConfig(cycle_weight=cycle_weight))


def to_pixels(points: np.ndarray, size: int = TOY_SIZE) -> np.ndarray:
    """View coordinates (x right, y up) -> pixel (col, row)."""
    low, high = TOY_VIEW
    scaled = (np.asarray(points, np.float64) - low) / (high - low) * size
    return np.stack([scaled[:, 0], size - scaled[:, 1]], 1)


def draw_arrow(draw: ImageDraw.ImageDraw, start, end, colour, head: float = 6.0) -> None:
    draw.line([tuple(start), tuple(end)], fill=colour, width=2)
    direction = np.asarray(end, np.float64) - start
    length = float(np.hypot(*direction))
    if length < 1:
        return
    unit, normal = direction / length, np.array([-direction[1], direction[0]]) / length
    size = min(head, length * 0.6)
    base = np.asarray(end) - unit * size
    draw.polygon([tuple(end), tuple(base + normal * size / 2), tuple(base - normal * size / 2)], fill=colour)


def draw_toy(result: dict, size: int = TOY_SIZE, n_arrows: int = TOY_ARROWS) -> np.ndarray:
    """The two clouds, A moved onto B, and arrows from points of A to their round trips, as (size, size, 3)."""
    canvas = Image.new("RGB", (size, size), (250, 250, 250))
    draw = ImageDraw.Draw(canvas)
    dots = (("points_a", (20, 120, 40)), ("points_b", (110, 40, 160)), ("fake_b", (240, 150, 40)))
    for key, colour in dots:
        for col, row in to_pixels(result[key], size):
            draw.ellipse([col - 2.5, row - 2.5, col + 2.5, row + 2.5], fill=colour)
    arrows = result["round_trip_arrows"][:n_arrows]
    for (start, end) in zip(to_pixels(arrows[:, 0], size), to_pixels(arrows[:, 1], size)):
        draw_arrow(draw, start, end, (200, 30, 40))
    return np.asarray(canvas)


def toy_pictures():
    """The toy trained with and without the cycle loss: two pictures and the mean round-trip distances."""
    with_cycle, without = toy_result(TOY_CYCLE_WEIGHT), toy_result(0.0)
    return (save_image(draw_toy(with_cycle), "cycle-toy-with", compress_level=1),
            save_image(draw_toy(without), "cycle-toy-without", compress_level=1),
            f"Mean distance from a point of A to its round trip: **{with_cycle['mean_round_trip']:.3f}** with the "
            f"cycle loss (weight {TOY_CYCLE_WEIGHT:g}), **{without['mean_round_trip']:.3f}** without it "
            f"(the ring's radius is 0.5; {ToyCycleConfig().steps} training steps each).")


def build() -> None:
    """The CycleGAN section's components and events, inside the Learn tab."""
    gr.Markdown("## 6. CycleGAN: sandals ↔ sneakers without pairs")
    gr.Markdown(EXPLAINER)
    status = gr.Markdown()
    editors, galleries, rows = [], [], []
    for direction, title in (("a2b", "A sandal"), ("b2a", "A sneaker")):
        source, target = SIDES[direction]
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=260):
                editors.append(gr.ImageEditor(
                    label=f"{title} (paint on it if you like)", type="numpy", image_mode="RGBA", format="png",
                    canvas_size=(ITEM_SIDE * SHOW_SCALE,) * 2, fixed_canvas=True, sources=(), transforms=(),
                    layers=False, brush=gr.Brush(colors=["#ffffff", "#808080", "#000000"], default_size=12),
                    height=320, elem_id=f"cyclegan-editor-{direction}"))
            with gr.Column(scale=2):
                with gr.Row():
                    pictures = [gr.Image(label=label, type="filepath", interactive=False, height=230, buttons=[])
                                for label in (f"Real {FASHION_CLASSES[source].lower()}",
                                              f"→ fake {FASHION_CLASSES[target].lower()}",
                                              f"→ back: reconstructed {FASHION_CLASSES[source].lower()}")]
                rows.append([*pictures, gr.Markdown()])
                galleries.append(gr.Gallery(label=f"Test {FASHION_CLASSES[source].lower()}s (click one)",
                                            columns=N_EXAMPLES, height=110, allow_preview=False,
                                            object_fit="contain", buttons=[],
                                            elem_id=f"cyclegan-examples-{direction}"))
    translate_button = gr.Button("Translate both ▶", variant="primary")
    gr.Markdown("### The training run")
    with gr.Row():
        losses_plot = line_plot("Losses", "loss", 240)
        verdicts_plot = line_plot("On 500 held-out test items each way", "share / error", 240)
    curves_note = gr.Markdown()
    gr.Markdown(TOY_TEXT)
    toy_button = gr.Button("Train the 2D toy with and without the cycle loss ▶")
    with gr.Row():
        toy_with = gr.Image(label=f"With the cycle loss (weight {TOY_CYCLE_WEIGHT:g})", type="filepath",
                            interactive=False, height=TOY_SIZE, width=TOY_SIZE)
        toy_without = gr.Image(label="Without the cycle loss", type="filepath", interactive=False, height=TOY_SIZE,
                               width=TOY_SIZE)
    toy_note = gr.Markdown()

    outputs = [*rows[0], *rows[1]]
    translate_button.click(translate_both, editors, outputs, api_name="cyclegan_translate")
    for picker, pick, editor, name in ((galleries[0], pick_a, editors[0], "cyclegan_pick_a"),
                                       (galleries[1], pick_b, editors[1], "cyclegan_pick_b")):
        picker.select(pick, None, editor, api_name=name, api_visibility="undocumented").then(
            translate_both, editors, outputs, show_progress="hidden", api_visibility="private")
    for direction, editor in zip(SIDES, editors):
        editor.change(translate_both, editors, outputs, api_name=f"cyclegan_live_{direction}",
                      api_visibility="undocumented", trigger_mode="always_last", show_progress="hidden")
    toy_button.click(toy_pictures, None, [toy_with, toy_without, toy_note], api_name="cycle_toy")

    def on_load():   # a value set by a handler does not fire the editors' change events: translate here too
        first_a = editor_value(example_items(cyclegan_lib.CLASS_A)[0])
        first_b = editor_value(example_items(cyclegan_lib.CLASS_B)[0])
        return (gallery(cyclegan_lib.CLASS_A), gallery(cyclegan_lib.CLASS_B), first_a, first_b, model_numbers(),
                *training_curves(), *translate_both(first_a, first_b))

    on_page_load(on_load, None, [*galleries, *editors, status, losses_plot, verdicts_plot, curves_note, *outputs],
                 api_name="cyclegan_on_load", api_visibility="undocumented")
