"""Learn this photo first: the option, the live chart and the Stop button the Inpaint, Extend and Paintings tabs share.

With the option ticked, a tab's button runs a generator handler. gan_core's fill_steps and extend_steps let the
GAN learn the photo in front of it (gan_core.inpainting.adapt: the generator practises on holes cut out of the
photo's known pixels, alone or in its whole game with the critic, as the library's AdaptConfig says) and yield
after every update; here each update moves the progress bar, the loss chart and the line of losses above it,
and every REDRAW_EVERY updates the tab redraws the fill, so a person watches the generator learn. The chart
draws whichever of the losses the updates report: G's L1 always, its adversarial loss and D's when D plays.
Stop cancels the event: the page keeps the last fill it was sent (and its download).

    for learned, result, chart, line in follow(fill_steps(...), progress, request):
        ...   # yield the tab's outputs: the chart and line always, the pictures when result is not None

The progress bar is shown on the tab's status text alone (watch()), emptied first and left alone until the end:
Gradio's usual overlay would cover the fill and the chart a person is there to watch, and a status text sent
while the event runs hides the bar.
"""
from collections.abc import Iterator
from dataclasses import dataclass

import gradio as gr
import pandas as pd

from gan_core.inpainting.adapt import DEFAULT_STEPS, AdaptStep
from studio.i18n import language, t
from studio.lessons import CHINESE, ENGLISH, say

MAX_STEPS = 200       # the slider's end and the API's limit: a few minutes of a 2-core CPU at the working size
REDRAW_EVERY = 5      # updates between two fills drawn while learning (each costs a whole fill)
CURVES = {            # AdaptStep.stats key -> (the lesson that names its curve, the curve's colour)
    "adv": ("adapt_series_adv", "#8e44ad"),   # G's two charges ...
    "l1": ("adapt_series_l1", "#e67e22"),
    "loss_d": ("adapt_series_d", "#27ae60"),  # ... and D's
}
STATUS_HEIGHT = 64    # px: room on the status text for the progress bar shown on it


@dataclass
class LearnOption:
    """The option, where a tab's settings are."""
    learn: gr.Checkbox
    steps: gr.Slider


@dataclass
class LiveView:
    """What a person watches while the GAN learns, where a tab's results are (shown while the option is on)."""
    column: gr.Column
    line: gr.Markdown         # where learning is, and the last losses, each after a square of its curve's colour
    chart: gr.LinePlot
    stop: gr.Button


def learn_option(elem_prefix: str) -> LearnOption:
    """"Learn this photo first" and its number of steps (off by default: the shipped model fills at once)."""
    learn = gr.Checkbox(False, label=t("adapt"), info=t("adapt_info"), elem_id=f"{elem_prefix}-learn")
    steps = gr.Slider(1, MAX_STEPS, value=DEFAULT_STEPS, step=1, label=t("adapt_steps"),
                      elem_id=f"{elem_prefix}-learn-steps")
    return LearnOption(learn, steps)


def status_text(elem_id: str) -> gr.Markdown:
    """A tab's status text, with room for the progress bar that watch() shows on it."""
    return gr.Markdown(min_height=STATUS_HEIGHT, elem_id=elem_id)


def live_view(elem_prefix: str) -> LiveView:
    """The line of losses, the chart, the Stop button and the lesson on what they show; hidden until the option
    is ticked.

    The chart starts empty as None, never as an empty table: Gradio 6.31's LinePlot first drawn from a table
    without rows draws later lines without colour (invisible) for good."""
    with gr.Column(visible=False, elem_id=f"{elem_prefix}-live") as column:
        line = gr.Markdown(elem_id=f"{elem_prefix}-learning")
        chart = gr.LinePlot(None, x="step", y="value", color="series", label=t("adapt_chart"), x_title="step",
                            y_title="loss", color_title=" ", height=240, elem_id=f"{elem_prefix}-chart",
                            color_map={say(key, lang): colour for key, colour in CURVES.values()
                                       for lang in (ENGLISH, CHINESE)})
        stop = gr.Button(t("adapt_cancel"), variant="stop", size="sm", elem_id=f"{elem_prefix}-stop")
        gr.Markdown(t("adapt_lesson"))
    return LiveView(column, line, chart, stop)


