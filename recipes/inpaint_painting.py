"""inpaint-painting: the photo inpainter fine-tuned on the 19 training paintings (data/paintings.csv) with
holes shaped like damage on old paint: craquelure networks, flakes of lost paint and scratches
(gan_core.inpainting.masks.damage_mask), now and then a thin brush stroke.

Its first stages are inpaint-photo's, up to the model that recipe shipped when the paintings started from it
(stage adv10-grain0.15, step 2,271 of run general), so the recipe rebuilds the same model whatever
inpaint-photo ships later. Run "main" starts from there (generator and discriminator, refinement included),
at a lower learning rate and a much lower adversarial weight than the photo model: brushwork and woodblock
prints are flat areas and hard edges, where invented texture shows as grain. Crops cover 40-100% of a
painting's short side (the paintings are about 700x500), so the model sees them near the zoom at which users
restore them. The grain loss (weight 0.25) charges for fine energy the painting does not have where it is
calm, so flat paint stays flat. Stage l1-decay leans further towards the painting itself (adversarial weight
0.5, L1 10, feature matching 10, both learning rates falling to 0): +0.3 dB on the held-out paintings. At
inference the model averages its fills of the painting and its three mirror images (flips 4): +0.2 dB more,
four times the work. Stage turns shows it each crop turned to any of the square's eight symmetries (crack
networks and brushwork run every way, and the flips at inference show it paintings upside down), with the
learning rates rising again and falling to 0 over 2,000 steps: +0.08 dB on the held-out paintings. Stage
known-context shows the full-resolution refinement the painting's own pixels around each hole instead of
the network's guess of them (g_refine_known; the body is trained on the hole only, so its guess there is
5-10 levels off, and most of what two 3x3 convolutions see of a thin crack is its edges), with the same
schedule as turns: +0.19 dB on the held-out paintings. Run "blocks" starts from there with two dilated
residual blocks inside the refinement (g_refine_blocks; they start as the identity), so it sees 10 px around
each pixel at full resolution instead of 2, the learning rates falling from 1e-4 to 0 over 1,500 steps:
+0.06 dB, for 60% more time per fill. Stage blocks-longer trains that run 3,000 steps more, the learning rates
back at 1e-4 and falling to 0 again (+0.14 dB with four mirror images), and the model averages its fills over
all eight symmetries of the square instead of four (flips 8, trained on all eight since stage turns): +0.04 dB
more, for twice the time per fill.
"""
from gan_core.training import recipes
from gan_core.training.recipes import Recipe, Stage

photo = recipes.load("inpaint-photo")
PHOTO_STAGES = photo.stages[:[stage.name for stage in photo.stages].index("adv10-grain0.15") + 1]

PAINTING = dict(data="paintings:train", val_data="paintings:val", masks="damage", bf16=False, g_refine=32,
                crop=256, min_scale=0.4, batch_size=4, lr_g=1e-4, lr_d=1e-4, l1_weight=4, ssim_weight=2,
                fm_weight=100, adv_weight=3, grain_weight=0.25, sample_every=250, checkpoint_every=250)

recipe = Recipe("inpaint-painting", PHOTO_STAGES + [
    Stage("damage-adv3", 2000, PAINTING, run="main", start_from="general"),
    Stage("l1-decay", 4500, dict(adv_weight=0.5, fm_weight=10, l1_weight=10, decay_from=2000, g_flips=4)),
    Stage("turns", 6500, dict(symmetries=8, decay_from=4500)),
    Stage("known-context", 8500, dict(g_refine_known=True, decay_from=6500)),
    Stage("refine-blocks", 1500, dict(PAINTING, adv_weight=0.5, fm_weight=10, l1_weight=10, g_flips=4, symmetries=8,
                                      g_refine_known=True, g_refine_blocks=2, decay_from=1),
          run="blocks", start_from="main"),
    Stage("blocks-longer", 4500, dict(decay_from=1500, g_flips=8), run="blocks"),
], photo.base, note=__doc__)
