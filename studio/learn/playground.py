"""Learn, part 1: the 2D playground. Two tiny networks (gan_core.learn.toy.game) play the GAN game on points in the plane.
What they show is said in words by lessons.py, in the browser's language.

One ToyGAN per browser session, in gr.State; a lock keeps its steps one at a time. While training, a timer
refreshes the view; each refresh plays as many steps as the chosen speed asks for since the last one.
"""
import threading
import time
from collections import deque

import gradio as gr
import numpy as np

from gan_core.learn.toy import game as toy
from studio.common import on_page_load, save_image
from studio.i18n import language, t
from studio import lessons
from studio.learn.plots import curves, line_plot

VIEW_SIZE = 400                        # pixels of the playground picture
TICK_S = 0.2                           # the live view refreshes this often while training
DEFAULT_SPEED = 60                     # steps per second while training (each refresh plays rate x time since the last)
MAX_STEPS_PER_TICK = 100               # bound on one refresh's work, so a late refresh cannot stall the worker
CURVES_EVERY_S = 1.0                   # while training, the curves are sent once a second (redrawing three
                                       # plots at every refresh slows the browser more than the picture does)
LOSSES = [("minimax", "minimax"), ("non-saturating", "nonsaturating"), ("least squares", "lsgan"),
          ("hinge", "hinge"), ("WGAN-GP", "wgan")]
LR_CHOICES = [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.1, 1.0]
CUSTOM = "(my own settings)"

LEGEND = (
    "**Reading the picture.** Green dots: real data. Purple dots: the generator's points G(z). Background: the "
    "discriminator's opinion of every spot, green = \"real\", purple = \"fake\", white = unsure. Black arrows: "
    "which way G's loss pushes each generated point. Lilac grid: G's *manifold*, a regular grid of noise z bent "
    "into the plane by G. Grey circles (ring and grid): the modes of the data.")
EXPLAINER = (
    "### The game\n"
    "A GAN is two networks playing against each other. The **discriminator D** looks at a point and says how "
    "likely it is to be real. The **generator G** turns random noise z into points and wants D to call them "
    "real. Goodfellow et al. (2014) wrote the game as\n\n"
    "**min_G max_D  E[log D(x)] + E[log(1 − D(G(z)))]**\n\n"
    "D raises this number by scoring real data x high and generated points G(z) low; G lowers it by making "
    "D(G(z)) high. They take turns: a few steps of D, then one step of G.\n\n"
    "**D(x) and D(G(z)) near 0.5** (for the log losses) mean D cannot tell real from generated: either G has "
    "learnt the data, or D has fallen behind. D(x) near 1 with D(G(z)) near 0 means D wins easily, and with "
    "the minimax loss G then gets almost no push (the arrows vanish).\n\n"
    "**Mode collapse**: G finds one spot D currently accepts and sends all its points there, covering one "
    "mode of the data instead of all of them. D learns that spot is fake, G jumps to another one, and the "
    "chase goes round. Watch *modes covered* in the mode collapse preset.\n\n"
    "**Why spectral normalisation and the hinge loss help.** Spectral normalisation limits how steeply D's "
    "score can change from one input to a nearby one (its Lipschitz constant), so D cannot become an "
    "infinitely sharp wall, and G always gets a smooth, useful slope to follow. The hinge loss stops "
    "rewarding D once a point is beyond the margin (score above +1 for real, below −1 for fake), so D stops "
    "growing ever more confident and the gradients it hands G stay sane. WGAN-GP reaches the same goal with "
    "a gradient penalty.")


class ToySession:
    """A user's playground: the game, a lock (ToyGAN is not thread-safe), the slow-motion step in progress,
    and the recent refreshes, for the speed shown under the picture."""

    def __init__(self, config: toy.ToyConfig | None = None):
        self.gan = toy.ToyGAN(config or toy.ToyConfig())
        self.lock = threading.Lock()
        self.slow = None                       # the generator of gan.slow_step() while stepping slowly
        self.last_tick = None                  # time of the last training refresh
        self.ticks = deque(maxlen=20)          # (time, steps) of recent refreshes
        self.last_curves = 0.0                 # when the live view last sent the curves


def toy_session(session: ToySession | None) -> ToySession:
    return session if isinstance(session, ToySession) else ToySession()


def toy_speed(session: ToySession) -> tuple[float, float]:
    """(steps per second, refreshes per second) over the recent refreshes; zeros when not training."""
    ticks = list(session.ticks)
    if len(ticks) < 2 or time.time() - ticks[-1][0] > 2 * TICK_S + 1:
        return 0.0, 0.0
    span = ticks[-1][0] - ticks[0][0]
    return sum(steps for _, steps in ticks[1:]) / span, (len(ticks) - 1) / span


