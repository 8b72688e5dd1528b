"""The one ingest path (CLI, API, benchmark): the garbage collector is held off during it, and only then."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import pytest

from ingest import pipeline
from partnermap.errors import InvalidRecords

SMALL = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "registers" / "small"


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_off_during_an_ingest_and_on_after(tmp_path, store, monkeypatch, collector_on):
    seen = []
    real = pipeline.load

    def watching(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "load", watching)
    done = pipeline.ingest_paths(store, "register", [SMALL])
    assert seen == [False] and gc.isenabled()
    assert done.counts["nodes"]["Organisation"] > 0


def test_the_collector_comes_back_when_an_ingest_fails(tmp_path, store, collector_on):
    broken = tmp_path / "register"
    broken.mkdir()
    (broken / "territories.csv").write_text("code,name,level\n", encoding="utf-8")
    with pytest.raises(InvalidRecords):
        pipeline.ingest_paths(store, "register", [broken])
    assert gc.isenabled()


def test_overlapping_ingests_turn_it_back_on_only_when_the_last_ends(collector_on):
    inside, release = threading.Event(), threading.Event()

    def long_ingest():
        with pipeline._collector_paused():
            inside.set()
            release.wait(10)

    worker = threading.Thread(target=long_ingest)
    worker.start()
    assert inside.wait(10)
    with pipeline._collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other ingest is still running
    release.set()
    worker.join(10)
    assert gc.isenabled()


def test_a_collector_someone_turned_off_stays_off():
    was = gc.isenabled()
    gc.disable()
    try:
        with pipeline._collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()

