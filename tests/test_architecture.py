"""The layers of architecture.md hold: import-linter's contracts pass, modules stay
small, and each property lives once in checks/."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_are_kept() -> None:
    lint = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    result = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def _imports_from_procalg(path: Path) -> list[tuple[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(node.module, alias.name) for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("procalg")
            for alias in node.names]


def test_no_module_imports_another_modules_private_names() -> None:
    found = [f"{path.relative_to(ROOT)}: {name} from {module}"
             for path in sorted((ROOT / "procalg").rglob("*.py"))
             for module, name in _imports_from_procalg(path)
             if name.startswith("_") and not name.startswith("__")]
    assert found == []


def test_every_module_stays_under_about_400_lines_and_cli_modules_under_200() -> None:
    too_long = []
    for path in sorted((ROOT / "procalg").rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        limit = 200 if path.parent.name == "cli" else 400
        if lines > limit:
            too_long.append(f"{path.relative_to(ROOT)}: {lines} lines (limit {limit})")
    assert too_long == []


def _defined(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def test_each_property_has_one_home_in_checks_and_the_engine_below_only_searches() -> None:
    # one module per property answers for both engines with a CheckResult ...
    for module, check in [("deadlock", "check_deadlock"), ("divergence", "check_divergence"),
                          ("reachability", "check_reachable")]:
        assert {check, f"{check}_product"} <= _defined(ROOT / "procalg/checks" / f"{module}.py")
    # ... the product engine searches for goals it is given (no label that ends a
    # run, no property), and api/search.py chooses the engine (builds no verdict)
    product = {name for _, name in _imports_from_procalg(ROOT / "procalg/lts/product.py")}
    assert not product & {"THROW", "TICK", "TICK_INDEX"}
    assert not {"find_deadlock", "find_divergence", "find_label"} & _defined(
        ROOT / "procalg/lts/product.py")
    search = {name for _, name in _imports_from_procalg(ROOT / "procalg/api/search.py")}
    assert not search & {"Verdict", "Counterexample", "SearchResult"}
