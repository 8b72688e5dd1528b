"""Upload folders: named for their process, swept when that process is gone, never named to a client."""

from __future__ import annotations

import os
import subprocess
import sys

from api import uploads


def test_the_sweep_removes_the_folders_of_processes_no_longer_running(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(gone.stdout)
    left = tmp_path / f"partnermap-upload-{dead}-abc"
    (left / "leicestershire").mkdir(parents=True)
    (left / "leicestershire" / "territories.csv").write_text("code,name\n")
    mine = tmp_path / f"partnermap-upload-{os.getpid()}-def"  # a pid reused from a dead process: a leftover too
    mine.mkdir()
    alive = tmp_path / f"partnermap-upload-{os.getppid()}-ghi"  # another server still at work
    alive.mkdir()
    other = tmp_path / "partnermap-upload-notes"
    other.mkdir()
    assert sorted(uploads.sweep(tmp_path)) == sorted([left.name, mine.name])
    assert not left.exists() and not mine.exists() and alive.exists() and other.exists()


def test_scrub_takes_the_folder_out_of_everything_said(tmp_path):
    folder = tmp_path / "partnermap-upload-1-x"
    said = {"message": f"not a readable XLSX workbook: {folder}/leicestershire.xlsx",
            "problems": [{"file": f"{folder}/leicestershire/territories.csv", "row": 5}]}
    assert uploads.scrub(said, folder) == {"message": "not a readable XLSX workbook: leicestershire.xlsx",
                                           "problems": [{"file": "leicestershire/territories.csv", "row": 5}]}
