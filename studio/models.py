"""The inpainting models in weights/: which one to use, and the facts from its model card (Inpaint, Evaluate)."""
import os

import gradio as gr

from gan_core.core import weights as weights_lib
from gan_core.core.device import resolve_weights
from studio.common import on_page_load
from studio.i18n import t

MODEL_ENV = "GAN_STUDIO_MODEL"          # names the default model (the tests use the tiny one)


def available_models() -> list[str]:
    """Names of every inpainting model in weights/ that has a model card."""
    return [path.stem for path in weights_lib.list_weights("inpaint")]


def default_model() -> str:
    """GAN_STUDIO_MODEL if set, else gan_core's default inpainter."""
    return os.environ.get(MODEL_ENV) or resolve_weights(None, "inpaint").stem


def check_model(name: str | None) -> str:
    """The model to use: `name` if it is an inpainting model in weights/, the default if empty, else gr.Error.

    Only names from weights/ are accepted, never paths, whatever an API caller sends.
    """
    names = available_models()
    if not names:
        raise gr.Error("No GAN model is installed yet; Telea and Navier-Stokes still work.")
    name = name or default_model()
    if name not in names:
        raise gr.Error(f"Unknown model {name!r}; choose one of: {', '.join(names)}.")
    return name


def continued(card: dict) -> str:
    """", after the N steps (H h) of RUN": a model that started from an earlier run's weights says so."""
    earlier = card.get("continued_from")
    if not isinstance(earlier, dict) or not earlier.get("steps"):
        return ""
    return (f", after the {earlier['steps']:,} steps ({earlier.get('wall_time_hours', 0):.2f} h) of "
            f"`{earlier.get('name', '?')}`")


def model_facts(name: str | None) -> str:
    """Markdown with the facts from a model's card: size, training, data and validation numbers."""
    if not name:
        return "No inpainting model found in `weights/`; the classical methods still work."
    try:
        card = weights_lib.read_card(resolve_weights(name, "inpaint"))
    except (FileNotFoundError, ValueError) as error:
        return f"Cannot read the card of `{name}`: {error}"
    data = card.get("data", {})
    data_text = data.get("source", "?") if isinstance(data, dict) else str(data)
    if isinstance(data, dict) and data.get("files"):
        data_text += f" ({data['files']} photos)"
    generator = card.get("generator", {})
    lines = [f"**{card.get('name', name)}**",
             f"- generator: {generator.get('parameters', 0):,} parameters ({generator.get('class', '?')})",
             f"- trained {card.get('steps', 0):,} steps, {card.get('wall_time_hours', 0):.2f} h on "
             f"{card.get('device', '?')}" + continued(card),
             f"- data: {data_text}"]
    evaluation = card.get("evaluation", {})
    validation = evaluation.get("validation", {})
    if validation.get("methods"):
        lines.append(f"\nValidation ({validation.get('images', '?')}, masked PSNR dB / SSIM / detail):\n")
        # the mask classes the card was measured on (medium, large, object for photos; crack for paintings)
        sizes = list(dict.fromkeys(size for by_size in validation["methods"].values() for size in by_size))
        lines.append("| method | " + " | ".join(f"{size} masks" for size in sizes) + " |\n|---" + "|---" * len(sizes) + "|")
        for method, by_size in validation["methods"].items():
            cells = [f"{n['psnr_masked']:.2f} / {n['ssim']:.3f} / {n['detail']:.2f}" if (n := by_size.get(size))
                     else "–" for size in sizes]
            lines.append(f"| {method} | " + " | ".join(cells) + " |")
    if evaluation.get("note"):
        lines.append(f"\n{evaluation['note']}")
    if card.get("sha256"):
        lines.append(f"\nsha256 `{card['sha256'][:12]}…`")
    return "\n".join(lines)


def model_summary(name: str | None) -> str:
    """One plain sentence for someone who is not a programmer: what the model learned from, how it compares."""
    if not name:
        return "No GAN model is installed yet; the classical methods still work."
    try:
        card = weights_lib.read_card(resolve_weights(name, "inpaint"))
    except (FileNotFoundError, ValueError):
        return f"The model `{name}` has no readable description."
    data = card.get("data", {})
    photos = f"{data['files']} photographs" if isinstance(data, dict) and data.get("files") else "photographs"
    hours = card.get("wall_time_hours", 0)
    sentence = (f"This network learned to fill holes from {photos}, in {hours:.0f} hours of practice on an "
                "ordinary processor." if hours >= 1 else f"This network learned to fill holes from {photos}.")
    methods = card.get("evaluation", {}).get("validation", {}).get("methods", {})
    gan, classical = methods.get("gan", {}).get("medium"), [m.get("medium") for k, m in methods.items() if k != "gan"]
    classical = [n for n in classical if n]
    if gan and classical:
        best = max(n["psnr_masked"] for n in classical)
        verdict = "closer to the original" if gan["psnr_masked"] > best else "less close to the original"
        sentence += (f" On photos it never saw, its fills of medium holes came out {verdict} than the best "
                     f"classical method ({gan['psnr_masked']:.1f} against {best:.1f} dB; higher is closer).")
    return sentence


def model_choices() -> tuple[list[tuple[str, str]], str | None]:
    """(label, name) for every inpainting model in weights/, and the default model's name."""
    names = available_models()
    default = default_model() if names else None
    return [(f"{name} (default)" if name == default else name, name) for name in names], default


def model_dropdown_update() -> tuple[dict, str, str]:
    """Fresh choices for a model dropdown (a model exported since the page was built appears), its summary
    and its facts."""
    choices, default = model_choices()
    return gr.update(choices=choices, value=default), model_summary(default), model_facts(default)


def model_texts(name: str | None) -> tuple[str, str]:
    """(plain summary, technical card) of a model, for the picker."""
    return model_summary(name), model_facts(name)


def model_picker(card_api_name: str, load_api_name: str) -> gr.Dropdown:
    """A dropdown of the inpainting models in weights/ and a Markdown with the chosen model's card facts.

    Filled when the page is built and again on every page load, so a newly exported model appears.
    """
    choices, default = model_choices()
    dropdown = gr.Dropdown(label=t("model"), choices=choices, value=default, interactive=True)
    summary = gr.Markdown(model_summary(default))
    with gr.Accordion(t("model_details"), open=False):
        facts = gr.Markdown(model_facts(default))
    dropdown.change(model_texts, dropdown, [summary, facts], api_name=card_api_name, queue=False)
    on_page_load(model_dropdown_update, None, [dropdown, summary, facts], api_name=load_api_name, queue=False)
    return dropdown
