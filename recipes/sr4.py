"""sr4: 4x super-resolution of clean photos (Pillow's bicubic downscale, the benchmark setting).

Runs "main" and "clean" are sr2's. Run "x4" starts from sr2's last weights, as EDSR starts its 4x model from its
2x one: every layer but the last (whose size is the scale's, and which starts at zero) keeps what 2x learnt.
It is sr2's size (48 channels, 12 convolutions in residual pairs) rather than the first sr4's (64 channels, 16
convolutions): that one took 21 s for a 1024x768 photo on 2 AVX2 threads, this one fits the 10 s the page allows.
L1 alone: the clean setting is scored by PSNR and SSIM, which the adversarial term only lowers.
"""
from gan_core.training import recipes
from gan_core.training.recipes import Recipe, Stage

sr2 = recipes.load("sr2")

recipe = Recipe("sr4", sr2.stages + [
    Stage("x4", 2000, dict(sr2.stages[-1].set, task="sr4", crop=192, decay_from=1000), run="x4", start_from="clean"),
], sr2.base, note=__doc__)
