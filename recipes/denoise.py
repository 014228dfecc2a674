"""denoise: the blind denoiser, one run of 2,938 steps (21 minutes on the 2-core CPU it was trained on):
1,000 steps of L1 alone, then a light adversarial term and feature matching."""
from gan_core.training.recipes import Recipe, Stage

recipe = Recipe("denoise", [Stage("main", 2938)], dict(
    task="denoise", data="data/train-v1.txt", val_data="data/val-v1.txt", bf16=True, batch_size=12, crop=128,
    g_channels=48, g_blocks=12, g_skips=True, lr_g=3e-4, adv_start=1000, adv_weight=0.05, fm_weight=5,
    sample_every=250, checkpoint_every=250), note=__doc__)
