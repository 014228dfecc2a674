"""mri-recon: the compressed-sensing MRI generator (gan_core.mri_train) with the trainer's defaults: random
128 px crops of the mricron-data training slices, 4x and 8x masks, L1 + 0.5 SSIM, and from step 500 a small
least-squares adversarial term (0.01).

The trainer stops each call after --minutes (20 by default) and the next call goes on from the checkpoint,
up to its default ceiling of 100,000 steps. Once a model is shipped, its last step belongs here, so that the
recipe stops where that run did.
"""
from gan_core.recipes import Recipe, Stage

recipe = Recipe("mri-recon", [Stage("main", 100000)], trainer="gan_core.mri_train", note=__doc__)
