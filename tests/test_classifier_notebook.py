"""The analyst notebook runs top to bottom on a model and a labelled file."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient

from tests import classifier_helpers
from tests.classifier_helpers import DEFAULT_MODEL
from tests.conftest import ROOT

# Shared fixtures, bound here so pytest finds them.
sample_file = classifier_helpers.sample_file

NOTEBOOK = ROOT / "notebooks" / "errors.ipynb"


def test_errors_notebook_executes(monkeypatch, sample_file):
    monkeypatch.setenv("OTKLIK_MODEL", str(DEFAULT_MODEL))
    monkeypatch.setenv("OTKLIK_DATA", str(sample_file))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    text = "".join(o.get("text", "") for o in outputs)
    assert "relevance" in text and "sector" in text
    assert "errors" in text
    assert any("image/png" in o.get("data", {}) for o in outputs)
