"""cyclegan-shoes: sandals <-> sneakers without pairs (gan_core.learn.cyclegan), one run of 10,000 steps of batch 16
with the module's settings: least-squares critics, cycle weight 10, identity weight 5."""
from gan_core.training.recipes import Recipe, Stage

recipe = Recipe("cyclegan-shoes", [Stage("main", 10000)], trainer="gan_core.learn.cyclegan", note=__doc__)
