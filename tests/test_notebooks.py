"""The analysts' notebooks run top to bottom on the sample's analysts' copy, read-only, while an
ingest holds the office's warehouse; they are committed without outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from analyst_sample import ingest_holding, sample_warehouse, snapshot_of
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = ["01_township_overview.ipynb", "02_data_quality.ipynb"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return sample_warehouse(tmp_path_factory)


@pytest.fixture(scope="module")
def kernels(tmp_path_factory) -> Path:
    """A jupyter data folder whose python3 kernel is this interpreter (the project's venv), so
    that no python3 kernel installed elsewhere on the machine is picked instead."""
    from ipykernel.kernelspec import write_kernel_spec

    data_dir = tmp_path_factory.mktemp("jupyter")
    write_kernel_spec(data_dir / "kernels" / "python3")
    return data_dir


def test_both_notebooks_are_there():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_committed_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert [c.id for c in code if c.outputs or c.execution_count is not None] == []


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_top_to_bottom_on_the_analysts_copy(sample, kernels, name, monkeypatch):
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(kernels))
    for variable in ("TOWNSHIP_PERIOD", "TOWNSHIP_AS_OF", "TOWNSHIP_CJK_FONT"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("TOWNSHIP_WAREHOUSE", str(snapshot_of(sample)))  # the kernel inherits it
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    with ingest_holding(sample.warehouse):
        client.execute()  # raises CellExecutionError on any cell error
    outputs = [(c.id, o) for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    stderr = [(cell, o.get("text", "")) for cell, o in outputs if o.get("name") == "stderr"]
    assert stderr == []  # no warnings: missing glyphs, pandas deprecations …
    assert any("image/png" in o.get("data", {}) for _, o in outputs)  # the charts were drawn
    assert str(snapshot_of(sample)) in "".join(o.get("text", "") for _, o in outputs)
