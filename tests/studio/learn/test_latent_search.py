"""studio.learn.latent_search: the latent-search demo on Fashion-MNIST (skipped without the DCGAN's weights)."""
import gradio as gr
import numpy as np
import pytest
from PIL import Image

from gan_core.learn.latent_search import latent_data
from studio.learn import dcgan, latent_search


@pytest.fixture(scope="module")
def models():
    """The DCGAN, once Fashion-MNIST and the DCGAN's weights are known to be installed (else the test skips)."""
    try:
        latent_data()
        return dcgan.dcgan_models()
    except FileNotFoundError as error:
        pytest.skip(f"needs Fashion-MNIST (bash scripts/get_data.sh) and the DCGAN's weights: {error}")


def test_latent_search_streams_updates_and_ends_with_a_filled_image(models):
    updates = list(latent_search.latent_search(7, latent_search.RANDOM_SQUARE, 0, None, steps=20))
    assert len(updates) >= 3                           # frames at steps 10 and 20, then the result
    assert all("Searching" in status for *_, status in updates[:-1])
    original, masked, mean_fill, filled, status = updates[-1]
    assert "Done" in status and "latent search" in status and "mean image" in status
    for path in (original, masked, mean_fill, filled):
        assert Image.open(path).size == (32 * dcgan.FRAME_SCALE,) * 2
    filled_pixels = np.asarray(Image.open(filled))
    masked_pixels = np.asarray(Image.open(masked))
    hole = np.all(masked_pixels == latent_search.HOLE_COLOUR, axis=2)
    assert hole.any() and not np.all(filled_pixels[hole] == latent_search.HOLE_COLOUR)  # the hole is filled


def test_a_painted_hole_is_used_and_an_empty_one_is_refused(models):
    layer = np.zeros((256, 256, 4), np.uint8)
    layer[64:128, 64:128, 3] = 255                    # a quarter of the picture's side: 8 px of 32
    hole = latent_search.hole_for(latent_search.DRAWN, 0, {"layers": [layer]})
    assert hole.shape == (1, 32, 32) and float(hole.sum()) == 64
    with pytest.raises(gr.Error, match="Paint the hole"):
        latent_search.hole_for(latent_search.DRAWN, 0, {"layers": []})


def test_picking_an_item_names_its_class(models):
    editor, name = latent_search.latent_pick(3)
    assert editor["background"].shape == (256, 256, 3) and "Test item 3" in name