def toy_stats(session: ToySession, snapshot: dict) -> str:
    """The numbers under the picture, in words."""
    gan, metrics = session.gan, snapshot["metrics"]
    probability = gan.config.loss in ("minimax", "nonsaturating")
    d_name = "D(x)" if probability else "D's score on real x"
    parts = [f"**Step {snapshot['step']}**",
             f"mean {d_name} = {snapshot['mean_d_real']:.3f}, D(G(z)) = {snapshot['mean_d_fake']:.3f}",
             f"JS = {metrics['js']:.3f} bits, KL = {metrics['kl']:.2f} bits"]
    if metrics["modes_covered"] is not None:
        parts.append(f"**modes covered: {metrics['modes_covered']} / {metrics['num_modes']}** "
                     f"(mean distance to the nearest mode {metrics['mode_distance']:.3f})")
    steps_per_s, refreshes_per_s = toy_speed(session)
    if steps_per_s:
        parts.append(f"training at {steps_per_s:.0f} steps/s, {refreshes_per_s:.1f} refreshes/s")
    return " · ".join(parts)


def toy_view(session: ToySession, show_surface: bool, show_arrows: bool, show_manifold: bool, view: dict | None = None):
    """The playground's outputs after any change: session, picture, three curves, numbers.

    view: a SlowStage's view to draw instead of the whole game (the curves and numbers stay the game's).
    """
    snapshot = session.gan.snapshot()
    image = toy.render(view or snapshot, size=VIEW_SIZE, show_surface=show_surface, show_arrows=show_arrows,
                       show_manifold=show_manifold)
    history, metric_history = snapshot["history"], snapshot["metric_history"]
    losses = curves(history, {"d_loss": "D's loss", "g_loss": "G's loss"})
    scores = curves(history, {"d_real": "D(x)", "d_fake": "D(G(z))"})
    distances = curves(metric_history, {"js": "JS (bits)", "kl": "KL (bits)"})
    return (session, save_image(image, "toy", webp=True), losses, scores, distances, toy_stats(session, snapshot))


def toy_start(show_surface: bool = True, show_arrows: bool = True, show_manifold: bool = True):
    """A fresh playground for a new page: the default game (non-saturating loss on the ring), not started."""
    return toy_view(ToySession(), show_surface, show_arrows, show_manifold)


def toy_redraw(session, show_surface: bool, show_arrows: bool, show_manifold: bool):
    """Draw the current game again (after a layer was switched on or off)."""
    session = toy_session(session)
    with session.lock:
        return toy_view(session, show_surface, show_arrows, show_manifold)


def toy_step(session, show_surface: bool, show_arrows: bool, show_manifold: bool, steps: int = 1):
    """Play `steps` rounds (k updates of D, then one of G) and show the result. The Step button plays one."""
    session = toy_session(session)
    with session.lock:
        session.slow = None
        session.gan.step(int(steps))
        return toy_view(session, show_surface, show_arrows, show_manifold)


def toy_tick(session, speed: float, show_surface: bool, show_arrows: bool, show_manifold: bool):
    """One refresh of the live view while training: play speed x (time since the last refresh) steps.

    Scaling by the time since the last refresh keeps training at `speed` steps/s even when refreshes come
    late. A refresh that finds the game busy (a button's step still running) changes nothing.
    """
    session = toy_session(session)
    if not session.lock.acquire(blocking=False):
        return (gr.skip(),) * 6
    try:
        now = time.time()
        elapsed = TICK_S if session.last_tick is None or now - session.last_tick > 1.0 else now - session.last_tick
        steps = int(min(MAX_STEPS_PER_TICK, max(1, round(float(speed) * elapsed))))
        session.slow = None
        session.gan.step(steps)
        session.last_tick = now
        session.ticks.append((now, steps))
        outputs = toy_view(session, show_surface, show_arrows, show_manifold)
        if now - session.last_curves < CURVES_EVERY_S:
            return (*outputs[:2], gr.skip(), gr.skip(), gr.skip(), outputs[5])
        session.last_curves = now
        return outputs
    finally:
        session.lock.release()


def toy_train():
    """Start the live view's timer."""
    return gr.Timer(active=True)


def toy_pause(session):
    """Stop the timer; the next Train continues the same game."""
    session = toy_session(session)
    session.last_tick = None
    session.ticks.clear()
    return session, gr.Timer(active=False)


def toy_reset(session, show_surface: bool, show_arrows: bool, show_manifold: bool):
    """Fresh networks and history with the same settings and seed."""
    session = toy_session(session)
    with session.lock:
        session.slow = None
        session.gan.reset()
        return toy_view(session, show_surface, show_arrows, show_manifold)


