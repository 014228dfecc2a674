"""A start that learns a photo quickly: Reptile (Nichol et al., 2018) over training photos.

Test-time adaptation (gan_core.inpainting.adapt) takes a few dozen steps from the shipped weights. Meta-learning
asks for weights from which those few steps go further: Reptile plays the adaptation on one training photo
with a random hole, then moves the start a fraction of the way towards where adaptation ended,

    theta <- theta + epsilon * (phi_k(theta) - theta),    phi_k = k steps of adaptation from theta,

which, to first order, is gradient descent on the loss after adaptation, with no second derivatives and no
training loop of its own (each inner step is a round of the one Trainer).

    python -m gan_core.inpainting.meta --out runs/meta-reptile --minutes 60

It checkpoints (safetensors) every few outer steps and resumes from its last checkpoint. Photos of
data/follow.txt are left out, so that the start can be compared with the shipped weights on photos neither saw
adapt in training.
"""
import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from gan_core.core.device import load, set_threads
from gan_core.core.paths import DATA_DIR
from gan_core.core.weights import load_parts, save_parts, save_weights
from gan_core.inpainting.adapt import AdaptConfig, adapt
from gan_core.inpainting.masks import mask_of_size
from gan_core.inpainting.model import InpaintGenerator  # noqa: F401  registers the class the card names
from gan_core.photos.data import load_rgb, read_list, resolve_files

HOLE_CLASSES = ("medium", "large", "object")


@dataclasses.dataclass
class MetaConfig:
    out: str = "runs/meta-reptile"
    weights: str = "inpaint-photo"       # the start of the start
    data: str = "manifest:train"
    minutes: float = 60.0                # stop after this much wall time (all sessions together)
    outer_steps: int = 100_000           # ... or this many outer steps
    inner_steps: int = 10                # k: adaptation steps per photo
    epsilon: float = 0.5                 # how far the start moves towards the adapted weights
    side: int = 512                      # photos at the studio's working size
    checkpoint_every: int = 10
    seed: int = 0
    threads: int = 0                     # torch threads (0: every core)
    export: str = ""                     # a path: also write the start as inpainting weights with a card
    adapt: str = "{}"                    # AdaptConfig fields as JSON (steps is inner_steps)


def meta_photos(data: str) -> list[Path]:
    """The training photos minus data/follow.txt's (kept for comparing starts)."""
    held_out = {Path(p).name for p in read_list(str(DATA_DIR / "follow.txt"))}
    return [p for p in resolve_files(data) if Path(p).name not in held_out]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for f in dataclasses.fields(MetaConfig):
        parser.add_argument(f"--{f.name.replace('_', '-')}", type=type(f.default), default=f.default)
    cfg = MetaConfig(**vars(parser.parse_args(argv)))
    set_threads(cfg.threads or None)
    out = Path(cfg.out)
    generator, discriminator, card = load(cfg.weights, "inpaint", torch.device("cpu"))
    start = type(generator)(generator.config).float()
    start.load_state_dict(generator.state_dict())
    state = {"outer_step": 0, "seconds": 0.0}
    if (out / "start.safetensors").exists():   # resume
        start.load_state_dict(load_parts(out / "start.safetensors")[0]["generator"])
        state = json.loads((out / "state.json").read_text())
    inner = AdaptConfig(**{**json.loads(cfg.adapt), "steps": cfg.inner_steps})
    photos = meta_photos(cfg.data)
    out.mkdir(parents=True, exist_ok=True)
    log = (out / "log.jsonl").open("a")
    bar = tqdm(initial=state["outer_step"], total=cfg.outer_steps, desc="Reptile")
    while state["outer_step"] < cfg.outer_steps and state["seconds"] < cfg.minutes * 60:
        began = time.perf_counter()
        rng = np.random.default_rng([cfg.seed, state["outer_step"]])
        photo = load_rgb(photos[int(rng.integers(len(photos)))], cfg.side)
        hole = mask_of_size(*photo.shape[:2], HOLE_CLASSES[int(rng.integers(3))], rng)
        config = dataclasses.replace(inner, seed=int(rng.integers(2**31)))
        for step in adapt(start, discriminator, card, photo, hole, config):
            pass
        with torch.no_grad():   # theta <- theta + epsilon (phi - theta)
            for theta, phi in zip(start.parameters(), step.generator.parameters()):
                theta.add_(phi.detach() - theta, alpha=cfg.epsilon)
        state["outer_step"] += 1
        state["seconds"] += time.perf_counter() - began
        log.write(json.dumps({"outer_step": state["outer_step"], "wall": state["seconds"], **step.stats}) + "\n")
        bar.update(1)
        if state["outer_step"] % cfg.checkpoint_every == 0:
            save_parts(out / "start.safetensors", {"generator": start}, {"task": "inpaint", "name": "meta-start"})
            (out / "state.json").write_text(json.dumps(state))
            log.flush()
    save_parts(out / "start.safetensors", {"generator": start}, {"task": "inpaint", "name": "meta-start"})
    (out / "state.json").write_text(json.dumps(state))
    if cfg.export:   # the shipped critic and card, the start's generator, and how it was made
        name = Path(cfg.export).stem
        save_weights(cfg.export, start, discriminator,
                     {**card, "name": name, "meta": {**dataclasses.asdict(cfg), **state, "photos": len(photos)}})


if __name__ == "__main__":
    main()
