"""mri-recon: the compressed-sensing MRI generator (gan_core.mri_train) with the trainer's defaults: random
128 px crops of the mricron-data training slices, 4x and 8x masks, L1 + 0.5 SSIM, and from step 500 a small
least-squares adversarial term (0.01).

The shipped model is the first call's 16 minutes (`--recipe mri-recon --minutes 16`, one CPU thread):
2,831 steps, the step written here so that the recipe stops where that run did. Training longer goes on
from the run's checkpoint with a larger step here.
"""
from gan_core.recipes import Recipe, Stage

recipe = Recipe("mri-recon", [Stage("main", 2831)], trainer="gan_core.mri_train", note=__doc__)
