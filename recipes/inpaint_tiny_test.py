"""inpaint-tiny-test: a tiny inpainter (16 channels, 2 blocks) trained for 30 steps, so the studio and its
tests have a real model that loads in milliseconds. Also the recipe the tests run end to end."""
from gan_core.training.recipes import Recipe, Stage

recipe = Recipe("inpaint-tiny-test", [Stage("main", 30)], dict(
    task="inpaint", data="manifest:train", batch_size=4, crop=128, adv_start=10, g_channels=16, g_blocks=2,
    d_channels=16, workers=0, sample_every=30), note=__doc__)
