"""python -m gan_core.training: one run from flags, or a shipped model from its recipe (see train.py, recipes.py).

    python -m gan_core.training --task pix2pix --out runs/pix2pix --steps 6000 --export pix2pix-shoes
    python -m gan_core.training --recipe inpaint-photo --minutes 30      # flags given apply to every stage
"""
import argparse
import sys

from gan_core.training import recipes
from gan_core.training.train import build_parser, parse_args, train


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    first = argparse.ArgumentParser(add_help=False)
    first.add_argument("--recipe", default="", help="train a shipped model stage by stage (a name in recipes/ or "
                                                    "a .py file), from scratch or on from where its run folder stopped")
    known, rest = first.parse_known_args(argv)
    if not known.recipe:
        train(parse_args(argv))
        return
    # the flags a recipe takes are the fields of its stages' config; only those given are passed on
    parser = build_parser(recipes.config_class(recipes.load(known.recipe)), defaults=False)
    recipes.run_recipe(known.recipe, vars(parser.parse_args(rest)))
