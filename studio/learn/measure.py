"""Learn, part 4: how good is a generator? Our own Fashion-MNIST classifier's two numbers (gan_core.learn.classifier),
the Fréchet distance to the test set and class coverage, for the shipped generators (docs/learn-metrics.json)
and along the shipped run (its log holds FD and coverage at each sample grid); and mode collapse in real images."""
import json

import gradio as gr
import numpy as np
import pandas as pd

from gan_core.core import weights as weights_lib
from gan_core.learn.sampling import sample_grid
from gan_core.photos.data import FASHION_CLASSES
from studio.common import ROOT, enlarge, on_page_load
from studio.learn.plots import curves, empty_curves, line_plot

METRICS = ROOT / "docs" / "learn-metrics.json"        # python -m gan_core.learn.measure_generators --out docs/learn-metrics.json
RUN_METRICS = (weights_lib.WEIGHTS_DIR / "dcgan-fashion.log.jsonl",   # the shipped run's log: FD at each sample grid
               ROOT / "runs" / "dcgan" / "metrics.jsonl")   # python -m gan_core.learn.measure_generators --run runs/dcgan
BASELINE = "train_vs_test"             # real training images against the test set: what a perfect generator scores
HEALTHY = "dcgan-fashion"              # the shipped DCGAN
COLLAPSE_MARK = "collapse"             # a measured generator whose name holds this word is a recorded collapsed run
CLASS_SHARE_LIMIT = 0.02               # a class counts as covered above this share (as in gan_core.learn.measure_generators)

EXPLAINER = (
    "A GAN's losses do not say how good its pictures are: D and G only score each other. To measure a "
    "generator we need a judge that knows the clothes, so we trained one here: a small Fashion-MNIST "
    "classifier (`weights/fashion-classifier`, over 90% right on the test set). It gives two numbers.\n\n"
    "**Fréchet distance (FD), lower is better.** The classifier turns every picture into 128 numbers, its "
    "*features* (the layer before its verdict), which describe what it sees: a sole, a collar, a strap. We "
    "take 5,000 generated pictures and the 10,000 test pictures, summarise each set's features by their "
    "average and how they spread (a Gaussian), and measure how far apart the two summaries are. Blurry "
    "pictures, wrong shapes and missing kinds of garment all move the summary away. This is the FID of "
    "GAN papers, with our own network in place of Google's Inception, so nothing is downloaded; the numbers "
    "compare only with other numbers from the same classifier. Two sets of *real* pictures (5,000 from the "
    "training set against the test set) score close to 0, not exactly 0, because both are finite samples.\n\n"
    "**Class coverage.** The share of generated pictures the classifier puts in each of the 10 classes. Real "
    "data has 10% in each. A generator that has *collapsed* onto a few modes piles its pictures into a few "
    "classes and leaves others empty, however sharp each picture is.")
COLLAPSE_TEXT = (
    "### Mode collapse, in real images\nThe playground's *mode collapse* preset shows G sending all its points "
    "to one mode of a 2D ring. The same failure on Fashion-MNIST shows up in class coverage: a collapsed "
    "generator draws, say, only bags and trousers, and the bar chart on the left has a few tall bars, while "
    "a healthy one (right) spreads its pictures over all 10 classes.")
COLLAPSE_RECORDED = (
    "The collapsed generator on the left is recorded, not invented: `dcgan-fashion-collapse` is the same "
    "DCGAN after its first 720 steps, trained 500 steps more with its critic frozen (`python -m gan_core.training "
    "--recipe dcgan-fashion-collapse`). D stops learning, so nothing pushes back when G moves every noise "
    "vector towards the one kind of picture D scores highest. In a real run the same happens when D falls "
    "behind G. (The finished DCGAN's critic is harder to fool: frozen for 500 steps, it only let stripes in.)")
SAMPLE_GRID = 6                        # samples a side in the collapse section's grids (seed 0, as in the Learn tab)


def samples_picture(name: str) -> np.ndarray | None:
    """A SAMPLE_GRID x SAMPLE_GRID grid of a shipped DCGAN's first samples, enlarged; None without its weights."""
    try:
        return enlarge(sample_grid(name, SAMPLE_GRID, seed=0, padding=2), 2)
    except FileNotFoundError:
        return None


def read_metrics(path=None) -> dict:
    """The measured generators of docs/learn-metrics.json ({name: {fd, coverage, ...}}), {} if not there."""
    path = METRICS if path is None else path
    if not path.exists():
        return {}
    return {name: entry for name, entry in json.loads(path.read_text()).items() if isinstance(entry, dict)}


def display_name(name: str) -> str:
    return "Real images (train vs test)" if name == BASELINE else name


def metrics_table(metrics: dict) -> pd.DataFrame:
    """One row per measured set: the real-image baseline first, then the generators."""
    names = sorted(metrics, key=lambda name: (name != BASELINE, name))
    return pd.DataFrame({
        "Images": [display_name(name) for name in names],
        "FD to the test set (lower is better)": [metrics[name]["fd"] for name in names],
        "Classes covered (of 10)": [metrics[name]["classes_covered"] for name in names],
        "Largest class share": [f"{metrics[name]['largest_class_share']:.1%}" for name in names],
    })


def coverage_frame(entry: dict) -> pd.DataFrame:
    """A measured set's class coverage as a table for a bar chart: class name, share."""
    return pd.DataFrame({"class": FASHION_CLASSES, "share": [float(share) for share in entry["coverage"]]})


