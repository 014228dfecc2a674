"""Hole masks: random ones for training and evaluation, and clean-up of the ones users paint.

Convention everywhere in gan_core: a mask is a float array or tensor with 1 where pixels must be
filled ("the hole") and 0 where they are known.

Training masks follow the two papers whose masks became standard:
- DeepFill v2 (Yu et al. 2019): free-form brush strokes, a few vertices joined at random angles and
  lengths, drawn with a wide round brush;
- LaMa (Suvorov et al. 2022): thin / medium / thick stroke presets plus boxes.
All generators take a numpy Generator so that a seed gives the same mask on every machine.
"""
import math

import cv2
import numpy as np

MASK_SIZES = {"small": (0.0, 0.10), "medium": (0.10, 0.30), "large": (0.30, 0.50), "object": (0.08, 0.25)}

# LaMa-style stroke presets, widths and lengths given for a 256 px image and scaled with the image.
STROKE_PRESETS = {
    "thin": dict(max_strokes=5, max_vertices=8, max_width=12, max_length=60),
    "medium": dict(max_strokes=4, max_vertices=8, max_width=30, max_length=100),
    "thick": dict(max_strokes=3, max_vertices=6, max_width=60, max_length=140),
}


def free_form_strokes(height: int, width: int, rng: np.random.Generator, max_strokes: int = 4,
                      max_vertices: int = 8, max_width: float = 40, max_length: float = 100) -> np.ndarray:
    """DeepFill v2's brush strokes: polylines with random angles around 2*pi/5, round joints.

    Widths and lengths are given for a 256 px image and scale with sqrt(height * width) / 256.
    """
    scale = math.sqrt(height * width) / 256.0
    mask = np.zeros((height, width), np.uint8)
    for _ in range(rng.integers(1, max_strokes + 1)):
        x, y = rng.integers(0, width), rng.integers(0, height)
        brush = max(1, int(rng.uniform(max_width / 4, max_width) * scale))
        angle_base = 2 * math.pi / 5
        for i in range(rng.integers(2, max_vertices + 1)):
            angle = angle_base + rng.uniform(-2 * math.pi / 15, 2 * math.pi / 15)
            angle = rng.uniform(0, 2 * math.pi) if i == 0 else (2 * math.pi - angle if i % 2 else angle)
            length = rng.uniform(max_length / 4, max_length) * scale
            nx = int(np.clip(x + length * math.cos(angle), 0, width - 1))
            ny = int(np.clip(y + length * math.sin(angle), 0, height - 1))
            cv2.line(mask, (int(x), int(y)), (nx, ny), 1, brush)
            cv2.circle(mask, (nx, ny), brush // 2, 1, -1)
            x, y = nx, ny
    return mask.astype(np.float32)


def boxes(height: int, width: int, rng: np.random.Generator, max_boxes: int = 3,
          min_side: float = 0.1, max_side: float = 0.5) -> np.ndarray:
    """1 to max_boxes axis-aligned rectangles, sides a fraction of the image side (LaMa's box masks)."""
    mask = np.zeros((height, width), np.float32)
    for _ in range(rng.integers(1, max_boxes + 1)):
        box_h = max(1, int(rng.uniform(min_side, max_side) * height))
        box_w = max(1, int(rng.uniform(min_side, max_side) * width))
        top, left = rng.integers(0, height - box_h + 1), rng.integers(0, width - box_w + 1)
        mask[top:top + box_h, left:left + box_w] = 1.0
    return mask


def preset_strokes(height: int, width: int, rng: np.random.Generator, preset: str = "medium") -> np.ndarray:
    """LaMa's thin / medium / thick stroke presets."""
    if preset not in STROKE_PRESETS:
        raise ValueError(f"unknown stroke preset {preset!r}; choose one of {list(STROKE_PRESETS)}")
    return free_form_strokes(height, width, rng, **STROKE_PRESETS[preset])


def blob(height: int, width: int, rng: np.random.Generator, area: float) -> np.ndarray:
    """One solid, smooth, object-like silhouette covering about `area` of the image.

    A star-shaped outline: the radius around a random centre is a sum of a few low harmonics, so the
    shape is a lumpy ellipse (a pet, a bag, a person's outline at a distance), never a thin stroke.
    """
    angles = np.linspace(0, 2 * np.pi, 96, endpoint=False)
    radius = np.ones_like(angles)
    for harmonic in range(2, 6):
        radius += rng.uniform(0, 0.35 / harmonic * 2) * np.cos(harmonic * angles + rng.uniform(0, 2 * np.pi))
    stretch = rng.uniform(0.6, 1.6)                       # tall or wide things
    scale = math.sqrt(area * height * width / (np.pi * np.mean(radius**2)))
    centre_x, centre_y = rng.uniform(0.15, 0.85) * width, rng.uniform(0.15, 0.85) * height
    points = np.stack([centre_x + scale * radius * np.cos(angles) * stretch,
                       centre_y + scale * radius * np.sin(angles) / stretch], axis=1)
    mask = np.zeros((height, width), np.uint8)
    cv2.fillPoly(mask, [np.round(points).astype(np.int32)], 1)
    return mask.astype(np.float32)


def objects(height: int, width: int, rng: np.random.Generator, low: float = 0.08, high: float = 0.25) -> np.ndarray:
    """One to three object silhouettes covering low..high of the image: what people paint over to remove."""
    target = rng.uniform(low, high)
    count = rng.integers(1, 4)
    shares = rng.dirichlet(np.ones(count)) * target
    mask = np.zeros((height, width), np.float32)
    for share in shares:
        mask = np.maximum(mask, blob(height, width, rng, max(share, 0.01)))
    return mask


def border(height: int, width: int, rng: np.random.Generator, max_share: float = 0.25) -> np.ndarray:
    """Bands along one to four edges: the hole of extending a photo past its frame (outpainting)."""
    mask = np.zeros((height, width), np.float32)
    sides = rng.permutation(4)[:rng.integers(1, 5)]
    for side in sides:
        size = max(1, int(rng.uniform(0.05, max_share) * (height if side < 2 else width)))
        if side == 0:
            mask[:size] = 1
        elif side == 1:
            mask[-size:] = 1
        elif side == 2:
            mask[:, :size] = 1
        else:
            mask[:, -size:] = 1
    return mask


def training_mask(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """The training mix: strokes of a random preset, boxes, object silhouettes, border bands, or strokes
    with a box, kept below 50% of the image.

    Masks over half the image are redrawn: no evaluation mask is that large, and such holes teach
    the generator little but blur.
    """
    for _ in range(20):
        kind = rng.random()
        if kind < 0.3:
            mask = preset_strokes(height, width, rng, rng.choice(list(STROKE_PRESETS)))
        elif kind < 0.45:
            mask = boxes(height, width, rng)
        elif kind < 0.75:
            mask = objects(height, width, rng)
        elif kind < 0.85:
            mask = border(height, width, rng)
        else:
            mask = np.maximum(preset_strokes(height, width, rng, rng.choice(list(STROKE_PRESETS))),
                              boxes(height, width, rng, max_boxes=1, max_side=0.35))
        if 0.01 < mask.mean() < 0.5:
            return mask
    return mask


def mask_of_size(height: int, width: int, size: str, rng: np.random.Generator,
                 max_tries: int = 200) -> np.ndarray:
    """A mask whose area falls in the named class: free-form strokes (small / medium / large) or object silhouettes.

    Strokes are added one at a time until the area enters the range; a mask that overshoots it
    is drawn again. Used by the evaluation, so that every method sees the same seeded masks.
    """
    if size not in MASK_SIZES:
        raise ValueError(f"unknown mask size {size!r}; choose one of {list(MASK_SIZES)}")
    low, high = MASK_SIZES[size]
    if size == "object":  # blobs overlap or leave the frame: redraw until the area is in range
        for _ in range(max_tries):
            mask = objects(height, width, rng, low, high)
            if low <= mask.mean() < high:
                return mask
        raise RuntimeError(f"could not draw an object mask in {max_tries} tries at {height}x{width}")
    low = max(low, 0.02)  # a 'small' mask still has to cover something
    for _ in range(max_tries):
        mask = np.zeros((height, width), np.float32)
        while mask.mean() < low:
            stroke = free_form_strokes(height, width, rng, max_strokes=1, max_vertices=6,
                                       max_width=50 if size != "small" else 25, max_length=90)
            mask = np.maximum(mask, stroke)
        if mask.mean() < high:
            return mask
    raise RuntimeError(f"could not draw a {size} mask in {max_tries} tries at {height}x{width}")


def clean_user_mask(mask: np.ndarray, grow: int = 0) -> np.ndarray:
    """Binarise a painted mask (any non-zero value means 'fill') and grow it by `grow` pixels.

    Anti-aliased brush edges leave half-covered pixels; treating them as holes and growing the mask
    a little removes the halo that would otherwise show around the fill.
    """
    mask = np.asarray(mask)
    if mask.ndim == 3:
        mask = mask.max(axis=2)
    binary = (mask > 0).astype(np.uint8)
    if grow > 0:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1))
        binary = cv2.dilate(binary, kernel)
    return binary.astype(np.float32)
