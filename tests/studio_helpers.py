"""Inputs as Gradio hands them to the studio's handlers: test photos, masks and ImageEditor values."""
import numpy as np
from PIL import Image

TEST_MODEL = "inpaint-tiny-test"


def photo(height=96, width=128, seed=0) -> np.ndarray:
    """A textured test photo: smooth gradients plus noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([x * 255 / width, y * 255 / height, np.full_like(x, 128.0)], axis=2)
    return np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)


def layer_with(mask: np.ndarray) -> np.ndarray:
    """A drawing layer as the ImageEditor sends it: RGBA, painted where the mask is."""
    layer = np.zeros(mask.shape + (4,), np.uint8)
    layer[mask] = (255, 0, 200, 153)
    return layer


def editor_value(image: np.ndarray, mask: np.ndarray | None = None) -> dict:
    rgba = np.concatenate([image, np.full(image.shape[:2] + (1,), 255, np.uint8)], axis=2)
    return {"background": rgba, "layers": [] if mask is None else [layer_with(mask)], "composite": rgba}


def box_mask(shape, top, left, bottom, right) -> np.ndarray:
    mask = np.zeros(shape, bool)
    mask[top:bottom, left:right] = True
    return mask


def mask_image(mask: np.ndarray) -> Image.Image:
    """A mask as an uploaded image: white = fill."""
    return Image.fromarray((mask * 255).astype(np.uint8))


def load(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def run_event(demo, function_name: str, inputs: list) -> list:
    """Run one event of a built gr.Blocks as the server does (preprocess, the function, postprocess with the
    page's state), without starting a server; returns what the page would receive. function_name: the
    event's function (`fn.__name__`)."""
    from gradio import route_utils
    from gradio.state_holder import SessionState
    from gradio_client.utils import synchronize_async
    block_fn = next(fn for fn in demo.fns.values() if getattr(fn.fn, "__name__", "") == function_name)
    request = route_utils.Request(username=None, session_hash="test")
    return synchronize_async(demo.process_api, block_fn=block_fn, inputs=inputs, state=SessionState(demo),
                             request=request)["data"]
