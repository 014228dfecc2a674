"""sr2: 2x super-resolution, one run of 1,579 steps (15 minutes): 1,000 steps of L1 alone, then a light
adversarial term and feature matching."""
from gan_core.training.recipes import Recipe, Stage

recipe = Recipe("sr2", [Stage("main", 1579)], dict(
    task="sr2", data="data/train-v1.txt", val_data="data/val-v1.txt", bf16=True, crop=192, g_channels=48,
    g_blocks=12, g_skips=True, lr_g=3e-4, adv_start=1000, adv_weight=0.05, fm_weight=5, sample_every=250,
    checkpoint_every=250), note=__doc__)
