"""sr2-real: 2x super-resolution of the photos people bring (blur, sensor noise, JPEG; the real setting).

The runs before "real" are sr2's. Run "real" starts from sr2's last weights and trains on crops degraded by
gan_core.photos.data.real_degradation (Real-ESRGAN's second-order model: blur, resize, noise and JPEG, twice over),
with L1 first and then a light adversarial term and feature matching, so that what the degradation took away comes
back as texture rather than blur.
"""
from gan_core.training import recipes
from gan_core.training.recipes import Recipe, Stage

clean = recipes.load("sr2")

REAL = dict(task="sr2", data="manifest:train+paintings:train", val_data="manifest:val", setting="real",
            crop=192, batch_size=8, lr_g=2e-4, adv_start=300, adv_weight=0.1, decay_from=600, threads=1)

recipe = Recipe("sr2-real", clean.stages + [
    Stage("real", 1200, REAL, run="real", start_from=clean.stages[-1].run),
], clean.base, note=__doc__)
