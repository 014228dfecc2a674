"""How good is a Fashion-MNIST generator? The classifier's two numbers for shipped models and training runs.

    python -m gan_core.learn.measure_generators --out docs/learn-metrics.json      # baseline + dcgan-fashion
    python -m gan_core.learn.measure_generators --run runs/dcgan                    # a run's checkpoint, into its log

Fréchet distance (FD) to the 10,000 test images and class coverage, on 5,000 samples. The baseline is the
training set against the test set: two samples of the same distribution, so the FD a perfect generator
would get (not 0, because both sets are finite samples).
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

from gan_core.learn import classifier
from gan_core.learn.dcgan import DCGANConfig, DCGANGenerator
from gan_core.learn.sampling import generate, sample_images

N_SAMPLES = 5000


def measure_images(images: np.ndarray, reference: np.ndarray | None = None) -> dict:
    """FD to the reference (default: the test split) and coverage of uint8 images (n, H, W)."""
    reference = classifier.fashion_split("test")[0] if reference is None else reference
    coverage = classifier.class_coverage(images)
    return {"fd": round(classifier.frechet_distance(images, reference), 3),
            "coverage": [round(float(share), 4) for share in coverage],
            "classes_covered": int((coverage > 0.02).sum()), "largest_class_share": round(float(coverage.max()), 4)}


def baseline(n: int = N_SAMPLES, seed: int = 0) -> dict:
    """n training images against the test set: the FD of real data, what "good" looks like."""
    train_images = classifier.fashion_split("train")[0]
    chosen = np.random.default_rng(seed).choice(len(train_images), n, replace=False)
    return measure_images(train_images[chosen])


def measure_weights(name: str = "dcgan-fashion", n: int = N_SAMPLES, seed: int = 0) -> dict:
    return measure_images(generate(name, n=n, seed=seed))


@torch.no_grad()
def measure_generator(generator: DCGANGenerator, n: int = N_SAMPLES, seed: int = 0) -> dict:
    """FD and coverage of a DCGAN generator's first n samples from the seeded noise (in eval mode, as shipped)."""
    return measure_images(sample_images(generator, n, seed))


@torch.no_grad()
def measure_run(run_dir: str | Path, n: int = N_SAMPLES, seed: int = 0) -> dict:
    """Measure the EMA generator of gan_core.training.train's DCGAN checkpoint and append it to run_dir/metrics.jsonl,
    one line per call, so calling this between the stages of a run draws FD and coverage along training."""
    state = torch.load(Path(run_dir) / "checkpoint.pt", map_location="cpu", weights_only=True)
    generator = DCGANGenerator(DCGANConfig())
    generator.load_state_dict(state["generator_ema"])
    numbers = {"step": state["step"], **measure_generator(generator, n, seed)}
    metrics = Path(run_dir) / "metrics.jsonl"
    with open(metrics, "a") as log:
        log.write(json.dumps(numbers) + "\n")
    return numbers


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="", help="write the baseline and the shipped DCGAN's numbers to this JSON")
    parser.add_argument("--weights", nargs="+", default=["dcgan-fashion"], help="shipped DCGANs to measure")
    parser.add_argument("--run", default="", help="measure a gan_core.training.train DCGAN run's checkpoint instead")
    parser.add_argument("--n", type=int, default=N_SAMPLES)
    args = parser.parse_args(argv)
    if args.run:
        print(json.dumps(measure_run(args.run, args.n)))
        return
    report = {"what": "Fréchet distance to the Fashion-MNIST test set (10,000 images) in the features of "
                      "weights/fashion-classifier, and class coverage (share per class), on "
                      f"{args.n} images",
              "command": "python -m gan_core.learn.measure_generators " + " ".join(sys.argv[1:] if argv is None else argv),
              "train_vs_test": baseline(args.n),
              **{name: measure_weights(name, args.n) for name in args.weights}}
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
