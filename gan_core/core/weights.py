"""Shipped weights: one safetensors file per model plus a JSON model card beside it.

weights/NAME.safetensors holds the generator's tensors under "generator." and the discriminator's under
"discriminator."; weights/NAME.json (the model card) says what they are: task, classes and configs,
data, steps, wall time, evaluation numbers, and the file's sha256, checked on every load.
safetensors stores raw tensors only, so loading never runs code from the file (unlike pickle).
"""
import hashlib
import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from gan_core.core.paths import WEIGHTS_DIR


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def card_path(weights_path: str | Path) -> Path:
    return Path(weights_path).with_suffix(".json")


def save_weights(path: str | Path, generator: torch.nn.Module, discriminator: torch.nn.Module | None,
                 card: dict) -> Path:
    """Write the tensors and the card (with the file's sha256); return the weights path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {f"generator.{k}": v.detach().float().contiguous().cpu() for k, v in generator.state_dict().items()}
    if discriminator is not None:
        tensors.update({f"discriminator.{k}": v.detach().float().contiguous().cpu()
                        for k, v in discriminator.state_dict().items()})
    save_file(tensors, str(path), metadata={"task": str(card.get("task", "")), "name": str(card.get("name", ""))})
    card = {**card, "file": path.name, "sha256": sha256_of(path), "bytes": path.stat().st_size}
    card_path(path).write_text(json.dumps(card, indent=2) + "\n")
    return path


def read_card(path: str | Path) -> dict:
    """The model card of a weights file; a clear error if it is missing."""
    card_file = card_path(path)
    if not card_file.exists():
        raise FileNotFoundError(f"model card {card_file} is missing for {path}")
    return json.loads(card_file.read_text())


def record_validation(weights_path: str | Path, table: dict, **settings) -> None:
    """Write evaluation numbers into the model card; the weights file (and its sha256) is untouched.

    table: {method: {mask size or condition: {metric: value}}}, kept to 4 decimals; settings: how it was measured.
    """
    card = read_card(weights_path)
    methods = {m: {k: {n: round(v, 4) for n, v in numbers.items()} for k, numbers in by_key.items()}
               for m, by_key in table.items()}
    card.setdefault("evaluation", {})["validation"] = {**settings, "methods": methods}
    card_path(weights_path).write_text(json.dumps(card, indent=2) + "\n")


def load_state(path: str | Path, check_sha256: bool = True) -> tuple[dict, dict, dict]:
    """(generator state dict, discriminator state dict, card), after checking the sha256 in the card."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"weights file {path} not found")
    card = read_card(path)
    if check_sha256 and card.get("sha256") and sha256_of(path) != card["sha256"]:
        raise ValueError(f"{path}: sha256 does not match its model card; the file is damaged or was replaced")
    tensors = load_file(str(path))
    generator = {k.split(".", 1)[1]: v for k, v in tensors.items() if k.startswith("generator.")}
    discriminator = {k.split(".", 1)[1]: v for k, v in tensors.items() if k.startswith("discriminator.")}
    return generator, discriminator, card


def read_log(path: str | Path, keys: tuple[str, ...]) -> dict[str, list]:
    """A training run's log.jsonl as {"step": [...], key: [...]}: the records that hold keys[0], events left out.

    Train writes one JSON record a line: numbers every few steps, and event records (resumed, exported).
    """
    records = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    records = [record for record in records if keys[0] in record and "event" not in record]
    return {"step": [record["step"] for record in records], **{key: [record.get(key) for record in records]
                                                               for key in keys}}


def list_weights(task: str | None = None, folder: str | Path = WEIGHTS_DIR) -> list[Path]:
    """Weights files in a folder (with a card), optionally only those of one task, sorted by name."""
    found = []
    for path in sorted(Path(folder).glob("*.safetensors")):
        try:
            card = read_card(path)
        except (FileNotFoundError, json.JSONDecodeError):
            continue
        if task is None or card.get("task") == task:
            found.append(path)
    return found


def save_parts(path: str | Path, parts: dict[str, torch.nn.Module], card: dict) -> Path:
    """Like save_weights for a model of several networks (a classifier alone; CycleGAN's two generators and
    two critics): each network's tensors under its own name, "g_ab.", "d_a." ..."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {f"{name}.{key}": value.detach().float().contiguous().cpu()
               for name, module in parts.items() for key, value in module.state_dict().items()}
    save_file(tensors, str(path), metadata={"task": str(card.get("task", "")), "name": str(card.get("name", ""))})
    card = {**card, "file": path.name, "sha256": sha256_of(path), "bytes": path.stat().st_size}
    card_path(path).write_text(json.dumps(card, indent=2) + "\n")
    return path


def load_parts(path: str | Path) -> tuple[dict[str, dict], dict]:
    """({network name: state dict}, card) of a file written by save_parts, after the sha256 check."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"weights file {path} not found")
    card = read_card(path)
    if card.get("sha256") and sha256_of(path) != card["sha256"]:
        raise ValueError(f"{path}: sha256 does not match its model card; the file is damaged or was replaced")
    parts: dict[str, dict] = {}
    for key, value in load_file(str(path)).items():
        name, rest = key.split(".", 1)
        parts.setdefault(name, {})[rest] = value
    return parts, card


def named_weights(weights: str | Path, folder: str | Path = WEIGHTS_DIR) -> Path:
    """A path to a .safetensors file, or a name in `folder` (without the suffix); a clear error if missing."""
    path = Path(weights)
    if path.suffix != ".safetensors":
        path = Path(folder) / f"{weights}.safetensors"
    if not path.exists():
        raise FileNotFoundError(f"weights {str(weights)!r} not found (looked for {path})")
    return path
