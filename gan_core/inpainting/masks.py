"""Hole masks: random ones for training and evaluation, and clean-up of the ones users paint.

Convention everywhere in gan_core: a mask is a float array or tensor with 1 where pixels must be
filled ("the hole") and 0 where they are known.

Training masks follow the two papers whose masks became standard:
- DeepFill v2 (Yu et al. 2019): free-form brush strokes, a few vertices joined at random angles and
  lengths, drawn with a wide round brush;
- LaMa (Suvorov et al. 2022): thin / medium / thick stroke presets plus boxes.
All generators take a numpy Generator so that a seed gives the same mask on every machine.
"""
import functools
import math

import cv2
import numpy as np

MASK_SIZES = {"small": (0.0, 0.10), "medium": (0.10, 0.30), "large": (0.30, 0.50), "object": (0.08, 0.25),
              "crack": (0.02, 0.12)}  # crack: craquelure and flakes on paintings (crack_mask)

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


def random_strokes(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    return preset_strokes(height, width, rng, rng.choice(list(STROKE_PRESETS)))


def strokes_and_box(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    return np.maximum(random_strokes(height, width, rng), boxes(height, width, rng, max_boxes=1, max_side=0.35))


def dense_strokes(height: int, width: int, rng: np.random.Generator, low: float = 0.1,
                  high: float = 0.48) -> np.ndarray:
    """Wide strokes added one at a time until they cover a random share in low..high: the hole of someone
    painting over a large area. The other training masks rarely cover over 30% (about 1 in 10)."""
    target = rng.uniform(low, high)
    max_width = rng.choice([30, 50, 70])
    mask = np.zeros((height, width), np.float32)
    while mask.mean() < target:
        mask = np.maximum(mask, free_form_strokes(height, width, rng, max_strokes=1, max_vertices=6,
                                                  max_width=max_width, max_length=100))
    return mask


# Training hole mixes: (share of masks, how to draw one). "strokes" is what every model up to inpaint-photo
# learned from; "photo" adds the object silhouettes people paint over to remove a thing, and the border
# bands of extending a photo past its frame; "wide" gives a quarter of the masks to dense strokes, so that
# holes over 30% of the crop are about 1 in 4 rather than 1 in 10.
MIXES = {
    "strokes": ((0.45, random_strokes), (0.30, boxes), (0.25, strokes_and_box)),
    "photo": ((0.30, random_strokes), (0.15, boxes), (0.30, objects), (0.10, border), (0.15, strokes_and_box)),
    "wide": ((0.20, random_strokes), (0.10, boxes), (0.25, objects), (0.10, border), (0.10, strokes_and_box),
             (0.25, dense_strokes)),
}


def training_mask(height: int, width: int, rng: np.random.Generator, mix: str = "photo") -> np.ndarray:
    """One hole from a training mix, kept between 1% and 50% of the image.

    Masks over half the image are redrawn: no evaluation mask is that large, and such holes teach
    the generator little but blur.
    """
    shares, drawers = zip(*MIXES[mix])
    edges = np.cumsum(shares)
    for _ in range(20):
        draw = drawers[min(int(np.searchsorted(edges, rng.random(), side="right")), len(drawers) - 1)]
        mask = draw(height, width, rng)
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
    if size == "crack":
        return crack_mask(height, width, rng, low, high, max_tries)
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
    a little removes the halo that would otherwise show around the fill. Only the painted part's bounding
    box, widened by `grow`, is dilated: a few strokes on a 12 MP photo take milliseconds, not 0.2 s.
    """
    mask = np.asarray(mask)
    if mask.ndim == 3:
        mask = mask.max(axis=2)
    binary = (mask > 0).astype(np.uint8)
    if grow > 0 and binary.any():
        rows, cols = np.flatnonzero(binary.any(axis=1)), np.flatnonzero(binary.any(axis=0))
        box = (slice(max(0, rows[0] - grow), rows[-1] + grow + 1), slice(max(0, cols[0] - grow), cols[-1] + grow + 1))
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1))
        binary[box] = cv2.dilate(binary[box], kernel)
    return binary.astype(np.float32)


# ----------------------------------------------------------------------------------------------------
# Damage on old paintings: craquelure, flakes of lost paint, scratches

def craquelure(height: int, width: int, rng: np.random.Generator, cell: float | None = None,
               keep: float | None = None, region: float | None = None) -> np.ndarray:
    """A network of thin cracks, 1-3 px wide, over part of the image: the craquelure of old paint.

    Paint cracks into irregular polygonal cells as it dries and ages. The cells here are a Voronoi
    diagram of random seeds, computed on coordinates warped by smooth noise so that the borders
    wander instead of running straight; a share `keep` of the borders between two cells is kept (real
    networks are not all closed), and the network only covers a smooth `region` of the image (cracks
    cluster where the paint is thickest or the canvas flexed). `cell` is the mean cell side in pixels.
    """
    cell = cell or rng.uniform(14, 40)
    keep = keep if keep is not None else rng.uniform(0.45, 0.9)
    region = region if region is not None else rng.uniform(0.3, 1.0)
    n_seeds = max(2, int(height * width / cell**2))
    # Voronoi cells: every pixel labelled with its nearest seed (OpenCV's distance transform keeps the
    # label of the nearest zero pixel), then read at coordinates warped by smooth noise (a third of a cell)
    seeds = np.ones((height, width), np.uint8)
    seeds[rng.integers(0, height, n_seeds), rng.integers(0, width, n_seeds)] = 0
    _, cells = cv2.distanceTransformWithLabels(seeds, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL)
    warp = [cv2.resize(rng.normal(0, cell / 3, (max(2, height // 24), max(2, width // 24))).astype(np.float32),
                       (width, height), interpolation=cv2.INTER_CUBIC) for _ in range(2)]
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    labels = cv2.remap(cells.astype(np.float32), xs + warp[1], ys + warp[0], cv2.INTER_NEAREST,
                       borderMode=cv2.BORDER_REFLECT).astype(np.int64)
    pair_keep = rng.random(65_521) < keep                       # one coin per pair of cells, by hash
    cracks = np.zeros((height, width), np.uint8)
    for a, b, where in ((labels[:, :-1], labels[:, 1:], np.s_[:, :-1]), (labels[:-1], labels[1:], np.s_[:-1])):
        low, high = np.minimum(a, b), np.maximum(a, b)
        kept = (a != b) & pair_keep[(low.astype(np.int64) * 7919 + high) % pair_keep.size]
        cracks[where] |= kept.astype(np.uint8)
    thickness = int(rng.integers(1, 4))                          # 1, 2 or 3 px
    if thickness > 1:
        cracks = cv2.dilate(cracks, np.ones((thickness, thickness), np.uint8))
    if region < 1.0:
        cracks *= _smooth_region(height, width, rng, region)
    return cracks.astype(np.float32)


def _smooth_region(height: int, width: int, rng: np.random.Generator, share: float) -> np.ndarray:
    """A smooth random region covering about `share` of the image (thresholded low-frequency noise)."""
    noise = cv2.resize(rng.normal(size=(4, 4)).astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
    return (noise >= np.quantile(noise, 1 - share)).astype(np.uint8)


def flakes(height: int, width: int, rng: np.random.Generator, count: int | None = None,
           max_area: float = 0.004) -> np.ndarray:
    """Small irregular blobs where paint has flaked off: jagged polygons of up to `max_area` each."""
    mask = np.zeros((height, width), np.uint8)
    for _ in range(count if count is not None else int(rng.integers(2, 12))):
        radius = math.sqrt(rng.uniform(0.1, 1.0) * max_area * height * width / np.pi)
        n = int(rng.integers(7, 16))
        angles = np.sort(rng.uniform(0, 2 * np.pi, n))
        radii = radius * rng.uniform(0.45, 1.25, n)               # jagged, not round
        cy, cx = rng.uniform(0, height), rng.uniform(0, width)
        points = np.stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)], axis=1)
        cv2.fillPoly(mask, [np.round(points).astype(np.int32)], 1)
    return mask.astype(np.float32)


def scratches(height: int, width: int, rng: np.random.Generator, count: int | None = None) -> np.ndarray:
    """Long thin scratches, 1-3 px wide: gently curved lines (quadratic Bezier curves) across the image."""
    mask = np.zeros((height, width), np.uint8)
    for _ in range(count if count is not None else int(rng.integers(1, 4))):
        start, end = rng.uniform(0, 1, 2) * (width, height), rng.uniform(0, 1, 2) * (width, height)
        bend = (start + end) / 2 + rng.normal(0, 0.15, 2) * (width, height)
        t = np.linspace(0, 1, 64)[:, None]
        curve = (1 - t) ** 2 * start + 2 * (1 - t) * t * bend + t**2 * end
        cv2.polylines(mask, [np.round(curve).astype(np.int32)], False, 1, int(rng.integers(1, 4)))
    return mask.astype(np.float32)


def damage_mask(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """The training mix for paintings: craquelure, with flakes or scratches or both now and then, and
    now and then a brush stroke (users also paint over larger losses), covering 1% to 40%."""
    for _ in range(20):
        mask = craquelure(height, width, rng) if rng.random() < 0.85 else np.zeros((height, width), np.float32)
        if rng.random() < 0.5:
            mask = np.maximum(mask, flakes(height, width, rng))
        if rng.random() < 0.3:
            mask = np.maximum(mask, scratches(height, width, rng))
        if rng.random() < 0.15:
            mask = np.maximum(mask, preset_strokes(height, width, rng, "thin"))
        if 0.01 < mask.mean() < 0.4:
            return mask
    return mask


def crack_mask(height: int, width: int, rng: np.random.Generator, low: float = 0.02, high: float = 0.12,
               max_tries: int = 200) -> np.ndarray:
    """The `crack` evaluation class: a craquelure network and a few flakes, covering low..high."""
    for _ in range(max_tries):
        mask = np.maximum(craquelure(height, width, rng), flakes(height, width, rng, count=int(rng.integers(1, 5))))
        if low <= mask.mean() < high:
            return mask
    raise RuntimeError(f"could not draw a crack mask in {max_tries} tries at {height}x{width}")


# The hole mixes a training run can draw from (TrainConfig.masks).
TRAINING_MASKS = {"photo": training_mask, "strokes": functools.partial(training_mask, mix="strokes"),
                  "wide": functools.partial(training_mask, mix="wide"), "damage": damage_mask}
