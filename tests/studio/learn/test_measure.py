"""studio.learn.measure: the table, coverage charts and training curves of the classifier's two numbers."""
import json

import pytest

from gan_core.core.weights import WEIGHTS_DIR
from studio.learn import measure


def entry(fd, coverage):
    return {"fd": fd, "coverage": coverage, "classes_covered": sum(share > 0.02 for share in coverage),
            "largest_class_share": max(coverage)}


@pytest.fixture
def metrics_file(tmp_path):
    path = tmp_path / "learn-metrics.json"
    path.write_text(json.dumps({"what": "a sentence", "command": "python -m ...",
                                "train_vs_test": entry(0.4, [0.1] * 10),
                                "dcgan-fashion": entry(61.5, [0.2, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0, 0])}))
    return path


def test_the_table_puts_real_images_first_and_skips_the_sentences(metrics_file):
    metrics = measure.read_metrics(metrics_file)
    assert set(metrics) == {"train_vs_test", "dcgan-fashion"}
    table = measure.metrics_table(metrics)
    assert list(table["Images"]) == ["Real images (train vs test)", "dcgan-fashion"]
    assert list(table["FD to the test set (lower is better)"]) == [0.4, 61.5]
    assert list(table["Classes covered (of 10)"]) == [10, 8]


def test_coverage_has_one_bar_per_class_in_class_order(metrics_file):
    frame = measure.coverage_frame(measure.read_metrics(metrics_file)["dcgan-fashion"])
    assert list(frame["class"])[:2] == ["T-shirt/top", "Trouser"] and len(frame) == 10
    assert frame["share"].sum() == pytest.approx(1.0)


def test_the_shipped_measurements_are_read(monkeypatch):
    if not measure.METRICS.exists():
        pytest.skip("docs/learn-metrics.json is not in this copy")
    metrics = measure.read_metrics()
    assert measure.BASELINE in metrics and measure.HEALTHY in metrics
    assert metrics[measure.BASELINE]["fd"] < metrics[measure.HEALTHY]["fd"]


def test_no_collapsed_run_is_invented(metrics_file):
    assert measure.collapsed_names(measure.read_metrics(metrics_file)) == []
    data = json.loads(metrics_file.read_text())
    data["dcgan-collapse-demo"] = entry(150.0, [0.6, 0.4] + [0.0] * 8)
    metrics_file.write_text(json.dumps(data))
    assert measure.collapsed_names(measure.read_metrics(metrics_file)) == ["dcgan-collapse-demo"]


def test_training_curves_follow_the_runs_measured_checkpoints(tmp_path):
    fd, coverage, note = measure.training_curves(tmp_path / "missing.jsonl")
    assert fd.empty and "No measured training run" in note
    log = tmp_path / "metrics.jsonl"
    log.write_text("\n".join(json.dumps({"step": step, **entry(fd_value, [0.1] * 10)})
                             for step, fd_value in ((2000, 40.0), (1000, 80.0))) + "\n")
    fd, coverage, note = measure.training_curves(log)
    assert list(fd["step"]) == [1000, 2000] and list(fd["value"]) == [80.0, 40.0]
    assert set(coverage["series"]) == {"largest class share", "classes covered / 10"}
    assert "step 2000" in note and "40.0" in note


def test_the_collapse_section_shows_samples_of_shipped_generators_only():
    assert measure.samples_picture("no-such-generator") is None
    if (WEIGHTS_DIR / "dcgan-fashion.safetensors").exists():
        picture = measure.samples_picture("dcgan-fashion")
        side = 2 * (measure.SAMPLE_GRID * 34 + 2)   # 32 px tiles, 2 px apart and around, enlarged 2x
        assert picture.shape == (side, side, 3) and picture.std() > 10
