"""gan_core.training.trainer: the round of the game written once, played by a toy game."""
import copy

import torch

from gan_core.training.trainer import Trainer, linear_decay
from tests.training.toy import ToyConfig, ToyGame


def batch(seed=0):
    return (torch.randn(8, 2, generator=torch.Generator().manual_seed(seed)),)


def test_d_moves_first_unless_the_game_says_g_does():
    game = ToyGame(ToyConfig())
    Trainer(game).step(batch())
    assert game.moves == ["D", "G"]
    cycle_like = ToyGame(ToyConfig(), d_first=False)
    Trainer(cycle_like).step(batch())
    assert cycle_like.moves == ["G", "D"]


def test_before_adv_start_and_without_a_critic_only_g_moves():
    game = ToyGame(ToyConfig(adv_start=2))
    trainer = Trainer(game)
    critic_before = [p.clone() for p in trainer.discriminator.parameters()]
    trainer.step(batch(0))
    trainer.step(batch(1))
    assert game.moves == ["G", "G"]
    assert all(torch.equal(a, b) for a, b in zip(critic_before, trainer.discriminator.parameters()))
    trainer.step(batch(2))
    assert game.moves[-2:] == ["D", "G"]
    alone = Trainer(ToyGame(ToyConfig(), critic=False, ema=None))
    assert alone.discriminator is None and alone.opt_d is None and alone.generator_ema is None
    assert set(alone.step(batch())) == {"loss_g"} and alone.step_count == 1


def test_the_generator_half_gives_d_no_gradient_and_the_average_follows_g():
    trainer = Trainer(ToyGame(ToyConfig()))
    start = trainer.generator_ema.weight.clone()
    for seed in range(5):
        stats = trainer.step(batch(seed))
    assert {"loss_d", "loss_g"} <= set(stats)
    assert all(p.grad is None or not p.requires_grad for p in trainer.discriminator.parameters())
    assert not torch.equal(trainer.generator_ema.weight, start)
    assert not trainer.generator_ema.training and trainer.generator.training


def test_learning_rates_fall_linearly_to_zero_after_decay_from():
    assert [linear_decay(step, 6, 10) for step in (0, 6, 8, 10, 12)] == [1.0, 1.0, 0.5, 0.0, 0.0]
    assert linear_decay(9, 0, 10) == 1.0   # decay_from 0: constant


def test_a_trainer_state_restores_networks_optimisers_and_step():
    trainer = Trainer(ToyGame(ToyConfig()))
    for seed in range(3):
        trainer.step(batch(seed))
    state = copy.deepcopy(trainer.state_dict())   # as a checkpoint file holds it: nothing shared
    again = Trainer(ToyGame(ToyConfig()))
    again.load_state_dict(state)
    assert again.step_count == 3
    assert torch.equal(again.generator.weight, trainer.generator.weight)
    assert torch.equal(again.generator_ema.weight, trainer.generator_ema.weight)
    assert again.step(batch(3)) == trainer.step(batch(3))   # the same next round: optimiser state came along
