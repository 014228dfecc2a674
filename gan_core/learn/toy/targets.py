"""The playground's target distributions (ring, grid, moons, spiral, or points drawn by hand) and how far a
generated point cloud is from one: Jensen-Shannon and KL divergence of smoothed histograms, modes covered.

Used by gan_core.learn.toy.game (the game) and gan_core.learn.toy.render (the picture); view coordinates are the square
[-VIEW_LIMIT, VIEW_LIMIT]^2 with y pointing up.
"""
import math

import numpy as np
import torch

TARGETS = ("ring", "grid", "moons", "spiral", "drawn")
OPTIMIZERS = ("adam", "sgd")
VIEW_LIMIT = 1.5          # every view shows the square [-VIEW_LIMIT, VIEW_LIMIT]^2; the targets fit inside it
TARGET_STD = {"ring": 0.05, "grid": 0.05, "moons": 0.05, "spiral": 0.03, "drawn": 0.03}  # noise around the shape

# ----------------------------------------------------------------------------------------------------
# Target distributions


def mode_centres(target: str) -> np.ndarray:
    """The (K, 2) centres of the Gaussian modes of "ring" (8) and "grid" (25); (0, 2) for other targets."""
    if target == "ring":
        angles = np.arange(8) * (2 * np.pi / 8)
        return np.stack([np.cos(angles), np.sin(angles)], axis=1).astype(np.float32)
    if target == "grid":
        ticks = np.linspace(-1.0, 1.0, 5)
        return np.array([(x, y) for y in ticks for x in ticks], dtype=np.float32)
    return np.zeros((0, 2), dtype=np.float32)


def sample_target(target: str, n: int, rng: torch.Generator, drawn_points=None) -> torch.Tensor:
    """n real points (n, 2) from a named target; "drawn" jitters randomly chosen drawn_points."""
    jitter = torch.randn(n, 2, generator=rng) * TARGET_STD[target]
    if target in ("ring", "grid"):
        centres = torch.from_numpy(mode_centres(target))
        return centres[torch.randint(len(centres), (n,), generator=rng)] + jitter
    if target == "moons":  # two interleaved half circles, as in scikit-learn's make_moons, centred and scaled
        t = torch.rand(n, generator=rng) * math.pi
        upper = torch.rand(n, generator=rng) < 0.5
        x = torch.where(upper, torch.cos(t), 1.0 - torch.cos(t)) - 0.5
        y = torch.where(upper, torch.sin(t), 0.5 - torch.sin(t)) - 0.25
        return 0.75 * torch.stack([x, y], dim=1) + jitter
    if target == "spiral":  # two turns; sqrt spreads the points evenly along the arm
        t = torch.rand(n, generator=rng).sqrt()
        angle = 4 * math.pi * t
        return 1.1 * t[:, None] * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1) + jitter
    if target == "drawn":
        points = torch.as_tensor(np.asarray(drawn_points, dtype=np.float32).reshape(-1, 2))
        return points[torch.randint(len(points), (n,), generator=rng)] + jitter
    raise ValueError(f"unknown target {target!r}; choose one of {TARGETS}")


def view_to_pixel(points: np.ndarray, size: int) -> np.ndarray:
    """(N, 2) view coordinates -> (N, 2) float pixel coordinates (col, row) in a size x size image."""
    scale = size / (2 * VIEW_LIMIT)
    return np.stack([(points[:, 0] + VIEW_LIMIT) * scale, (VIEW_LIMIT - points[:, 1]) * scale], axis=1)


def points_from_drawing(drawing: np.ndarray, max_points: int = 2000) -> np.ndarray:
    """Turn a drawing into target points: every stroke pixel becomes an (x, y) in the view box.

    drawing: an HxW mask (nonzero = stroke), or an HxWx4 RGBA layer (alpha > 0 = stroke), or an HxWx3
    image with dark strokes on a light background. The image is stretched over the whole view box.
    """
    drawing = np.asarray(drawing)
    if drawing.ndim == 2:
        stroke = drawing > 0
    elif drawing.shape[2] == 4 and drawing[..., 3].min() < 255:
        stroke = drawing[..., 3] > 0
    else:
        stroke = drawing[..., :3].mean(axis=2) < 128
    rows, cols = np.nonzero(stroke)
    if len(rows) > max_points:  # an even subsample keeps the shape and the cost of sampling bounded
        keep = np.linspace(0, len(rows) - 1, max_points).astype(int)
        rows, cols = rows[keep], cols[keep]
    height, width = stroke.shape
    x = (cols + 0.5) / width * 2 * VIEW_LIMIT - VIEW_LIMIT
    y = VIEW_LIMIT - (rows + 0.5) / height * 2 * VIEW_LIMIT
    return np.stack([x, y], axis=1).astype(np.float32)


# ----------------------------------------------------------------------------------------------------
# How far apart are the real and generated distributions?

METRIC_BINS = 32          # histograms for JS / KL are METRIC_BINS x METRIC_BINS over the view box


def smoothed_histogram(points: np.ndarray, bins: int = METRIC_BINS) -> np.ndarray:
    """A (bins, bins) density: 2D histogram over the view box, blurred with a 5-tap binomial kernel.

    The blur makes two nearby clouds count as similar even if they fall in different bins (as GAN Lab's
    density estimate does). Points outside the view are clipped onto its border so they still count.
    A little uniform mass keeps every bin positive, so KL stays finite when G misses a region.
    """
    points = np.clip(points, -VIEW_LIMIT, VIEW_LIMIT - 1e-6)
    hist, _, _ = np.histogram2d(points[:, 1], points[:, 0], bins=bins, range=[[-VIEW_LIMIT, VIEW_LIMIT]] * 2)
    kernel = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0
    for axis in (0, 1):
        padded = np.pad(hist, [(2, 2) if a == axis else (0, 0) for a in (0, 1)])
        hist = sum(w * np.take(padded, np.arange(i, i + bins), axis=axis) for i, w in enumerate(kernel))
    density = hist / max(hist.sum(), 1e-12)
    return 0.999 * density + 0.001 / density.size


def kl_bits(p: np.ndarray, q: np.ndarray) -> float:
    """KL(p || q) in bits: how surprised you are, on average, using q where the truth is p."""
    return float(np.sum(p * np.log2(p / q)))


def js_bits(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon divergence in bits: 0 for identical densities, 1 for densities that never overlap."""
    mixture = 0.5 * (p + q)
    return 0.5 * kl_bits(p, mixture) + 0.5 * kl_bits(q, mixture)


def mode_stats(fake: np.ndarray, target: str) -> dict:
    """For ring / grid: how many modes G covers, and how close its points are to the modes.

    A mode is covered when at least 1/(4K) of the generated points lie within 3 std of its centre
    (K = number of modes; a perfect G puts 1/K there). "quality" is the fraction of generated points
    within 3 std of some mode; "mode_distance" the mean distance from a point to its nearest centre.
    """
    centres = mode_centres(target)
    if len(centres) == 0:
        return {"modes_covered": None, "num_modes": 0, "quality": None, "mode_distance": None}
    distance = np.linalg.norm(fake[:, None, :] - centres[None, :, :], axis=2)     # (N, K)
    near = distance < 3 * TARGET_STD[target]
    covered = int((near.sum(axis=0) >= len(fake) / (4 * len(centres))).sum())
    return {"modes_covered": covered, "num_modes": len(centres), "quality": float(near.any(axis=1).mean()),
            "mode_distance": float(distance.min(axis=1).mean())}
