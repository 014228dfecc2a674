import json

import pytest
import torch

from gan_core.core import registry, weights


def test_export_load_round_trip_with_sha256(tiny_weights):
    card = json.loads(tiny_weights.with_suffix(".json").read_text())
    assert card["sha256"] == weights.sha256_of(tiny_weights) and card["steps"] == 4 and card["task"] == "inpaint"
    generator, critic, loaded_card = registry.load_models(tiny_weights)
    assert loaded_card == card and critic is not None
    g_state, d_state, _ = weights.load_state(tiny_weights)
    for name, tensor in generator.state_dict().items():
        assert torch.equal(tensor, g_state[name])
    assert weights.list_weights("inpaint", tiny_weights.parent) == [tiny_weights]
    assert weights.list_weights("sr4", tiny_weights.parent) == []


def test_damaged_file_is_refused(tiny_weights, tmp_path):
    copy = tmp_path / "copy.safetensors"
    data = bytearray(tiny_weights.read_bytes())
    data[-1] ^= 0xFF
    copy.write_bytes(bytes(data))
    copy.with_suffix(".json").write_text(tiny_weights.with_suffix(".json").read_text())
    with pytest.raises(ValueError, match="sha256"):
        weights.load_state(copy)


def test_missing_file_or_card_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        weights.load_state(tmp_path / "none.safetensors")
    (tmp_path / "nocard.safetensors").write_bytes(b"")
    with pytest.raises(FileNotFoundError, match="model card"):
        weights.load_state(tmp_path / "nocard.safetensors")


def test_shipped_weights_match_their_cards():
    shipped = weights.list_weights()
    assert shipped, "weights/ ships at least one model"
    for path in shipped:
        assert weights.sha256_of(path) == weights.read_card(path)["sha256"], path.name


def test_read_log_keeps_numbers_and_leaves_out_events(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_text('{"step": 1, "loss_d": 1.5, "d_real": 0.5}\n{"event": "resumed", "step": 1, "loss_d": 0}\n'
                   '\n{"step": 2, "lr": 0.1}\n{"step": 3, "loss_d": 1.0}\n')
    history = weights.read_log(log, ("loss_d", "d_real"))
    assert history == {"step": [1, 3], "loss_d": [1.5, 1.0], "d_real": [0.5, None]}
