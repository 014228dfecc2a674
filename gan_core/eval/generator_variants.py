"""Parameters, CPU inference time at 512x512 and training speed at the training crop, per generator variant.

    python -m gan_core.eval.generator_variants [--bf16]

Training speed is one full GAN step of the one trainer (G and D, hinge + L1 + feature matching) on a batch
of 8 crops of 256x256 with random training masks. Run it on an otherwise idle machine.
"""
import argparse

import numpy as np
import torch

from gan_core.inpainting.masks import training_mask
from gan_core.core.layers import count_parameters
from gan_core.inpainting.model import InpaintConfig, InpaintGenerator
from gan_core.inpainting.game import InpaintingGame, TrainConfig
from gan_core.training.trainer import Trainer
from gan_core.eval.bench import time_it

VARIANTS = {  # name: (TrainConfig overrides, InpaintConfig)
    "ffc c64 (shipped)": ({}, InpaintConfig()),
    "ffc c48": ({"g_channels": 48}, InpaintConfig(channels=48)),
    "dilated c64": ({"g_block": "dilated"}, InpaintConfig(block="dilated")),
    "ffc c64, 9 blocks": ({"g_blocks": 9}, InpaintConfig(n_blocks=9)),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bf16", action="store_true")
    args = parser.parse_args()
    torch.set_flush_denormal(True)
    rng = np.random.default_rng(0)
    image = torch.rand(1, 3, 512, 512) * 2 - 1
    mask = torch.from_numpy(training_mask(512, 512, rng))[None, None]
    batch = (torch.rand(8, 3, 256, 256) * 2 - 1,
             torch.stack([torch.from_numpy(training_mask(256, 256, rng))[None] for _ in range(8)]))
    print(f"threads {torch.get_num_threads()}, {'bf16' if args.bf16 else 'fp32'}")
    print(f"{'variant':22} {'params M':>9} {'512px ms':>9} {'train steps/s':>14}")
    for name, (overrides, config) in VARIANTS.items():
        generator = InpaintGenerator(config).eval()
        with torch.inference_mode(), torch.autocast("cpu", torch.bfloat16, enabled=args.bf16):
            infer_ms = time_it(lambda: generator(image, mask), 5)
        trainer = Trainer(InpaintingGame(TrainConfig(bf16=args.bf16, **overrides)), torch.device("cpu"))
        step_ms = time_it(lambda: trainer.step(batch), 4)
        print(f"{name:22} {count_parameters(generator) / 1e6:9.2f} {infer_ms:9.1f} {1000 / step_ms:14.2f}")


if __name__ == "__main__":
    main()
