"""gan_core.inpaint and gan_core.inpainting.fill: any method, any photo size and mode, unmasked values bit-exact."""
import numpy as np
import pytest
from PIL import Image

import gan_core
from gan_core.inpainting import fill
from gan_core.inpainting.adapt import AdaptConfig
from gan_core.photos import classical
from tests.conftest import striped_photo


def stroke_mask(height, width):
    mask = np.zeros((height, width), np.uint8)
    mask[height // 3: max(height // 2, height // 3 + 1), width // 4: width // 2] = 255
    return mask


@pytest.mark.parametrize("size", [(37, 61), (513, 700), (5, 300), (16, 16)])
def test_output_size_and_bit_exact_unmasked_pixels(tiny_weights, size):
    photo = striped_photo(*size, seed=1)
    mask = stroke_mask(*size)
    result = np.asarray(gan_core.inpaint(photo, mask, weights=tiny_weights))
    assert result.shape == photo.shape
    assert np.array_equal(result[mask == 0], photo[mask == 0])
    assert not np.array_equal(result[mask > 0], np.full_like(result[mask > 0], 255))


def test_one_pixel_image_with_critic(tiny_weights):
    result = fill.fill(np.zeros((1, 1, 3), np.uint8), np.ones((1, 1)), weights=tiny_weights, with_critic=True)
    assert result.image.shape == (1, 1, 3) and result.critic.shape == (1, 1)


def test_large_photo_is_processed_around_the_mask(tiny_weights):
    photo = striped_photo(2000, 3000, seed=2)
    mask = np.zeros((2000, 3000), np.uint8)
    mask[1000:1040, 1500:1700] = 1
    result = fill.fill(photo, mask, weights=tiny_weights, with_critic=True)
    top, left, bottom, right = result.box
    assert result.image.shape == photo.shape and (bottom - top) < 600 and (right - left) < 700
    assert np.array_equal(result.image[mask == 0], photo[mask == 0])
    assert np.isnan(result.critic[0, 0]) and 0 <= np.nanmin(result.critic) <= np.nanmax(result.critic) <= 1


def test_huge_mask_is_shrunk_to_the_working_size(tiny_weights):
    photo = striped_photo(900, 1200, seed=3)
    mask = np.ones((900, 1200), np.uint8)
    result = fill.fill(photo, mask, weights=tiny_weights, working_side=256)
    assert max(result.working_size) == 256 and result.image.shape == photo.shape


TINY_SHIPPED = "inpaint-tiny-test"  # a small inpainter in weights/, fast enough for every mode


def photo_in_mode(mode: str, height: int = 40, width: int = 50) -> Image.Image:
    rgb = striped_photo(height, width, 5)
    alpha = np.tile(np.linspace(0, 255, width).astype(np.uint8), (height, 1))  # transparent to opaque
    grey = rgb[..., 1]
    if mode in ("RGBA", "LA"):
        return Image.fromarray(np.dstack([rgb if mode == "RGBA" else grey, alpha]), mode)
    if mode in ("I;16", "I;16B"):
        deep = grey.astype(np.uint16) * 257 + np.arange(width, dtype=np.uint16)  # low bits that 8 bits lack
        return Image.fromarray(deep).convert(mode) if mode == "I;16" else Image.frombytes(
            mode, (width, height), deep.astype(">u2").tobytes())
    if mode == "I":
        return Image.fromarray(grey.astype(np.int32) * 200)
    if mode == "F":
        return Image.fromarray(grey.astype(np.float32) / 255)
    if mode == "1":  # black, white exactly where the stroke goes: a fill from around it is not all white
        return Image.fromarray(stroke_mask(height, width) > 0)
    return Image.fromarray(rgb).convert(mode)


@pytest.mark.parametrize("mode", ["L", "LA", "RGB", "RGBA", "I;16", "I;16B", "I", "F", "1", "CMYK", "YCbCr"])
def test_every_mode_comes_back_in_its_own_mode_with_unmasked_values_bit_exact(mode):
    photo = photo_in_mode(mode)
    mask = stroke_mask(40, 50)
    result = gan_core.inpaint(photo, mask, weights=TINY_SHIPPED)
    before, after = np.asarray(photo), np.asarray(result)
    assert result.mode == mode and result.size == photo.size and after.dtype == before.dtype
    assert np.array_equal(after[mask == 0], before[mask == 0])
    assert not np.array_equal(after[mask > 0], before[mask > 0]), "the hole was not filled"


def test_palette_comes_back_as_rgb_or_rgba_with_the_same_colours():
    palette = Image.fromarray(striped_photo(40, 50, 1)).convert("P")
    result = gan_core.inpaint(palette, stroke_mask(40, 50), weights=TINY_SHIPPED)
    assert result.mode == "RGB"
    mask = stroke_mask(40, 50) == 0
    assert np.array_equal(np.asarray(result)[mask], np.asarray(palette.convert("RGB"))[mask])
    palette.info["transparency"] = 0
    assert gan_core.inpaint(palette, stroke_mask(40, 50), weights=TINY_SHIPPED).mode == "RGBA"


def test_sixteen_bit_fill_is_scaled_into_sixteen_bits():
    photo = photo_in_mode("I;16")
    mask = stroke_mask(40, 50)
    filled = np.asarray(gan_core.inpaint(photo, mask, weights=TINY_SHIPPED))[mask > 0]
    assert np.all(filled % 257 == 0) and filled.max() > 255


def test_alpha_in_the_hole_is_filled_not_assumed_opaque():
    photo = photo_in_mode("RGBA")
    mask = stroke_mask(40, 50)
    filled = np.asarray(gan_core.inpaint(photo, mask, weights=TINY_SHIPPED))[..., 3]
    hole = filled[mask > 0].reshape(-1, 50 // 2 - 50 // 4)  # the stroke's rows, columns 12..24
    assert hole.min() < 200 and np.all(np.diff(hole.mean(axis=0)) > 0), "alpha continues its ramp in the hole"


def test_white_under_transparent_pixels_does_not_leak_into_the_fill():
    """A dark cut-out on a transparent background whose hidden colour is white; the default model fills."""
    colour = np.full((96, 96, 3), 255, np.uint8)
    alpha = np.zeros((96, 96), np.uint8)
    colour[:, :60] = (striped_photo(96, 60, 2) // 4)  # dark, visible
    alpha[:, :60] = 255
    mask = np.zeros((96, 96), np.uint8)
    mask[40:56, 44:76] = 1  # across the edge of the cut-out
    result = np.asarray(gan_core.inpaint(Image.fromarray(np.dstack([colour, alpha]), "RGBA"), mask))
    visible_fill = result[(mask > 0) & (result[..., 3] > 64)]
    assert len(visible_fill) > 0 and visible_fill[:, :3].mean() < 110


def test_arrays_come_back_as_arrays_of_their_own_shape_and_dtype():
    for array in (striped_photo(40, 50, 0).astype(np.uint16) * 257, striped_photo(40, 50, 0)[..., 0],
                  striped_photo(40, 50, 0).astype(np.float32) / 255,
                  np.dstack([striped_photo(40, 50, 0), np.full((40, 50), 9, np.uint8)])):
        mask = stroke_mask(40, 50)
        result = gan_core.inpaint(array, mask, weights=TINY_SHIPPED)
        assert isinstance(result, np.ndarray) and result.shape == array.shape and result.dtype == array.dtype
        assert np.array_equal(result[mask == 0], array[mask == 0])


def test_detailed_result_keeps_the_8bit_view_and_the_photo_in_its_mode():
    photo = photo_in_mode("LA")
    result = fill.fill(photo, stroke_mask(40, 50), weights=TINY_SHIPPED)
    assert result.image.shape == (40, 50, 3) and result.image.dtype == np.uint8 and result.photo.mode == "LA"


def test_modes_that_cannot_be_given_back_are_refused_clearly():
    with pytest.raises(ValueError, match="convert the photo first"):
        gan_core.inpaint(Image.new("LAB", (20, 20)), np.ones((20, 20)), weights=TINY_SHIPPED)


def test_drawn_layer_is_read_as_a_mask():
    drawn_layer = np.zeros((40, 50, 4), np.uint8)
    drawn_layer[10:20, 10:20, 3] = 255  # a transparent layer with a painted square
    assert fill.as_mask_array(Image.fromarray(drawn_layer, "RGBA"), (40, 50)).sum() == 100


def test_clear_errors(tiny_weights, tmp_path):
    photo = striped_photo(40, 50, 0)
    with pytest.raises(ValueError, match="same size"):
        gan_core.inpaint(photo, np.ones((30, 50)), weights=tiny_weights)
    with pytest.raises(ValueError, match="empty"):
        gan_core.inpaint(photo, np.zeros((40, 50)), weights=tiny_weights)
    with pytest.raises(FileNotFoundError, match="not found"):
        gan_core.inpaint(photo, np.ones((40, 50)), weights=tmp_path / "missing.safetensors")
    with pytest.raises(ValueError, match="shape"):
        gan_core.inpaint(np.zeros((4, 4, 5)), np.ones((4, 4)), weights=tiny_weights)
    (tmp_path / "x.png").write_text("not an image")
    with pytest.raises(ValueError, match="not an image"):
        from gan_core.photos.data import load_rgb
        load_rgb(tmp_path / "x.png")


def refining_generator(seed: int = 0, refine_blocks: int = 0):
    """A small inpainter whose refinement changes the fill (its last layer is not left at zero)."""
    import torch
    from gan_core.inpainting.model import InpaintConfig, InpaintGenerator
    torch.manual_seed(seed)
    generator = InpaintGenerator(InpaintConfig(channels=8, n_blocks=1, refine=8, refine_blocks=refine_blocks)).eval()
    with torch.no_grad():
        for parameter in generator.parameters():
            parameter.normal_(0, 0.2)
    return generator


@pytest.mark.parametrize("refine_blocks", [0, 2])
@pytest.mark.parametrize("box", [(10, 20, 30, 50), (0, 0, 12, 64), (40, 1, 48, 3), (20, 30, 22, 33)])
def test_refining_only_the_holes_box_gives_the_same_hole_pixels(box, refine_blocks):
    import torch
    generator = refining_generator(refine_blocks=refine_blocks)
    image = torch.rand(1, 3, 48, 64) * 2 - 1
    mask = torch.zeros(1, 1, 48, 64)
    top, left, bottom, right = box
    mask[..., top:bottom, left:right] = 1
    mask[..., top, left] = 0  # a hole that does not fill its box
    with torch.inference_mode():
        everywhere, hole_only = generator(image, mask), generator(image, mask, hole_only=True)
        generator.refine = None
        unrefined = generator(image, mask)
    hole = mask.expand_as(everywhere) > 0
    scale = everywhere[hole].abs().max()        # random weights: large values, so compare to their size
    assert (hole_only[hole] - everywhere[hole]).abs().max() <= 1e-5 * (1 + scale)
    assert (everywhere[hole] - unrefined[hole]).abs().max() > 0.01 * (1 + scale), "the refinement must matter"


def test_refining_only_an_empty_hole_leaves_the_coarse_prediction():
    import torch
    generator = refining_generator()
    image, mask = torch.rand(1, 3, 32, 32), torch.zeros(1, 1, 32, 32)
    with torch.inference_mode():
        generator.refine = None
        unrefined = generator(image, mask)
    generator = refining_generator()
    with torch.inference_mode():
        assert torch.equal(generator(image, mask, hole_only=True), unrefined)


def test_an_8_bit_rgb_fill_is_pasted_exactly_inside_the_hole(tiny_weights):
    photo = striped_photo(60, 80, seed=4)
    mask = stroke_mask(60, 80)
    result = fill.fill(photo, mask, weights=tiny_weights)
    as_float = fill.fill(photo.astype(np.float32) / 255, mask, weights=tiny_weights).photo
    assert np.array_equal(result.image[mask > 0], (as_float[mask > 0] * 255).round().astype(np.uint8))


CLASSICAL = [method.name for method in gan_core.core.tasks.get("inpaint").classical]


@pytest.mark.parametrize("method", CLASSICAL)
def test_a_classical_fill_of_an_rgb_photo_is_the_method_itself_inside_the_hole(method):
    photo = striped_photo(48, 64, seed=6)
    mask = stroke_mask(48, 64)
    result = fill.fill(photo, mask, method)
    expected = classical.INPAINT_METHODS[method](photo, mask)
    assert result.method.name == method and result.critic is None and result.card == {}
    assert np.array_equal(result.image[mask > 0], expected[mask > 0])
    assert np.array_equal(result.image[mask == 0], photo[mask == 0]) and result.photo is result.image


@pytest.mark.parametrize("mode", ["LA", "RGBA", "I;16", "CMYK", "P"])
@pytest.mark.parametrize("method", ["Telea", "ns"])          # a label or a name
def test_classical_fills_keep_every_mode_like_the_gan(mode, method):
    photo = photo_in_mode(mode) if mode != "P" else Image.fromarray(striped_photo(40, 50, 1)).convert("P")
    mask = stroke_mask(40, 50)
    result = gan_core.inpaint(photo, mask, method=method)
    expected_mode = "RGB" if mode == "P" else mode
    before = np.asarray(photo.convert("RGB") if mode == "P" else photo)
    assert result.mode == expected_mode and result.size == photo.size
    assert np.array_equal(np.asarray(result)[mask == 0], before[mask == 0])
    assert not np.array_equal(np.asarray(result)[mask > 0], before[mask > 0]), "the hole was not filled"


def test_an_unknown_method_is_refused_with_the_list_of_methods():
    with pytest.raises(ValueError, match="telea, ns, fsr, patchmatch"):
        fill.fill(striped_photo(20, 20, 0), np.ones((20, 20)), "magic")


# ----------------------------------------------------------------------------------------------------
# With adaptation (gan_core.inpainting.adapt): the same pasting, so the same promises

# a bolder rate than the studio's: the tiny test model must change a level in two steps
QUICK_ADAPT = dict(adapt=2, adapt_config=AdaptConfig(batch_size=2, crop=64, lr_g=1e-3))


@pytest.mark.usefixtures("one_thread")
@pytest.mark.parametrize("mode", ["L", "LA", "RGBA", "I;16", "P"])
def test_adapted_fills_keep_every_mode_and_every_unmasked_value(mode):
    photo = photo_in_mode(mode, 96, 96) if mode != "P" else Image.fromarray(striped_photo(96, 96, 1)).convert("P")
    mask = stroke_mask(96, 96)
    result = gan_core.inpaint(photo, mask, weights=TINY_SHIPPED, **QUICK_ADAPT)
    before = np.asarray(photo.convert("RGB") if mode == "P" else photo)
    assert result.mode == ("RGB" if mode == "P" else mode) and result.size == photo.size
    assert np.array_equal(np.asarray(result)[mask == 0], before[mask == 0])
    assert not np.array_equal(np.asarray(result)[mask > 0], before[mask > 0]), "the hole was not filled"


@pytest.mark.usefixtures("one_thread")
def test_adapted_fills_of_arrays_keep_their_shape_dtype_and_unmasked_values():
    rgb = striped_photo(96, 96, 0)
    for array in (rgb.astype(np.float32) / 255, rgb[..., 0].astype(np.float64), rgb.astype(np.uint16) * 257):
        mask = stroke_mask(96, 96)
        result = gan_core.inpaint(array, mask, weights=TINY_SHIPPED, **QUICK_ADAPT)
        assert isinstance(result, np.ndarray) and result.shape == array.shape and result.dtype == array.dtype
        assert np.array_equal(result[mask == 0], array[mask == 0])


@pytest.mark.usefixtures("one_thread")
def test_the_public_inpaint_passes_adapt_and_seed_through():
    photo, mask = striped_photo(96, 96, 2), stroke_mask(96, 96)
    plain = np.asarray(gan_core.inpaint(photo, mask, weights=TINY_SHIPPED))
    adapted = np.asarray(gan_core.inpaint(photo, mask, weights=TINY_SHIPPED, seed=1, **QUICK_ADAPT))
    again = np.asarray(gan_core.inpaint(photo, mask, weights=TINY_SHIPPED, seed=1, **QUICK_ADAPT))
    reseeded = np.asarray(gan_core.inpaint(photo, mask, weights=TINY_SHIPPED, seed=2, **QUICK_ADAPT))
    assert np.array_equal(adapted, again) and not np.array_equal(adapted, plain)
    assert not np.array_equal(adapted, reseeded)
    assert np.array_equal(adapted, fill.fill(photo, mask, weights=TINY_SHIPPED, seed=1, **QUICK_ADAPT).image)
