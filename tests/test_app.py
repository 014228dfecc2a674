"""app.py: the studio built from its tabs, with every action named as before the split into studio/."""
import re
import warnings

import app
from studio import api


def build():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return app.build_demo()


def test_build_demo_names_every_action():
    names = {fn.api_name for fn in build().fns.values()}
    assert {"inpaint", "fill", "compare", "critic_toggled", "evaluate", "models", "model_card", "evaluate_models",
            "evaluate_model_card", "restore", "restore_photo", "restore_models", "toy_start", "toy_step", "toy_tick",
            "toy_preset", "dcgan_samples", "dcgan_interpolate", "dcgan_story", "latent_pick", "latent_search",
            "extend", "find_cracks", "restore_painting"} <= names


def test_every_public_endpoint_has_a_chosen_name():
    """Gradio names an unnamed event after its function and numbers repeats (enable, enable_1, lambda_4): such
    names shift when the page changes, so a program calling them breaks. Chained events are private instead."""
    public = [fn for fn in build().fns.values() if fn.api_visibility == "public"]
    function_names = {getattr(fn.fn, "__name__", "") for fn in public}
    auto_named = [fn.api_name for fn in public
                  if re.fullmatch(r"lambda(_\d+)?", fn.api_name)
                  or re.sub(r"_\d+$", "", fn.api_name) in function_names - {fn.api_name}]
    assert auto_named == []


def test_every_tab_is_a_module_with_build():
    assert [title for title, _, _ in app.TABS] == ["Inpaint", "Extend", "Paintings", "Evaluate", "Learn", "Restore",
                                                  "Medical"]
    assert all(callable(module.build) for _, _, module in app.TABS)


def test_restore_api_offers_every_registry_method_once():
    assert api.restore_method_names() == ["gan", "nlmeans", "blur", "bm3d", "bicubic", "lanczos", "realesrgan-small", "realesrgan"]
