"""mri-recon: the compressed-sensing MRI generator (gan_core.mri.train) with the trainer's defaults: random
128 px crops of the mricron-data training slices, 4x and 8x masks, L1 + 0.5 SSIM, and from step 500 a small
least-squares adversarial term (0.01).

Stage main is the first model's 16 minutes (2,831 steps, one CPU thread), the step written here so that the
recipe stops where that run did. Stage long goes on at the same learning rate to step 6,000, and stage decay
lowers both learning rates linearly to 0 at step 8,000 (the pix2pix schedule).
"""
from gan_core.training.recipes import Recipe, Stage

recipe = Recipe("mri-recon", [
    Stage("main", 2831),
    Stage("long", 6000),
    Stage("decay", 8000, set=dict(decay_from=6000)),
], trainer="gan_core.mri.train", note=__doc__)