def watch(trigger, status: gr.Markdown, fn, inputs: list, outputs: list, clear=None, clear_inputs=None, **options):
    """trigger(...) (a button's click) runs fn so that a person can watch the GAN learn: the status text is
    emptied at once (by `clear`, if given), then fn runs with its progress bar on the status text alone.
    Returns fn's event (for cancels, success and then)."""
    cleared = trigger(clear or empty_status, clear_inputs, status, queue=False, show_progress="hidden",
                      api_visibility="private")
    return cleared.then(fn, inputs, outputs, show_progress_on=[status], **options)


def empty_status() -> str:
    return ""


def wire(option: LearnOption, view: LiveView, events: list, status: gr.Markdown) -> None:
    """Show the live view while the option is ticked; Stop cancels `events` (the runs that may be learning) and
    says so in the status text."""
    option.learn.change(lambda on: gr.update(visible=bool(on)), option.learn, view.column, queue=False,
                        api_visibility="private")
    view.stop.click(stopped, status, status, cancels=events, queue=False, api_visibility="private")


def stopped(status: str, request: gr.Request = None):
    """Stop pressed: what the page now shows, unless a run has finished already (its status text is there)."""
    return gr.update() if status else say("adapt_stopped", language(request))


# ----------------------------------------------------------------------------------------------------
# Following a run


def ready(download: str) -> dict:
    """A fill drawn while learning, as its Download button's value, clickable at once: Stop cancels the event
    before the button's usual "ready" step runs. (The last fill is sent as a plain path, which scripts read.)"""
    return gr.update(value=download, interactive=True)


def steps_to_learn(learn: bool, steps) -> int:
    """0 when the option is off, else the slider's number of steps within 1..MAX_STEPS."""
    if not learn:
        return 0
    return int(min(MAX_STEPS, max(1, round(float(steps or DEFAULT_STEPS)))))


def check_steps(adapt) -> int:
    """An API caller's `adapt` (0 = off, or a number of steps) as an int, or a gr.Error that says what is allowed."""
    try:
        steps = float(adapt or 0)
    except (TypeError, ValueError):
        steps = -1.0
    if steps != int(steps) or not 0 <= steps <= MAX_STEPS:
        raise gr.Error(f"adapt must be a whole number of steps from 0 (off) to {MAX_STEPS}, not {adapt!r}.")
    return int(steps)


def check_seed(seed) -> int:
    """An API caller's seed as an int in 0..2**32 - 1, or a gr.Error."""
    try:
        value = float(seed or 0)
    except (TypeError, ValueError):
        value = -1.0
    if value != int(value) or not 0 <= value < 2**32:
        raise gr.Error(f"seed must be a whole number from 0 to {2**32 - 1}, not {seed!r}.")
    return int(value)


def curves(history: list[AdaptStep], lang: int = ENGLISH) -> pd.DataFrame | None:
    """One long table (step, value, series) of the losses the chart shows, for the steps so far (None before
    the first: see live_view)."""
    rows = [(learned.step, float(learned.stats[key]), say(name, lang))
            for learned in history for key, (name, _) in CURVES.items() if key in learned.stats]
    return pd.DataFrame(rows, columns=["step", "value", "series"]) if rows else None


def status_line(learned: AdaptStep, lang: int = ENGLISH) -> str:
    """Where learning is, and the last update's losses, each after a square of its curve's colour (the chart's
    own legend does not fit under it), in the browser's language."""
    if learned.step == 0:
        return say("adapt_status_start", lang, steps=learned.steps)
    losses = " · ".join(f'<span style="color:{colour}">■</span> {say(name, lang)} **{learned.stats[key]:.3f}**'
                        for key, (name, colour) in CURVES.items() if key in learned.stats)
    return say("adapt_status_step", lang, step=learned.step, steps=learned.steps, losses=losses)


def follow(updates: Iterator[tuple[AdaptStep, object]], progress=None, request: gr.Request | None = None
           ) -> Iterator[tuple[AdaptStep, object, object, str]]:
    """(where learning is, the fill drawn at this update or None, the chart's value, the line above it) for each
    update of fill_steps / extend_steps, moving the progress bar as it goes.

    The chart's value is the table so far; before the first update, an update that empties the chart and
    spans its x axis over every step to come, so the curves grow from left to right. The bar moves after each
    yield, while the next update is computed: Gradio hides it from a yield to the next move."""
    lang, history = language(request), []
    for learned, result in updates:
        if learned.stats:
            history.append(learned)
        chart = curves(history, lang)
        if learned.step == 0:
            chart = gr.update(value=chart, x_lim=[0, learned.steps])
        yield learned, result, chart, status_line(learned, lang)
        if progress is not None and learned.steps:
            progress((learned.step, learned.steps), desc=say("adapt_progress", lang), unit="steps")
