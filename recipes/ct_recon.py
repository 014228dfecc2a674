"""ct-recon: the sparse-view CT network (gan_core.mri.ct, trained by gan_core.mri.ct_train).

A U-Net that corrects the FBP image (FBPConvNet's residual design), told how many views there were. No CT scan
is in the project's data: the slices are the generalising MRI model's views (training photos, texture tiles
and paintings as grey images, and colin27's brain windows at any size, angle and contrast), cut to their
inscribed circle and projected at 24-96 angles from a random start. The macaque scan is the held-out source.
L1 + 0.5 SSIM, and from step 500 a small least-squares adversarial term (0.01); bfloat16 autocast.

Stage main trains at a constant learning rate; stage decay lowers it linearly to 0.
"""
from gan_core.training.recipes import Recipe, Stage

recipe = Recipe("ct-recon", [
    Stage("main", 1600),
    Stage("decay", 2000, set=dict(decay_from=1600)),
], base=dict(task="ct", steps=2000, val_every=250, threads=1), trainer="gan_core.mri.ct_train", note=__doc__)
