"""How fast does the 2D GAN playground train and redraw on this machine?

For the default settings and every preset it prints:
  train:  steps per second of training alone;
  live:   steps and refreshes per second in the loop a UI with a 0.2 s timer runs (as the app): train for 0.2 s
          (less the time the last frame took, so frames come every 0.2 s), then snapshot + render.
The playground needs >= 20 steps/s while refreshing >= 4 times a second.

    python -m gan_core.eval.toy_speed [seconds per measurement, default 2]
"""
import sys
import time

from gan_core.learn.toy.game import PRESETS, ToyConfig, ToyGAN, render


def train_rate(gan: ToyGAN, seconds: float) -> float:
    """Steps per second of gan.step alone."""
    gan.step(5)  # warm up
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        gan.step(5)
        steps += 5
    return steps / (time.perf_counter() - start)


def live_rate(gan: ToyGAN, seconds: float, period: float = 0.2, size: int = 400) -> tuple[float, float, float]:
    """(steps/s, refreshes/s, ms per refresh) when training between frames, one frame every `period` s."""
    steps = refreshes = 0
    refresh_time = last_frame = 0.0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        slice_end = start + (refreshes + 1) * period - last_frame    # frames on a fixed 0.2 s schedule
        while time.perf_counter() < slice_end:
            gan.step(1)
            steps += 1
        frame_start = time.perf_counter()
        render(gan.snapshot(), size=size)
        last_frame = time.perf_counter() - frame_start
        refresh_time += last_frame
        refreshes += 1
    elapsed = time.perf_counter() - start
    return steps / elapsed, refreshes / elapsed, 1000 * refresh_time / refreshes


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    configs = {"default": ToyConfig(), **{name: preset.config for name, preset in PRESETS.items()}}
    print(f"{'setting':62s} {'train steps/s':>13s} {'live steps/s':>12s} {'refresh/s':>9s} {'ms/refresh':>10s}")
    for name, config in configs.items():
        trained = train_rate(ToyGAN(config), seconds)
        live_steps, live_refreshes, frame_ms = live_rate(ToyGAN(config), seconds)
        print(f"{name:62s} {trained:13.0f} {live_steps:12.0f} {live_refreshes:9.2f} {frame_ms:10.1f}", flush=True)


if __name__ == "__main__":
    main()
