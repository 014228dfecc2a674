"""fashion-classifier: the Fashion-MNIST classifier whose features give the Learn tab's Fréchet distance and
class coverage (gan_core.learn.classifier), 760 steps of batch 128 in one run.

It was trained in five stages on a 2-core CPU shared with other jobs (17 minutes in all): each went on from
the step the one before had stopped at (by hand, or out of --minutes) with a new --steps, and the learning
rate's cosine ends at a stage's --steps. So each stage here stops where that one stopped and keeps its
cosine (schedule_steps); the last stopped at step 760 of its 800.
"""
from gan_core.training.recipes import Recipe, Stage

recipe = Recipe("fashion-classifier", [
    Stage("cosine900", 200, dict(schedule_steps=900)),
    Stage("cosine450", 388, dict(schedule_steps=450)),
    Stage("cosine520", 464, dict(schedule_steps=520)),
    Stage("cosine620", 613, dict(schedule_steps=620)),
    Stage("cosine800", 760, dict(schedule_steps=800)),
], trainer="gan_core.learn.classifier", note=__doc__)
