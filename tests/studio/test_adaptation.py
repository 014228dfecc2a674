"""studio.adaptation: the option's numbers, the loss chart's table, the status line, and following a run."""
import gradio as gr
import pytest

from gan_core.inpainting.adapt import DEFAULT_STEPS, AdaptStep
from studio import adaptation
from studio.lessons import CHINESE, ENGLISH, say


def test_steps_to_learn_is_zero_when_off_and_within_the_slider_when_on():
    assert adaptation.steps_to_learn(False, 30) == 0
    assert adaptation.steps_to_learn(True, 30) == 30
    assert adaptation.steps_to_learn(True, None) == DEFAULT_STEPS
    assert adaptation.steps_to_learn(True, 0.2) == 1 and adaptation.steps_to_learn(True, 10**6) == adaptation.MAX_STEPS


@pytest.mark.parametrize("bad", [-1, 2.5, adaptation.MAX_STEPS + 1, "many"])
def test_api_steps_and_seed_are_checked(bad):
    assert adaptation.check_steps(None) == 0 and adaptation.check_steps(3.0) == 3
    assert adaptation.check_seed(None) == 0 and adaptation.check_seed(7) == 7
    with pytest.raises(gr.Error, match="adapt must be a whole number"):
        adaptation.check_steps(bad)
    with pytest.raises(gr.Error, match="seed must be a whole number"):
        adaptation.check_seed(-1 if bad == adaptation.MAX_STEPS + 1 else bad)


def steps(count: int) -> list[AdaptStep]:
    return [AdaptStep(0, count)] + [AdaptStep(k, count, {"loss_g": 9.0, "adv": 1.0 + k, "l1": 0.05, "loss_d": 0.3,
                                                          "fm": 0.01}) for k in range(1, count + 1)]


NAMES = [name for name, _ in adaptation.CURVES.values()]


def test_curves_hold_gs_two_charges_and_ds_loss_by_step_in_the_browsers_language():
    table = adaptation.curves(steps(2)[1:])
    assert list(table.columns) == ["step", "value", "series"] and len(table) == 6
    assert set(table["series"]) == {say(name) for name in NAMES}
    assert table[table["series"] == say("adapt_series_adv")]["value"].tolist() == [2.0, 3.0]
    chinese = adaptation.curves(steps(1)[1:], CHINESE)
    assert set(chinese["series"]) == {say(name, CHINESE) for name in NAMES}
    assert adaptation.curves([]) is None, "never an empty table: the chart would lose its colours"


def test_every_curve_has_its_colour_in_both_languages():
    with gr.Blocks():
        view = adaptation.live_view("test")
    colours = view.chart.color_map
    for name, colour in adaptation.CURVES.values():
        assert colours[say(name, ENGLISH)] == colours[say(name, CHINESE)] == colour
    assert view.chart.value is None


def test_status_line_says_where_learning_is_with_each_curves_colour():
    start, first, *_ = steps(3)
    assert "3 steps to go" in adaptation.status_line(start)
    line = adaptation.status_line(first)
    assert "step 1 of 3" in line and "2.000" in line and "0.300" in line
    assert all(f"color:{colour}" in line for _, colour in adaptation.CURVES.values())
    assert "第 1 步" in adaptation.status_line(first, CHINESE)


def test_follow_passes_the_results_on_and_moves_the_progress_bar_after_each_yield():
    moves = []
    updates = [(step, f"fill {step.step}" if step.step % 2 == 0 else None) for step in steps(3)]
    followed = adaptation.follow(iter(updates), lambda value, **options: moves.append(value))
    learned, result, chart, line = next(followed)
    assert result == "fill 0" and chart["value"] is None and chart["x_lim"] == [0, 3] and "to go" in line
    assert moves == [], "the bar moves once the page has what was yielded (a yield hides it)"
    rest = list(followed)
    assert [result for _, result, _, _ in rest] == [None, "fill 2", None]
    assert [len(chart) for _, _, chart, _ in rest] == [3, 6, 9]
    assert moves == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_stop_says_what_the_page_shows_unless_a_run_has_finished():
    assert "Stopped" in adaptation.stopped("") and "已停止" in adaptation.stopped("", FakeRequest("zh-CN"))
    assert adaptation.stopped("Filled 3.1% of the photo") == gr.update()


class FakeRequest:
    def __init__(self, language: str):
        self.headers = {"accept-language": language}
