"""Learn, part 2: the classic DCGAN on Fashion-MNIST: samples, a walk through its latent space, and the story
of its training run, from the log and sample grids shipped with its weights."""
import gradio as gr
import numpy as np
from PIL import Image

from gan_core.core import weights as weights_lib
from gan_core.core.device import load, one_thread
from gan_core.learn import dcgan
from studio.common import enlarge, on_page_load, save_image
from studio.learn.plots import curves, empty_curves, line_plot

WEIGHTS = "dcgan-fashion"              # weights/NAME.safetensors + NAME.json, loaded with gan_core.core.device.load
LOG = weights_lib.WEIGHTS_DIR / "dcgan-fashion.log.jsonl"          # the training run's log, shipped with the weights
SAMPLES = weights_lib.WEIGHTS_DIR / "dcgan-fashion-samples"        # step_*.png grids from the same run
GRID = 8                               # samples per side of the grid; also frames in the interpolation row
FRAME_SCALE = 8                        # Fashion-MNIST's 32 px shown at 256 px
EXPLAINER = (
    "The same game, with convolutional networks (DCGAN, Radford et al. 2016) on 32×32 Fashion-MNIST: G turns "
    "100 random numbers into a garment. Each noise vector is a point in G's *latent space*; walking in a "
    "straight line between two of them morphs one garment into another, which shows G has learnt a smooth "
    "map, not a list of memorised pictures. In the training story, D(x) and D(G(z)) start far apart (D wins "
    "easily) and move toward each other as G improves; they rarely settle at 0.5, because both players keep "
    "learning.")


def dcgan_models():
    """(generator, discriminator, card) of the shipped DCGAN, on the CPU; FileNotFoundError that says what to do."""
    try:
        return load(WEIGHTS, "dcgan", device="cpu")
    except FileNotFoundError as error:
        raise FileNotFoundError(f"The DCGAN's weights are not here yet ({error}). Train and export them with "
                                "`python -m gan_core.training --task dcgan ... --export dcgan-fashion`.") from error


def dcgan_samples(seed: float):
    """An 8 x 8 grid of G(z) from fixed noise (the seed), and a line about the model."""
    try:
        generator, _, card = dcgan_models()
    except FileNotFoundError as error:
        return None, f"⚠️ {error}"
    with one_thread():   # fastest for small batches on a busy CPU
        images = dcgan.generate(generator, dcgan.seeded_noise(seed, GRID * GRID, generator.config.noise_dim))
    grid = enlarge(dcgan.to_picture(images, GRID, padding=2), 2)
    return (save_image(grid, "dcgan-samples", compress_level=1),
            f"64 garments from noise seed {int(seed)}: model `{card.get('name', WEIGHTS)}`, trained "
            f"{card.get('steps', '?')} steps on {card.get('data', {}).get('images', '?')} images.")


def dcgan_interpolate(seed_a: float, seed_b: float, t: float):
    """Walk from z_a to z_b: a row of 8 frames, and the single frame at t (0 = z_a, 1 = z_b).

    Each point of the straight line is put back on the sphere |z| = sqrt(noise_dim), where G's training
    noise lives; halfway between two random z the plain average is too short and looks washed out.
    """
    try:
        generator, _, _ = dcgan_models()
    except FileNotFoundError as error:
        return None, None, f"⚠️ {error}"
    fractions = [*np.linspace(0, 1, GRID), float(t)]               # 8 frames + the one at t
    with one_thread():
        frames = dcgan.walk(generator, int(seed_a), int(seed_b), fractions)
    row = enlarge(dcgan.to_picture(frames[:GRID], GRID, padding=2), 3)
    single = enlarge(dcgan.to_picture(frames[-1]), FRAME_SCALE)
    return (save_image(row, "dcgan-row", compress_level=1), save_image(single, "dcgan-frame", compress_level=1),
            f"From seed {int(seed_a)} (left) to seed {int(seed_b)} (right); the large frame is at t = {float(t):.2f}.")


def story_grids() -> list:
    """The shipped sample grids, in step order."""
    return sorted(SAMPLES.glob("step_*.png")) if SAMPLES.is_dir() else []


