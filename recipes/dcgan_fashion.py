"""dcgan-fashion: the classic DCGAN of the PyTorch example on Fashion-MNIST (32 x 32), 720 steps of batch
128 (11 minutes), the non-saturating loss and the example's Adam settings; the Learn tab tells its story."""
from gan_core.recipes import Recipe, Stage

recipe = Recipe("dcgan-fashion", [Stage("main", 720)], dict(
    task="dcgan", batch_size=128, gan_loss="nonsaturating", adv_weight=1.0, fm_weight=0.0, workers=0,
    sample_every=100, checkpoint_every=200), note=__doc__)
