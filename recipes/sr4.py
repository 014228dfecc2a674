"""sr4: 4x super-resolution, one run of 2,278 steps (25 minutes) with the default generator: 1,000 steps of
L1 alone, then a light adversarial term and feature matching."""
from gan_core.training.recipes import Recipe, Stage

recipe = Recipe("sr4", [Stage("main", 2278)], dict(
    task="sr4", data="data/train-v1.txt", val_data="data/val-v1.txt", bf16=True, lr_g=3e-4, adv_start=1000,
    adv_weight=0.05, fm_weight=5, sample_every=250, checkpoint_every=250), note=__doc__)