def coverage_chart(entry: dict, title: str, y_max: float) -> gr.BarPlot:
    return gr.BarPlot(coverage_frame(entry), x="class", y="share", title=title, y_title="share of samples",
                      x_title="class the classifier sees", y_lim=[0, y_max], sort=FASHION_CLASSES,
                      x_label_angle=-40, height=260)


def collapsed_names(metrics: dict) -> list[str]:
    """Recorded collapsed runs among the measured generators (none until one has been trained and measured)."""
    return [name for name in metrics if COLLAPSE_MARK in name]


def run_history(path=None) -> list[dict]:
    """FD and coverage at each measured checkpoint of the DCGAN run, in step order ([] without a run)."""
    if path is None:
        path = next((candidate for candidate in RUN_METRICS if candidate.exists()), RUN_METRICS[0])
    if not path.exists():
        return []
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return sorted((record for record in records if "fd" in record and "step" in record), key=lambda r: r["step"])


def training_curves(path=None):
    """(FD along training, largest class share and classes covered along training, note) from the run's log."""
    history = run_history(path)
    if not history:
        return empty_curves(), empty_curves(), (
            "No measured training run here yet: the shipped log (`weights/dcgan-fashion.log.jsonl`) holds no FD. "
            "A DCGAN run of `gan_core.training.train` measures FD and coverage at each sample grid (`--sample-every`); "
            "`python -m gan_core.learn.measure_generators --run RUN_DIR` measures one checkpoint of another run.")
    columns = {"step": [r["step"] for r in history], "fd": [r["fd"] for r in history],
               "largest": [r["largest_class_share"] for r in history],
               "covered": [r["classes_covered"] / 10 for r in history]}
    fd = curves(columns, {"fd": "FD to the test set"})
    coverage = curves(columns, {"largest": "largest class share", "covered": "classes covered / 10"})
    last = history[-1]
    return fd, coverage, (f"{len(history)} measured points of the DCGAN's training run; at step {last['step']}: FD "
                          f"**{last['fd']:.1f}**, {last['classes_covered']} classes covered, the largest "
                          f"holding {last['largest_class_share']:.1%}.")


def samples_image(name: str) -> None:
    picture = samples_picture(name)
    if picture is not None:
        gr.Image(picture, label=f"{name}: its first {SAMPLE_GRID * SAMPLE_GRID} samples (seed 0)",
                 interactive=False, height=230, buttons=["download"])


def build() -> None:
    """The measurement section's components and events, inside the Learn tab."""
    gr.Markdown("## 4. How good is a generator?")
    gr.Markdown(EXPLAINER)
    metrics = read_metrics()
    if not metrics:
        gr.Markdown(f"⚠️ No measurements here yet ({METRICS.relative_to(ROOT)} is missing): run "
                    "`python -m gan_core.learn.measure_generators --out docs/learn-metrics.json`.")
    else:
        gr.Dataframe(metrics_table(metrics), label="Measured on 5,000 images each, against the 10,000 test images",
                     interactive=False, wrap=True)
        y_max = max(0.3, max(max(entry["coverage"]) for entry in metrics.values()) + 0.05)
        shown = sorted((name for name in metrics if name not in collapsed_names(metrics)),
                       key=lambda name: (name != BASELINE, name))
        with gr.Row():
            for name in shown:
                coverage_chart(metrics[name], f"Class coverage: {display_name(name)}", y_max)
        gr.Markdown("Real data has 10% in each class: every bar of a good generator is near it. Measured with "
                    "`python -m gan_core.learn.measure_generators --out docs/learn-metrics.json`.")

    gr.Markdown("### Along training\nThe DCGAN run's checkpoints, each measured the same way.")
    with gr.Row():
        fd_plot = line_plot("Fréchet distance to the test set", "FD", 240)
        coverage_plot = line_plot("Class coverage", "share", 240)
    training_note = gr.Markdown()
    on_page_load(training_curves, None, [fd_plot, coverage_plot, training_note], api_name="measure_training",
                 api_visibility="undocumented")

    gr.Markdown(COLLAPSE_TEXT)
    collapsed = collapsed_names(metrics)
    with gr.Row():
        with gr.Column():
            if collapsed:
                name = collapsed[0]
                coverage_chart(metrics[name], f"Collapsed: {name}", 1.0)
                samples_image(name)
                gr.Markdown(COLLAPSE_RECORDED)
                gr.Markdown(f"`{name}`: FD **{metrics[name]['fd']:.1f}**, {metrics[name]['classes_covered']} "
                            f"classes covered, the largest holding {metrics[name]['largest_class_share']:.1%}.")
            else:
                gr.Markdown("**A collapsed generator:** no collapsed run has been recorded yet; its recording "
                            "(coverage and samples) comes with the next training run. We show no invented "
                            "numbers in its place.")
        with gr.Column():
            if HEALTHY in metrics:
                coverage_chart(metrics[HEALTHY], f"Healthy: {HEALTHY}", 1.0 if collapsed else 0.3)
                samples_image(HEALTHY)
                gr.Markdown(f"`{HEALTHY}`: FD **{metrics[HEALTHY]['fd']:.1f}**, "
                            f"{metrics[HEALTHY]['classes_covered']} classes covered, the largest holding "
                            f"{metrics[HEALTHY]['largest_class_share']:.1%}.")
            else:
                gr.Markdown(f"The shipped DCGAN (`{HEALTHY}`) has not been measured yet.")
