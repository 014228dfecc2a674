"""The repository's folders, computed once."""
from gan_core.core import paths


def test_the_folders_are_the_repositorys_own():
    assert (paths.REPO_ROOT / "gan_core" / "__init__.py").exists()
    for folder in (paths.WEIGHTS_DIR, paths.DATA_DIR, paths.RECIPES_DIR, paths.DOCS_DIR, paths.EXAMPLES_DIR):
        assert folder.is_dir() and folder.parent == paths.REPO_ROOT
    assert (paths.WEIGHTS_DIR / "inpaint-photo.safetensors").exists()
