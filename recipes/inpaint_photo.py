"""inpaint-photo, the studio's default inpainter: inpaint-photo-faithful's two runs (9,750 plain steps, then
8,728 with the refinement), then the refinement run on to step 14,332 with the adversarial weight raised
from 6 to 20 in four stages: more texture in large holes, within ~0.1 dB of the faithful model's PSNR.
The last stage ran for 62 minutes; its last step is written here so the recipe stops where that run did.
"""
from gan_core import recipes
from gan_core.recipes import Recipe, Stage

faithful = recipes.load("inpaint-photo-faithful")

recipe = Recipe("inpaint-photo", faithful.stages + [
    Stage("crop384-adv8", 9860, dict(adv_weight=8), run="refine"),
    Stage("crop384-adv10", 11000, dict(adv_weight=10), run="refine"),
    Stage("crop384-adv14", 12000, dict(adv_weight=14), run="refine"),
    Stage("crop384-adv20", 14332, dict(adv_weight=20), run="refine"),
], faithful.base, note=__doc__)
