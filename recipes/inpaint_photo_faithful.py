"""inpaint-photo-faithful: the photo inpainter at step 8,728 of its refinement run, before the adversarial
weight was raised past 6 (closer to the photo, less invented detail than inpaint-photo).

Two runs. "plain": the generator without a refinement, 9,750 steps on 256 px crops, the adversarial and
feature-matching weights raised in stages as the fills settled (each stage began where the one before
stopped). "refine": a new run from plain's last weights with the full-resolution refinement (it starts as
the identity), the SSIM term, and from step 4,000 on 384 px crops. The stages to 8,728 ran for 60 minutes;
their last step is written here so the recipe stops where that run did. Up to step 4,250 the SSIM term
counted the hole's own windows only (commit a1d0d6c); since then, every window that sees the hole.
"""
from gan_core.training.recipes import Recipe, Stage

# the photos and the hole mix of that time (the manifest has grown since, and the mix has objects and borders)
BASE = dict(task="inpaint", data="data/train-v1.txt", val_data="data/val-v1.txt", masks="strokes", bf16=True,
            lr_g=3e-4, sample_every=250, checkpoint_every=250)

PLAIN = [
    Stage("plain-adv0.1", 3750, dict(adv_start=1000, adv_weight=0.1, fm_weight=10), run="plain"),
    Stage("plain-adv0.5", 5802, dict(adv_weight=0.5, fm_weight=30), run="plain"),
    Stage("plain-adv1", 9250, dict(adv_weight=1.0, fm_weight=100), run="plain"),
    Stage("plain-l1-3", 9750, dict(l1_weight=3, adv_weight=2), run="plain"),
]
REFINE = [
    Stage("refine-adv3", 1250, dict(g_refine=32, l1_weight=2, adv_weight=3, fm_weight=100), run="refine",
          start_from="plain"),
    Stage("refine-ssim2", 1750, dict(adv_weight=2, ssim_weight=2), run="refine"),
    Stage("refine-l1-3", 2750, dict(l1_weight=3, adv_weight=3, ssim_weight=1.5), run="refine"),
    Stage("refine-adv4", 3250, dict(adv_weight=4), run="refine"),
    Stage("refine-adv5", 3750, dict(adv_weight=5), run="refine"),
    Stage("refine-l1-4", 4000, dict(l1_weight=4), run="refine"),
    Stage("crop384", 4250, dict(crop=384, batch_size=4, min_scale=0.35), run="refine"),
    Stage("crop384-ssim2", 6250, dict(ssim_weight=2), run="refine"),
    Stage("crop384-adv6", 8728, dict(adv_weight=6), run="refine"),
]

recipe = Recipe("inpaint-photo-faithful", PLAIN + REFINE, BASE, note=__doc__)
