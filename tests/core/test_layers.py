"""The PatchGAN critic every game shares."""
import torch

from gan_core.core.layers import DiscriminatorConfig, PatchDiscriminator


def test_patch_discriminator_returns_a_logit_map_and_features():
    critic = PatchDiscriminator(DiscriminatorConfig(in_channels=4, channels=8))
    logits, features = critic(torch.zeros(2, 4, 128, 96))
    assert logits.shape[:2] == (2, 1) and logits.shape[-2] > 1 and logits.shape[-1] > 1
    assert len(features) == 4