def toy_drawn_points(drawing) -> np.ndarray:
    """The points of a Sketchpad value (dict with layers / composite), via gan_core.learn.toy.game.points_from_drawing."""
    if not isinstance(drawing, dict):
        return np.zeros((0, 2), np.float32)
    layers = [layer for layer in drawing.get("layers") or [] if layer is not None]
    if layers and np.asarray(layers[0]).ndim == 3 and np.asarray(layers[0]).shape[2] == 4:
        alpha = np.asarray(layers[0])[..., 3]
        return toy.points_from_drawing(alpha) if alpha.any() else np.zeros((0, 2), np.float32)
    if drawing.get("composite") is not None:
        return toy.points_from_drawing(drawing["composite"])
    return np.zeros((0, 2), np.float32)


def toy_configure(session, target: str, loss: str, lr_g: float, lr_d: float, optimizer: str, d_steps: float,
                  noise_dim: float, drawing, show_surface: bool, show_arrows: bool, show_manifold: bool):
    """Apply the settings. The loss, learning rates, optimiser and D steps change the running game (try a
    new loss mid-training); a new target or noise size restarts it."""
    session = toy_session(session)
    changes = {"target": target, "loss": loss, "lr_g": float(lr_g), "lr_d": float(lr_d), "optimizer": optimizer,
               "d_steps": int(d_steps), "noise_dim": int(noise_dim)}
    if target == "drawn":
        points = toy_drawn_points(drawing)
        if len(points) == 0:
            gr.Warning("Draw some strokes on the sketchpad first: they become the data G must imitate.")
            changes.pop("target")
        else:
            changes["drawn_points"] = points.tolist()
    with session.lock:
        session.slow = None
        try:
            restarted = session.gan.configure(**changes)
        except ValueError as error:
            raise gr.Error(str(error)) from error
        if restarted:
            gr.Info("New target or noise size: the game starts again with fresh networks.")
        return toy_view(session, show_surface, show_arrows, show_manifold)


def toy_preset(session, name: str, show_surface: bool, show_arrows: bool, show_manifold: bool,
               request: gr.Request = None):
    """Load a preset: its settings (shown in the controls), fresh networks, and what to look for."""
    session = toy_session(session)
    text = lessons.preset_text(name, language(request))
    if name not in toy.PRESETS:
        return (session, *(gr.skip(),) * 5, text, *(gr.skip(),) * 7)
    config = toy.PRESETS[name].config
    with session.lock:
        session.slow = None
        session.gan = toy.ToyGAN(config)
        view = toy_view(session, show_surface, show_arrows, show_manifold)
    controls = (config.target, config.loss, config.lr_g, config.lr_d, config.optimizer, config.d_steps,
                config.noise_dim)
    return (*view, text, *controls)


def toy_formula(loss: str, request: gr.Request = None) -> str:
    """The two players' losses for the chosen game."""
    return lessons.formula(loss, language(request))


def toy_slow_stage(session: ToySession, stage, show_surface: bool, show_arrows: bool, show_manifold: bool,
                   request: gr.Request | None):
    view = toy_view(session, show_surface, show_arrows, show_manifold, view=stage.view)
    last = stage.name == toy.SLOW_STAGES[-1]
    if last:
        session.slow = None
    text = lessons.slow_stage(stage, session.gan.config, language(request))
    return (*view, text, gr.Button("Next stage ▶", interactive=not last))


def toy_slow_start(session, show_surface: bool, show_arrows: bool, show_manifold: bool, request: gr.Request = None):
    """Begin one training step in slow motion (pausing the live training) and show its first stage."""
    session = toy_session(session)
    with session.lock:
        session.slow = session.gan.slow_step()
        stage = next(session.slow)
        return (*toy_slow_stage(session, stage, show_surface, show_arrows, show_manifold, request),
                gr.Timer(active=False))


def toy_slow_next(session, show_surface: bool, show_arrows: bool, show_manifold: bool, request: gr.Request = None):
    """The next stage of the slow step (the game advances at the last one, "update")."""
    session = toy_session(session)
    with session.lock:
        if session.slow is None:
            return (session, *(gr.skip(),) * 5, "Press **Step slowly** to walk through one training step.",
                    gr.Button(interactive=False))
        return toy_slow_stage(session, next(session.slow), show_surface, show_arrows, show_manifold, request)


