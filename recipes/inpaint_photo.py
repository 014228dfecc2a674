"""inpaint-photo, the studio's default inpainter.

Runs "plain" and "refine" are inpaint-photo-faithful's (9,750 plain steps, then 8,728 with the refinement);
refine goes on to step 14,332 with the adversarial weight raised from 6 to 20 in four stages (more texture
in large holes; that model was the default until the grain stages).

Run "general" starts from refine's last weights on the grown photo set (manifest:train: 183 photos from 13
Debian packages and 332 texture tiles) and the "photo" hole mix (strokes, boxes, object silhouettes, borders),
and takes the grain out at its source with losses.grain_loss (fine energy the photo does not have, on the
calm half of the hole): weight 1.0 for 500 steps removed it but smoothed real texture too, 0.25 for 250 steps
brought some back, then the adversarial weight halved to 10 with grain 0.15. Stage wide gives a quarter
of the holes to dense wide strokes (masks.dense_strokes): one hole in four covers over 30% of the crop instead
of one in ten. The stages after 500 were stopped by time (wide by hand, at its checkpoint of step 5,000); their
last steps are written here so the recipe stops where those runs did.
"""
from gan_core.training import recipes
from gan_core.training.recipes import Recipe, Stage

faithful = recipes.load("inpaint-photo-faithful")

GENERAL = dict(data="manifest:train", val_data="", masks="photo", g_refine=32, crop=384, batch_size=4,
               min_scale=0.35, l1_weight=4, adv_weight=20, fm_weight=100, ssim_weight=2)

recipe = Recipe("inpaint-photo", faithful.stages + [
    Stage("crop384-adv8", 9860, dict(adv_weight=8), run="refine"),
    Stage("crop384-adv10", 11000, dict(adv_weight=10), run="refine"),
    Stage("crop384-adv14", 12000, dict(adv_weight=14), run="refine"),
    Stage("crop384-adv20", 14332, dict(adv_weight=20), run="refine"),
    Stage("grain1.0", 500, dict(GENERAL, grain_weight=1.0), run="general", start_from="refine"),
    Stage("grain0.25", 750, dict(grain_weight=0.25), run="general"),
    Stage("adv10-grain0.15", 2271, dict(adv_weight=10, grain_weight=0.15), run="general"),
    Stage("wide", 5000, dict(masks="wide"), run="general"),
], faithful.base, note=__doc__)
