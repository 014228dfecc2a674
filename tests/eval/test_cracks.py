"""gan_core.eval.cracks: drawn damage, its scores, and the crack finder measured on a painting-like image."""
import cv2
import numpy as np

from gan_core.eval import cracks


def painting(seed: int = 0, size: int = 160) -> np.ndarray:
    """Smooth colour fields with some soft brushwork: no thin dark lines of their own."""
    rng = np.random.default_rng(seed)
    fields = cv2.resize(rng.uniform(60, 230, (4, 4, 3)).astype(np.float32), (size, size), interpolation=cv2.INTER_CUBIC)
    strokes = cv2.GaussianBlur(rng.normal(0, 12, (size, size, 3)).astype(np.float32), (0, 0), 3)
    return np.clip(fields + strokes, 0, 255).astype(np.uint8)


def test_drawn_damage_darkens_the_paint_under_it_only():
    image = painting()
    damaged, damage, lines = cracks.draw_damage(image, seed=3, factor=0.25)
    assert damaged.shape == image.shape and damage.any() and (lines <= damage).all()
    ratio = damaged[damage].astype(float).mean() / image[damage].astype(float).mean()
    assert 0.2 < ratio < 0.4
    clean = cv2.erode((~damage).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0      # away from JPEG ringing
    assert np.abs(damaged[clean].astype(int) - image[clean]).mean() < 3


def test_score_counts_one_pixel_of_slack_and_nothing_found_as_nothing():
    lines = np.zeros((40, 40), bool)
    lines[20, 5:35] = True
    shifted = np.roll(lines, 1, axis=0)
    assert cracks.score(shifted, lines, lines)[:2] == (1.0, 1.0)
    assert cracks.score(np.roll(lines, 5, axis=0), lines, lines)[:2] == (0.0, 0.0)
    assert cracks.score(np.zeros_like(lines), lines, lines) == (0.0, 0.0, 0.0)


def test_find_cracks_finds_most_drawn_cracks_and_little_else():
    result = cracks.evaluate([painting(seed) for seed in range(3)], darker=0.45, factor=0.25, seeds=1)
    assert result["recall"] > 0.85 and result["precision"] > 0.85
    assert cracks.evaluate([painting(0)], darker=0.95, factor=0.25, seeds=1)["recall"] < 0.1