def build() -> None:
    """The playground's components and events, inside the Learn tab."""
    gr.Markdown("## 1. A GAN you can watch\nTwo tiny networks play the GAN game on points in the plane. Press "
                "**Train** and watch the purple points learn the green data.")
    session = gr.State(None)
    timer = gr.Timer(TICK_S, active=False)
    with gr.Row():
        with gr.Column(scale=3):
            with gr.Row():
                preset = gr.Dropdown([CUSTOM, *toy.PRESETS], value=CUSTOM, label="Preset", scale=2)
                preset_text = gr.Markdown(t("toy_preset_none"))
            with gr.Row():
                target = gr.Dropdown(list(toy.TARGETS), value="ring", label="Target data",
                                     info="'drawn': the strokes on the sketchpad")
                loss = gr.Dropdown(LOSSES, value="nonsaturating", label="Loss")
                optimizer = gr.Dropdown(list(toy.OPTIMIZERS), value="adam", label="Optimiser")
            formula = gr.Markdown(t("toy_formula_nonsaturating"))
            with gr.Row():
                lr_g = gr.Dropdown(LR_CHOICES, value=0.001, label="G learning rate", allow_custom_value=True)
                lr_d = gr.Dropdown(LR_CHOICES, value=0.001, label="D learning rate", allow_custom_value=True)
                d_steps = gr.Slider(1, 10, value=2, step=1, label="D steps per G step")
                noise_dim = gr.Slider(1, 8, value=2, step=1, label="Noise dimension", info="Changing it restarts the game")
            with gr.Row():
                train = gr.Button("Train ▶", variant="primary")
                pause = gr.Button("Pause")
                step = gr.Button("Step")
                reset = gr.Button("Reset")
                slow = gr.Button("Step slowly")
                next_stage = gr.Button("Next stage ▶", interactive=False)
            slow_text = gr.Markdown("Press **Step slowly** to walk through one training step, stage by stage.")
            speed = gr.Slider(5, 200, value=DEFAULT_SPEED, step=5, label="Training speed (steps per second)")
            with gr.Accordion("Draw your own data (target 'drawn')", open=False):
                sketch = gr.Sketchpad(type="numpy", image_mode="RGBA", format="png", canvas_size=(240, 240),
                                      fixed_canvas=True, label="Draw strokes: each becomes real data",
                                      brush=gr.Brush(colors=["#000000"], color_mode="fixed", default_size=6),
                                      layers=False, transforms=(), height=300)
        with gr.Column(scale=2):
            view = gr.Image(label="The game", type="filepath", interactive=False, height=VIEW_SIZE,
                            show_label=True, elem_id="toy-view")
            with gr.Row():
                show_surface = gr.Checkbox(True, label="D's heatmap")
                show_arrows = gr.Checkbox(True, label="G's arrows")
                show_manifold = gr.Checkbox(True, label="G's manifold")
            stats = gr.Markdown()
            gr.Markdown(LEGEND)
    with gr.Row():
        loss_plot = line_plot("Losses", "loss", 220)
        score_plot = line_plot("Mean D(x) and D(G(z))", "D's output", 220)
        distance_plot = line_plot("How far apart: JS and KL", "bits", 220)
    gr.Markdown(EXPLAINER)

    layers = [show_surface, show_arrows, show_manifold]
    outputs = [session, view, loss_plot, score_plot, distance_plot, stats]
    settings = [target, loss, lr_g, lr_d, optimizer, d_steps, noise_dim, sketch]
    on_page_load(toy_start, layers, outputs, api_name="toy_start")
    for control in layers:
        control.input(toy_redraw, [session, *layers], outputs, api_name=f"toy_redraw_{control.label.split()[-1]}",
                      api_visibility="undocumented" if control is not show_surface else "public")
    for control, name in zip(settings[:-1], ("target", "loss", "lr_g", "lr_d", "optimizer", "d_steps", "noise_dim")):
        control.input(toy_configure, [session, *settings, *layers], outputs,
                      api_name="toy_configure" if control is target else f"toy_configure_{name}",
                      api_visibility="public" if control is target else "undocumented")
    sketch.change(toy_configure, [session, *settings, *layers], outputs, api_name="toy_configure_drawing",
                  api_visibility="undocumented")
    loss.change(toy_formula, loss, formula, api_name="toy_formula", queue=False)
    preset.input(toy_preset, [session, preset, *layers], [*outputs, preset_text, *settings[:-1]], api_name="toy_preset")
    train.click(toy_train, None, timer, api_name="toy_train", queue=False)
    pause.click(toy_pause, session, [session, timer], api_name="toy_pause", queue=False)
    # Off the queue: each tick is small and bounded (MAX_STEPS_PER_TICK, one per session at a time by its
    # lock), and the queue's round trip alone cost ~200 ms, which halved the refresh rate. always_last: a
    # tick that fires while one is running runs right after it, instead of waiting for the next period.
    timer.tick(toy_tick, [session, speed, *layers], outputs, api_name="toy_tick", api_visibility="undocumented",
               show_progress="hidden", trigger_mode="always_last", queue=False)
    step.click(toy_step, [session, *layers], outputs, api_name="toy_step", show_progress="hidden")
    reset.click(toy_reset, [session, *layers], outputs, api_name="toy_reset")
    slow.click(toy_slow_start, [session, *layers], [*outputs, slow_text, next_stage, timer], api_name="toy_slow_step")
    next_stage.click(toy_slow_next, [session, *layers], [*outputs, slow_text, next_stage], api_name="toy_slow_next",
                     show_progress="hidden")
