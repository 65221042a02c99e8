"""The tutorials in notebooks/ run from top to bottom without a cell error.

Each notebook asserts what its cells show, so executing it is a test of the
API it teaches. The kernel is this interpreter: a kernel spec written to a
temporary JUPYTER_PATH (searched first) points at ``sys.executable``, so a
``python3`` spec elsewhere on the machine cannot run another Python.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
TUTORIALS = sorted(NOTEBOOKS.glob("*.ipynb"))


@pytest.fixture
def kernel_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``python3`` kernel spec that runs ipykernel in this interpreter."""
    spec = tmp_path / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "procalg tests", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    return tmp_path


def test_the_tutorials_are_there():
    assert [p.name for p in TUTORIALS] == ["checking_a_model.ipynb", "running_a_workflow.ipynb"]


def test_tutorials_are_stored_without_outputs():
    # outputs hold timings and pictures that go stale; the test run makes fresh ones
    for path in TUTORIALS:
        nb = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), path.name


@pytest.mark.parametrize("path", TUTORIALS, ids=lambda p: p.stem)
def test_tutorial_runs_without_a_cell_error(path: Path, kernel_path: Path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    client = NotebookClient(nb, timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    ran = [c for c in nb.cells if c.cell_type == "code"]
    assert ran and all(c.execution_count for c in ran)


def test_the_python3_kernel_resolves_to_this_interpreter(kernel_path: Path):
    # not some other python3 on the machine, without procalg or with an old one
    assert KernelSpecManager().get_kernel_spec("python3").argv[0] == sys.executable
