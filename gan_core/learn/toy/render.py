"""One frame of the 2D playground with numpy and Pillow, in a few milliseconds: D's opinion as a heatmap,
real and generated points, the pushes on the generated points and G's bent grid of noise; and the
training curves as tables for a line plot.
"""
import math

import numpy as np
from PIL import Image, ImageDraw

from gan_core.learn.toy.targets import VIEW_LIMIT, view_to_pixel


FAKE_TINT, NEUTRAL, REAL_TINT = (200, 170, 225), (247, 247, 247), (170, 220, 170)   # heatmap: fake..real
REAL_COLOUR, FAKE_COLOUR = (20, 120, 40), (110, 40, 160)
MANIFOLD_COLOUR, ARROW_COLOUR, MODE_COLOUR = (150, 130, 175), (40, 40, 40), (120, 120, 120)


def heatmap(surface: np.ndarray, value_range: tuple[float, float]) -> np.ndarray:
    """(R, R) D values -> (R, R, 3) uint8 colours, purple (fake) through white to green (real), top row = max y."""
    low, high = value_range
    t = np.clip((surface[::-1] - low) / (high - low), 0.0, 1.0)
    colours = [np.interp(t, [0.0, 0.5, 1.0], [f, n, r]) for f, n, r in zip(FAKE_TINT, NEUTRAL, REAL_TINT)]
    return np.stack(colours, axis=-1).astype(np.uint8)


def stamp_dots(image: np.ndarray, pixels: np.ndarray, colour, radius: int = 2) -> None:
    """Draw filled discs at (col, row) pixels in place; numpy indexing is ~100x faster than one call per dot."""
    size_y, size_x = image.shape[:2]
    cols, rows = np.round(pixels[:, 0]).astype(int), np.round(pixels[:, 1]).astype(int)
    inside = (cols >= 0) & (cols < size_x) & (rows >= 0) & (rows < size_y)
    cols, rows = cols[inside], rows[inside]
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            if dx * dx + dy * dy <= radius * radius + radius:
                image[np.clip(rows + dy, 0, size_y - 1), np.clip(cols + dx, 0, size_x - 1)] = colour


def render(snapshot: dict, size: int = 400, show_surface: bool = True, show_real: bool = True,
           show_fake: bool = True, show_arrows: bool = True, show_manifold: bool = True,
           show_modes: bool = True, max_arrows: int = 256, arrow_length: float = 0.25) -> np.ndarray:
    """Draw a snapshot (or a SlowStage.view) as a (size, size, 3) uint8 image.

    Layers, bottom to top: D's heatmap, the 3-std circles of the modes, G's manifold grid, the push arrows
    on generated points, real points (green), generated points (purple). An arrow's length in view units
    is arrow_length * tanh(push / 2): vanishing pushes look vanishingly short, huge ones stay on screen.
    """
    if show_surface:
        canvas = Image.fromarray(heatmap(snapshot["surface"], snapshot["surface_range"]))
        canvas = canvas.resize((size, size), Image.BILINEAR)
    else:
        canvas = Image.new("RGB", (size, size), NEUTRAL)
    draw = ImageDraw.Draw(canvas)
    scale = size / (2 * VIEW_LIMIT)
    if show_modes and len(snapshot["modes"]):
        radius = 3 * snapshot["mode_std"] * scale
        for col, row in view_to_pixel(snapshot["modes"], size):
            draw.ellipse([col - radius, row - radius, col + radius, row + radius], outline=MODE_COLOUR)
    if show_manifold:
        manifold = snapshot["manifold"]
        lines = list(manifold) + (list(manifold.transpose(1, 0, 2)) if len(manifold) > 1 else [])
        for line in lines:
            draw.line([tuple(p) for p in view_to_pixel(line, size)], fill=MANIFOLD_COLOUR, width=1)
    fake = snapshot["fake"]
    if show_arrows and len(snapshot["fake_grad"]):
        push = snapshot["fake_grad"][:max_arrows]
        strength = np.linalg.norm(push, axis=1, keepdims=True)
        tips = fake[:max_arrows] + push / np.maximum(strength, 1e-12) * arrow_length * np.tanh(strength / 2)
        for start, end in zip(view_to_pixel(fake[:max_arrows], size), view_to_pixel(tips, size)):
            draw.line([tuple(start), tuple(end)], fill=ARROW_COLOUR, width=1)
    image = np.array(canvas)
    if show_real:
        stamp_dots(image, view_to_pixel(snapshot["real"], size), REAL_COLOUR, radius=max(1, size // 250))
    if show_fake and len(fake):
        stamp_dots(image, view_to_pixel(fake, size), FAKE_COLOUR, radius=max(1, size // 250))
    return image


def history_table(history: dict, keys=("d_loss", "g_loss"), max_points: int = 500) -> dict:
    """Long-format columns {"step", "value", "series"} for a line plot (pandas.DataFrame(...) of it works
    with gr.LinePlot(x="step", y="value", color="series")). Long histories are thinned to max_points."""
    steps = history["step"]
    stride = max(1, math.ceil(len(steps) / max_points))
    table = {"step": [], "value": [], "series": []}
    for key in keys:
        picked = [(s, v) for s, v in zip(steps[::stride], history[key][::stride]) if v is not None]
        table["step"] += [s for s, _ in picked]
        table["value"] += [float(v) for _, v in picked]
        table["series"] += [key] * len(picked)
    return table
