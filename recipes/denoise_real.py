"""denoise-real: Denoising of the photos people bring (blur, sensor noise, JPEG; the real setting).

The runs before "real" are denoise's. Run "real" starts from denoise's last weights and trains on crops degraded by
gan_core.photos.data.real_degradation (Real-ESRGAN's second-order model: blur, resize, noise and JPEG, twice over),
with L1 first and then a light adversarial term and feature matching, so that what the degradation took away comes
back as texture rather than blur.
"""
from gan_core.training import recipes
from gan_core.training.recipes import Recipe, Stage

clean = recipes.load("denoise")

REAL = dict(task="denoise", data="manifest:train+paintings:train", val_data="manifest:val", setting="real",
            crop=128, batch_size=16, lr_g=2e-4, adv_start=300, adv_weight=0.1, decay_from=600)

recipe = Recipe("denoise-real", clean.stages + [
    Stage("real", 1200, REAL, run="real", start_from=clean.stages[-1].run),
], clean.base, note=__doc__)
