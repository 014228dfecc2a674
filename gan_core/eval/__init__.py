"""Measurement, apart from the library: every entry point here prints numbers and imports gan_core, never
the other way round.

    python -m gan_core.eval.inpaint        the inpainter against Telea and Navier-Stokes on held-out photos
    python -m gan_core.eval.adapt_budget   what learning the photo first buys per second of adaptation
    python -m gan_core.eval.restore        denoising and super-resolution against their classical peers
    python -m gan_core.eval.latent         DCGAN latent-search inpainting against the mean image
    python -m gan_core.eval.bench          the inpainter's CPU speed against Telea
    python -m gan_core.eval.bench_restore  the restorers' speed and memory on large photos
    python -m gan_core.eval.fold_lattice   how much of a fill's fine detail is the generator's 4x4 grid
    python -m gan_core.eval.generator_variants  parameters and speed of inpainting generator variants
    python -m gan_core.eval.toy_speed      the playground's steps and refreshes per second
    python -m gan_core.eval.toy_browser    the same, seen in Chromium
    python -m gan_core.eval.mri            the MRI reconstruction GAN against zero-filling and L1-wavelet CS
"""
