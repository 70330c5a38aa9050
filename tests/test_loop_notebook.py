"""notebooks/retrain.ipynb runs top to bottom on a small database with the centre's labels."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient

from tests.classifier_helpers import sample_file  # noqa: F401  (fixture)
from tests.conftest import CONFIG, ROOT
from tests.loop_helpers import cli, processed, suggested, write_labels

NOTEBOOK = ROOT / "notebooks" / "retrain.ipynb"


def test_retrain_notebook_executes(capsys, monkeypatch, sqlite_url, tmp_path, sample_file):  # noqa: F811
    processed(capsys, sqlite_url)
    labels = write_labels(tmp_path / "labels.jsonl", suggested(capsys, sqlite_url, "audit", 150))
    cli(capsys, sqlite_url, "labels", "import", str(labels))
    for name, value in (
        ("OTKLIK_CONFIG", str(CONFIG)),
        ("OTKLIK_DATABASE_URL", sqlite_url),
        ("OTKLIK_DATA", str(sample_file)),
        ("OTKLIK_CV", "0"),
        ("OTKLIK_OUT", str(tmp_path)),
    ):
        monkeypatch.setenv(name, value)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    text = "".join(o.get("text", "") for o in outputs)
    assert "centre labels for training" in text and "fair check: " in text
    assert "candidate" in text and "in use" in text
    assert "missed signals:" in text and "false alarms:" in text
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert (tmp_path / "candidate" / "meta.json").is_file()
