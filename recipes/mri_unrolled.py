"""mri-unrolled: the MRI reconstruction that generalises (gan_core.mri.unrolled, trained by gan_core.mri.train).

A cascade of five small U-Nets, each followed by data consistency, trained on colin27 alone (the macaque scan is
the held-out source) and on transfer views: the training photos, texture tiles and paintings as grey complex
images. Every view has its own size (64-320 px), angle, contrast (T2-like inversion, gamma) and k-space noise,
and its own mask at an acceleration drawn from 2x-8x. L1 + 0.5 SSIM, and from step 500 a small least-squares
adversarial term (0.01); bfloat16 autocast (this CPU has AVX512-BF16).

Stage pretrain sees transfer views only; stage finetune mixes brains in (80% of the views) at the same learning
rate; stage decay lowers it linearly to 0. Stage tv-start goes on from those weights in a new run, with the
cascade starting from TV compressed sensing instead of the zero-filled image (views up to 192 px: each TV start
costs about a second in the data worker), and decays again.
"""
from gan_core.training.recipes import Recipe, Stage

recipe = Recipe("mri-unrolled", [
    Stage("pretrain", 1000, set=dict(transfer=1.0)),
    Stage("finetune", 2400, set=dict(transfer=0.2)),
    Stage("decay", 3000, set=dict(transfer=0.2, decay_from=2400)),
    Stage("tv-start", 800, set=dict(transfer=0.2, start="tv", max_side=192, decay_from=500), run="tv",
          start_from="main"),
], base=dict(model="unrolled", data="mixed", held_out_source=True, bf16=True, steps=3000, val_every=250, threads=1),
   trainer="gan_core.mri.train", note=__doc__)
