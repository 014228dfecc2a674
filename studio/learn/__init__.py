"""The Learn tab: how a GAN trains and how good it gets, in six parts, one module each.

playground.py: a 2D GAN you can watch; dcgan.py: the classic DCGAN on Fashion-MNIST and its training story;
latent_search.py: filling a hole by searching the DCGAN's latent space; measure.py: how good a generator is
(Fréchet distance and class coverage by our own classifier); pix2pix.py: draw a shoe's edges, get the shoe;
cyclegan.py: sandals <-> sneakers without pairs, and the cycle loss in 2D.
(The playground's lessons in words, in English and Chinese, are studio/lessons.py.)
"""
from studio.learn import cyclegan, dcgan, latent_search, measure, pix2pix, playground


def build() -> None:
    """The Learn tab's six parts, top to bottom, inside the current gr.Tab."""
    playground.build()
    dcgan.build()
    latent_search.build()
    measure.build()
    pix2pix.build()
    cyclegan.build()
