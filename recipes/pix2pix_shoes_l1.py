"""pix2pix-shoes-l1: pix2pix-shoes without its critic (adv_weight 0), 6,000 steps of L1 alone: the right
shape, blurry inside, which is what the adversarial term of pix2pix-shoes is there to fix."""
from gan_core.training.recipes import Recipe, Stage

recipe = Recipe("pix2pix-shoes-l1", [Stage("main", 6000)], dict(adv_weight=0.0), trainer="gan_core.learn.pix2pix",
                note=__doc__)
