import numpy as np
import pytest

import gan_core


def test_generate_gives_the_same_samples_for_the_same_seed_and_others_for_another():
    first = gan_core.generate("dcgan-fashion", n=6, seed=7)
    assert first.shape == (6, 32, 32) and first.dtype == np.uint8
    assert np.array_equal(first, gan_core.generate("dcgan-fashion", n=6, seed=7))
    assert not np.array_equal(first, gan_core.generate("dcgan-fashion", n=6, seed=8))


def test_generate_refuses_a_missing_model_and_an_empty_batch():
    with pytest.raises(FileNotFoundError, match="not found"):
        gan_core.generate("no-such-model", n=2)
    with pytest.raises(ValueError, match="at least 1"):
        gan_core.generate(n=0)
