"""The Learn tab: how a GAN trains and how good it gets, in six parts, one module each.

playground.py: a 2D GAN you can watch; dcgan.py: the classic DCGAN on Fashion-MNIST and its training story;
latent_search.py: filling a hole by searching the DCGAN's latent space; measure.py: how good a generator is
(Fréchet distance and class coverage by our own classifier); pix2pix.py: draw a shoe's edges, get the shoe;
cyclegan.py: sandals <-> sneakers without pairs, and the cycle loss in 2D. lessons.py: the playground's
lessons in words, in English and Chinese.
"""


def build() -> None:
    """The Learn tab's six parts, top to bottom, inside the current gr.Tab.

    Imported here, not above: studio.i18n reads lessons.py from this package, and the parts use studio.i18n.
    """
    from studio.learn import cyclegan, dcgan, latent_search, measure, pix2pix, playground
    playground.build()
    dcgan.build()
    latent_search.build()
    measure.build()
    pix2pix.build()
    cyclegan.build()
