"""The floor plan: arrows that point one way, small files, one place for each job.

gan_core is grouped by application over a small core; these tests fail when a change puts something in the
wrong room (an import circle, an application importing another, the studio importing torch, a second module
writing checkpoints, a file grown past 500 lines)."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# lower layers never import higher ones; modules of one application never import another application
LAYERS = {"core": 0, "training": 1, "photos": 2, "inpainting": 3, "restoration": 3, "mri": 3, "learn": 3, "eval": 4}
APPLICATIONS = ("inpainting", "restoration", "mri", "learn")


def source_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """The project modules a file imports anywhere in it (inside functions too): for `from A import b`, A.b
    when it is a module, else A."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {name for name in found if name in known}


def import_graph() -> dict[str, set[str]]:
    files = source_files("gan_core", "studio") + [ROOT / "app.py"]
    known = {module_name(p) for p in files}
    return {module_name(p): imported_modules(p, known) - {module_name(p)} for p in files}


def layer_of(module: str) -> tuple[str, int] | None:
    parts = module.split(".")
    if parts[0] == "gan_core" and len(parts) > 1 and parts[1] in LAYERS:
        return parts[1], LAYERS[parts[1]]
    return None


def test_no_import_circle():
    graph, state, cycles = import_graph(), {}, []

    def visit(module, trail):
        state[module] = "open"
        for other in sorted(graph[module]):
            if state.get(other) == "open":
                cycles.append(trail[trail.index(other):] + [other])
            elif other not in state:
                visit(other, trail + [other])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "import circles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_arrows_point_down_and_applications_do_not_import_each_other():
    wrong = []
    for module, imports in import_graph().items():
        here = layer_of(module)
        if here is None:
            continue
        for other in imports:
            there = layer_of(other)
            if other == "gan_core" and here[0] != "eval":
                wrong.append(f"{module} imports the package's front door")
            elif there and (there[1] > here[1] or (there[0] != here[0] and there[0] in APPLICATIONS
                                                   and here[0] in APPLICATIONS)):
                wrong.append(f"{module} -> {other}")
    assert not wrong, "\n".join(wrong)


def test_gan_core_has_few_top_level_modules():
    top = [p for p in (ROOT / "gan_core").iterdir() if p.name != "__pycache__" and (p.suffix == ".py" or p.is_dir())]
    assert len(top) <= 12, sorted(p.name for p in top)


def test_few_files_run_backward_and_one_writes_checkpoints():
    library = source_files("gan_core")
    backward = [p.relative_to(ROOT) for p in library if ".backward(" in p.read_text()]
    saving = [p.relative_to(ROOT) for p in library if "torch.save(" in p.read_text()]
    assert len(backward) <= 4, backward
    assert len(saving) == 1, saving


def test_the_studio_imports_no_torch_or_opencv():
    for path in source_files("studio") + [ROOT / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert name.split(".")[0] not in ("torch", "cv2"), f"{path.relative_to(ROOT)} imports {name}"


def test_no_source_file_over_500_lines_and_a_short_readme():
    long = {str(p.relative_to(ROOT)): n for p in source_files("gan_core", "studio", "tests", "scripts", "recipes")
            if (n := len(p.read_text().splitlines())) > 500}
    assert not long, long
    assert len((ROOT / "README.md").read_text().splitlines()) <= 350
