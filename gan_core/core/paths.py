"""Where the repository's folders are: computed here once, so a module that moves does not lose them."""
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
WEIGHTS_DIR = REPO_ROOT / "weights"      # shipped safetensors files and their model cards
DATA_DIR = REPO_ROOT / "data"            # manifests (in git) and extracted photos (not in git)
RECIPES_DIR = REPO_ROOT / "recipes"      # one file per shipped model: how to train it again
DOCS_DIR = REPO_ROOT / "docs"
EXAMPLES_DIR = REPO_ROOT / "examples"
