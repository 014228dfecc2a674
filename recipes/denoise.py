"""denoise: the blind denoiser for clean photos (Gaussian noise of any level up to 55).

Run "main" is the first model: 2,938 steps (21 minutes on a 2-core CPU) on the first thirty photos, 1,000 of L1
alone, then a light adversarial term and feature matching, on a mix of Gaussian, Poisson and JPEG noise.
Run "clean" starts from it on the grown photo set (manifest:train and the paintings' training split) with
Gaussian noise alone and L1 alone: the clean setting is scored by PSNR and SSIM, which the adversarial term
only lowers.
"""
from gan_core.training.recipes import Recipe, Stage

CLEAN = dict(data="manifest:train+paintings:train", val_data="manifest:val", setting="clean", batch_size=16,
             lr_g=2e-4, adv_start=10**9, threads=1)   # L1 alone: the adversarial term never starts

recipe = Recipe("denoise", [
    Stage("main", 2938),
    Stage("clean", 1500, dict(CLEAN, crop=128, decay_from=750), run="clean", start_from="main"),
], dict(
    task="denoise", data="data/train-v1.txt", val_data="data/val-v1.txt", bf16=True, batch_size=12, crop=128,
    g_channels=48, g_blocks=12, g_skips=True, lr_g=3e-4, adv_start=1000, adv_weight=0.05, fm_weight=5,
    sample_every=250, checkpoint_every=250), note=__doc__)
