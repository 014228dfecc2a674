"""dcgan-fashion-collapse: mode collapse, recorded for the Learn tab. Run "early" is the first 720 steps of the
classic DCGAN (dcgan-fashion's stage main, 1.5 epochs); run "frozen" goes on from it for 500 steps with the
critic's learning rate at 0. D stops learning, so nothing pushes back when G moves every noise vector towards
the few pictures D scores highest, and class coverage piles into one or two classes. In a real run the same
happens when D falls behind G for long. (Tried from the finished dcgan-fashion instead: after 500 frozen steps
its samples carry stripes, FD 39, but all 10 classes stay covered, the largest with 23%.)"""
from gan_core.training import recipes
from gan_core.training.recipes import Recipe, Stage

fashion = recipes.load("dcgan-fashion")

recipe = Recipe("dcgan-fashion-collapse", [
    Stage("classic", 720, run="early"),
    Stage("frozen-critic", 500, dict(lr_d=0.0, bf16=True), run="frozen", start_from="early"),
], dict(fashion.base, checkpoint_every=100), note=__doc__)
