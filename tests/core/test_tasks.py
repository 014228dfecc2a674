"""The one list of tasks and methods: names and labels both find a method, unknown ones list the choices."""
import pytest

from gan_core.core import tasks


def test_every_task_has_the_gan_first_and_its_classical_peers_after():
    for task in tasks.TASKS.values():
        assert task.methods[0] is tasks.GAN and set(task.classical) <= set(task.methods)
    assert set(tasks.RESTORE_TASKS) | {"inpaint"} == set(tasks.PHOTO_TASKS)
    assert [task.scale for task in map(tasks.get, tasks.RESTORE_TASKS)] == [1, 2, 4]


def test_a_method_is_found_by_name_or_label():
    inpaint = tasks.get("inpaint")
    assert inpaint.method("ns") is inpaint.method("Navier-Stokes") is tasks.NAVIER_STOKES
    with pytest.raises(ValueError, match="choose one of: gan, telea, ns, fsr, patchmatch"):
        inpaint.method("bicubic")
    with pytest.raises(ValueError, match="unknown task 'sr3'"):
        tasks.get("sr3")