def dcgan_story():
    """The shipped training log as curves (losses; D(x) and D(G(z))), and the scrubber over sample grids."""
    losses, scores, note = empty_curves(), empty_curves(), ""
    if LOG.exists():
        history = weights_lib.read_log(LOG, ("loss_d", "loss_g", "d_real", "d_fake"))
        losses = curves(history, {"loss_d": "D's loss", "loss_g": "G's loss"})
        scores = curves(history, {"d_real": "D(x)", "d_fake": "D(G(z))"})
    else:
        note = "⚠️ The training log (weights/dcgan-fashion.log.jsonl) is not shipped with this copy. "
    grids = story_grids()
    if not grids:
        note += "⚠️ No sample grids (weights/dcgan-fashion-samples/step_*.png) are shipped with this copy."
    slider = gr.Slider(minimum=0, maximum=max(len(grids) - 1, 1), value=len(grids) - 1 if grids else 0, step=1,
                       interactive=len(grids) > 1)
    image, caption = dcgan_story_frame(len(grids) - 1)
    return losses, scores, slider, image, caption + ("\n\n" + note if note else "")


def dcgan_story_frame(index: float):
    """The sample grid saved at one point of training (index into the shipped grids, in step order)."""
    grids = story_grids()
    if not grids:
        return None, "No sample grids shipped."
    path = grids[int(np.clip(index, 0, len(grids) - 1))]
    step = int(path.stem.split("_")[-1])
    with Image.open(path) as grid:   # copied to our folder: Gradio serves files only from allowed places
        picture = np.asarray(grid.convert("RGB"))
    return (save_image(picture, "dcgan-story", compress_level=1),
            f"The same 64 noise vectors after **{step}** training steps ({int(index) + 1} of {len(grids)}).")


def build() -> None:
    """The DCGAN section's components and events, inside the Learn tab."""
    gr.Markdown("## 2. A DCGAN on Fashion-MNIST")
    gr.Markdown(EXPLAINER)
    with gr.Row():
        with gr.Column():
            sample_seed = gr.Number(0, precision=0, label="Noise seed")
            sample_button = gr.Button("Generate 64 garments", variant="primary")
            sample_grid = gr.Image(label="G(z) for 64 fixed noise vectors", type="filepath", interactive=False)
            sample_note = gr.Markdown()
        with gr.Column():
            with gr.Row():
                seed_a = gr.Number(1, precision=0, label="Seed of z_a")
                seed_b = gr.Number(2, precision=0, label="Seed of z_b")
            walk = gr.Slider(0, 1, value=0.5, step=0.05, label="From z_a (0) to z_b (1)")
            walk_row = gr.Image(label="8 steps along the way", type="filepath", interactive=False, height=120)
            walk_frame = gr.Image(label="The garment at the slider", type="filepath", interactive=False,
                                  height=256, width=256)
            walk_note = gr.Markdown()
    gr.Markdown("### The training story\nThe run that made these weights, from its log.")
    with gr.Row():
        story_losses = line_plot("Losses", "loss", 240)
        story_scores = line_plot("Mean D(x) and D(G(z))", "probability", 240)
    with gr.Row():
        with gr.Column():
            story_index = gr.Slider(0, 1, value=0, step=1, label="Scrub through training (sample grids)")
            story_caption = gr.Markdown()
        story_grid = gr.Image(label="Samples during training", type="filepath", interactive=False, height=300)

    sample_button.click(dcgan_samples, sample_seed, [sample_grid, sample_note], api_name="dcgan_samples")
    walk_inputs = [seed_a, seed_b, walk]
    for control in walk_inputs:
        control.change(dcgan_interpolate, walk_inputs, [walk_row, walk_frame, walk_note],
                       api_name="dcgan_interpolate" if control is walk else f"dcgan_interpolate_{control.label[-3:]}",
                       api_visibility="public" if control is walk else "undocumented",
                       trigger_mode="always_last", show_progress="hidden")
    story_index.change(dcgan_story_frame, story_index, [story_grid, story_caption], api_name="dcgan_story_frame",
                       show_progress="hidden")
    on_page_load(dcgan_story, None, [story_losses, story_scores, story_index, story_grid, story_caption],
                 api_name="dcgan_story")
    on_page_load(dcgan_samples, sample_seed, [sample_grid, sample_note], api_name="dcgan_samples_on_load",
                 api_visibility="undocumented")
    on_page_load(dcgan_interpolate, walk_inputs, [walk_row, walk_frame, walk_note],
                 api_name="dcgan_interpolate_on_load", api_visibility="undocumented")
