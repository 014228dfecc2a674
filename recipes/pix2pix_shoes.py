"""pix2pix-shoes: the edges of a shoe in, the shoe out (gan_core.learn.pix2pix): one run of 6,000 steps of batch 64,
L1 (weight 100, as in the paper) plus the adversarial term of a PatchGAN that judges (edges, shoe) pairs."""
from gan_core.training.recipes import Recipe, Stage

recipe = Recipe("pix2pix-shoes", [Stage("main", 6000)], dict(adv_weight=1.0), trainer="gan_core.learn.pix2pix",
                note=__doc__)
