"""The Learn tab: how a GAN trains, in three parts, one module each.

playground.py: a 2D GAN you can watch; dcgan.py: the classic DCGAN on Fashion-MNIST and its training story;
latent_search.py: filling a hole by searching the DCGAN's latent space.
"""
from studio.learn import dcgan, latent_search, playground


def build() -> None:
    """The Learn tab's three parts, top to bottom, inside the current gr.Tab."""
    playground.build()
    dcgan.build()
    latent_search.build()
