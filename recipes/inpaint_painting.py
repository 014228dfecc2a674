"""inpaint-painting: the photo inpainter fine-tuned on the 19 training paintings (data/paintings.csv) with
holes shaped like damage on old paint: craquelure networks, flakes of lost paint and scratches
(gan_core.masks.damage_mask), now and then a thin brush stroke.

One run from weights/inpaint-photo.safetensors (generator and discriminator, refinement included), at
a lower learning rate and a much lower adversarial weight than the photo model ended with (20): brushwork
and woodblock prints are flat areas and hard edges, where invented texture shows as grain. Crops cover
40-100% of a painting's short side (the paintings are about 700x500), so the model sees them near the
zoom at which users restore them. The grain loss (weight 0.25, as in the photo model's grain stage) charges
for fine energy the painting does not have where it is calm, so flat paint stays flat.
"""
from gan_core.recipes import Recipe, Stage

BASE = dict(task="inpaint", data="paintings:train", val_data="paintings:val", masks="damage",
            init_from="weights/inpaint-photo.safetensors", g_refine=32, crop=256, min_scale=0.4, batch_size=4,
            lr_g=1e-4, lr_d=1e-4, l1_weight=4, ssim_weight=2, fm_weight=100, adv_weight=3,
            grain_weight=0.25, sample_every=250, checkpoint_every=250)

recipe = Recipe("inpaint-painting", [
    Stage("damage-adv3", 2000),
], BASE, note=__doc__)
