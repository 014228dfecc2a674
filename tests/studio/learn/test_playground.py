"""studio.learn.playground: the 2D playground's handlers, called as Gradio calls them."""
import time

from types import SimpleNamespace

import numpy as np
from PIL import Image

from gan_core.learn.toy import game as toy
from studio import i18n
from studio import lessons
from studio.learn import playground

LAYERS = (True, True, True)              # D's heatmap, G's arrows, G's manifold
COLLAPSE = "Mode collapse: minimax loss on the ring"
FIXED = "Fixed: non-saturating loss + 5 D steps on the ring"


def play(session, steps: int, chunk: int = 50):
    """Press Step through the handler until `steps` more rounds are played; returns the last outputs."""
    for _ in range(steps // chunk):
        outputs = playground.toy_step(session, *LAYERS, steps=chunk)
    return outputs


def test_training_through_the_handlers_moves_generated_points_toward_the_ring():
    session, picture, *_ = playground.toy_start(*LAYERS)
    assert session.gan.config.target == "ring"
    assert Image.open(picture).size == (playground.VIEW_SIZE, playground.VIEW_SIZE)
    before = session.gan.snapshot()["metrics"]["mode_distance"]
    session, picture, losses, scores, distances, stats = play(session, 200)
    after = session.gan.snapshot()["metrics"]["mode_distance"]
    assert session.gan.steps == 200
    assert after <= 0.5 * before, (before, after)
    assert set(losses["series"]) == {"D's loss", "G's loss"} and losses["step"].max() == 200
    assert set(scores["series"]) == {"D(x)", "D(G(z))"} and len(distances) > 0
    assert "modes covered" in stats


def test_collapse_preset_covers_fewer_modes_than_the_fixed_one():
    covered = {}
    for name in (COLLAPSE, FIXED):
        outputs = playground.toy_preset(None, name, *LAYERS)
        session, preset_text, controls = outputs[0], outputs[6], outputs[7:]
        assert lessons.say(lessons.PRESET_KEYS[name]) in preset_text
        assert controls[1] == toy.PRESETS[name].config.loss          # the loss dropdown follows the preset
        play(session, 400)
        covered[name] = session.gan.snapshot()["metrics"]["modes_covered"]
    assert covered[COLLAPSE] < covered[FIXED] and covered[FIXED] >= 6, covered


def test_live_training_loop_reaches_20_steps_per_second():
    session = playground.toy_start(*LAYERS)[0]
    started = time.perf_counter()
    refreshes = 0
    while time.perf_counter() - started < 2.0:         # the timer fires every TOY_TICK_S seconds
        tick_started = time.perf_counter()
        session = playground.toy_tick(session, playground.DEFAULT_SPEED, *LAYERS)[0]
        refreshes += 1
        time.sleep(max(0.0, playground.TICK_S - (time.perf_counter() - tick_started)))
    steps_per_s = session.gan.steps / (time.perf_counter() - started)
    assert steps_per_s >= 20, (steps_per_s, refreshes)


def test_settings_change_live_or_restart_and_drawn_points_become_the_target():
    session = playground.toy_step(playground.toy_start(*LAYERS)[0], *LAYERS, steps=10)[0]
    session = playground.toy_configure(session, "ring", "hinge", 0.002, 0.001, "adam", 3, 2, None, *LAYERS)[0]
    assert session.gan.steps == 10 and session.gan.config.loss == "hinge"       # live: the game goes on
    layer = np.zeros((240, 240, 4), np.uint8)
    layer[100:140, 20:220, 3] = 255                                             # one thick horizontal stroke
    drawing = {"background": None, "layers": [layer], "composite": None}
    session = playground.toy_configure(session, "drawn", "hinge", 0.002, 0.001, "adam", 3, 2, drawing, *LAYERS)[0]
    assert session.gan.steps == 0 and session.gan.config.target == "drawn"      # a new target restarts
    points = np.asarray(session.gan.config.drawn_points)
    assert np.abs(points[:, 1]).max() < 0.3 and points[:, 0].min() < -1.0 < 1.0 < points[:, 0].max()


def test_slow_step_walks_through_every_stage_and_advances_one_step():
    session = playground.toy_start(*LAYERS)[0]
    outputs = playground.toy_slow_start(session, *LAYERS)
    texts = [outputs[6]]
    while outputs[7].interactive:                      # the Next button is live until the last stage
        outputs = playground.toy_slow_next(session, *LAYERS)
        texts.append(outputs[6])
    assert len(texts) == len(toy.SLOW_STAGES) and session.gan.steps == 1
    assert texts[0].startswith("**1.") and "Both players" in texts[-1]


def test_every_preset_and_stage_has_its_lesson_in_both_languages():
    assert set(lessons.PRESET_KEYS) == set(toy.PRESETS)
    assert all(f"toy_slow_{stage}" in lessons.LESSONS for stage in toy.SLOW_STAGES)
    assert all(f"toy_formula_{loss}" in lessons.LESSONS for _, loss in playground.LOSSES)
    assert all(english and chinese and english != chinese for english, chinese in lessons.LESSONS.values())
    assert set(lessons.LESSONS) <= set(i18n.TEXTS)        # the page's gr.I18n holds them too


def test_a_chinese_browser_reads_the_lessons_in_chinese():
    chinese = SimpleNamespace(headers={"accept-language": "zh-CN,zh;q=0.9,en;q=0.8"})
    english = SimpleNamespace(headers={"accept-language": "en-GB,en;q=0.9"})
    assert i18n.language(chinese) == lessons.CHINESE and i18n.language(english) == i18n.language(None) == lessons.ENGLISH
    assert playground.toy_formula("hinge", chinese).startswith("D 最小化")
    assert playground.toy_formula("hinge", english).startswith("D minimises")
    session = playground.toy_start(*LAYERS)[0]
    outputs = playground.toy_slow_start(session, *LAYERS, request=chinese)
    assert outputs[6].startswith("**1. 采样")
    preset_text = playground.toy_preset(None, COLLAPSE, *LAYERS, request=chinese)[6]
    assert lessons.say("toy_preset_collapse", lessons.CHINESE) in preset_text
