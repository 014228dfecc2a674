"""python -m gan_core.training: train a model from flags, or a shipped model from its recipe (see train.py)."""
from gan_core.training.train import main

main()
