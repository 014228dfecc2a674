"""studio.models: which inpainting models the studio offers, and what their cards say."""
import re

import pytest

from studio import models

pytestmark = pytest.mark.usefixtures("studio_test_model")
TEST_MODEL = "inpaint-tiny-test"


def test_model_facts_show_the_card():
    text = models.model_facts(TEST_MODEL)
    assert "inpaint-tiny-test" in text and "49,200" in text and "30 steps" in text
    shipped = models.model_facts("inpaint-photo")  # its card carries the validation numbers
    assert "| gan |" in shipped and "| telea |" in shipped and "medium masks" in shipped
    assert "object masks" in shipped and "–" not in shipped  # every class the card was measured on, no blanks
    painting = models.model_facts("inpaint-painting")  # measured on crack masks only
    assert "| method | crack masks |" in painting and re.search(r"\| gan \| \d+\.\d\d / ", painting)
    assert re.search(r"after the [\d,]+ steps \(\d+\.\d\d h\) of `main`", painting)  # it continued a run
    assert "after the" not in text
    assert "Cannot read" in models.model_facts("no-such-model")


def test_dropdown_offers_every_model_with_the_default_marked():
    update, _summary, facts = models.model_dropdown_update()
    assert (f"{TEST_MODEL} (default)", TEST_MODEL) in update["choices"] and update["value"] == TEST_MODEL
    assert TEST_MODEL in facts


def test_only_names_in_weights_are_accepted():
    assert models.check_model(None) == TEST_MODEL and models.check_model("inpaint-photo") == "inpaint-photo"
    with pytest.raises(Exception, match="Unknown model 'no-such-model'; choose one of: .*inpaint-tiny-test"):
        models.check_model("no-such-model")
    with pytest.raises(Exception, match="Unknown model"):
        models.check_model(str(models.weights_lib.WEIGHTS_DIR / "inpaint-tiny-test.safetensors"))


def test_without_any_model_the_dropdown_is_empty_and_says_so(monkeypatch):
    monkeypatch.setattr(models, "available_models", lambda: [])
    update, _summary, facts = models.model_dropdown_update()
    assert update["choices"] == [] and "No inpainting model" in facts
    with pytest.raises(Exception, match="No GAN model is installed"):
        models.check_model(None)


def test_the_model_summary_is_a_plain_sentence_that_compares_with_the_classical_methods():
    text = models.model_summary("inpaint-photo")
    assert text.startswith("This network learned to fill holes from") and "photographs" in text
    assert "classical method" in text and "sha256" not in text and "continued_from" not in text
