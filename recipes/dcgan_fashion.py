"""dcgan-fashion: the classic DCGAN of the PyTorch example on Fashion-MNIST (32 x 32), the non-saturating loss and
the example's Adam settings. Stage main is the first 720 steps of batch 128 (1.5 epochs, the model the Learn
tab's story began with); stage long goes on in the same run, with bfloat16 autocast (about 2x faster on a CPU
with AVX512-BF16 or AMX, far slower without: pass --no-bf16 there), measuring the Fréchet distance and class
coverage at each sample grid, its learning rates falling linearly to 0 over the last 4,000 steps. Export ships the run's log and sample grids beside the weights."""
from gan_core.training.recipes import Recipe, Stage

recipe = Recipe("dcgan-fashion", [
    Stage("main", 720),
    Stage("long", 12000, dict(bf16=True, sample_every=1000, log_every=50, checkpoint_every=500, decay_from=8000)),
], dict(task="dcgan", batch_size=128, gan_loss="nonsaturating", adv_weight=1.0, fm_weight=0.0, workers=0,
        sample_every=100, checkpoint_every=200), note=__doc__)
