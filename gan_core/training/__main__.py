"""python -m gan_core.training: train a model from flags, or a shipped model from its recipe (see cli.py)."""
from gan_core.training.cli import main

main()
