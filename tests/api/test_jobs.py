"""The ingest worker: one job at a time, each queued → running → done or failed, kept and shown to its sender."""

from __future__ import annotations

import asyncio
import threading

import pytest

from api.errors import ApiError, exception_detail
from api.jobs import DONE, FAILED, QUEUED, RUNNING, IngestWorker
from partnermap.errors import InvalidRecords, NotFound, Problem


class Gate:
    """A job's work that says when it has started and waits to be let through: the test sets the order."""

    def __init__(self, written=None, error=None):
        self.started, self.release = threading.Event(), threading.Event()
        self.written, self.error = written or {"nodes": {"Territory": 1}}, error

    def __call__(self, progress):
        self.started.set()
        progress("read 1 node rows")
        assert self.release.wait(30)
        if self.error:
            raise self.error
        return self.written


def test_jobs_go_queued_running_done_or_failed_one_at_a_time():
    cleaned = []

    async def main():
        worker = IngestWorker(max_queued=2, describe_error=exception_detail)
        worker.start()
        first, second = Gate(), Gate(error=InvalidRecords([Problem("territories.csv", 5, "level", "shire", "not a level")]))
        one = worker.submit("me", "first", first, cleanup=lambda: cleaned.append("first"))
        two = worker.submit("me", "second", second, cleanup=lambda: cleaned.append("second"))
        await asyncio.to_thread(first.started.wait, 30)
        assert (one.status, two.status) == (RUNNING, QUEUED)  # one writer at a time
        assert one.view()["progress"] == ["read 1 node rows"] and one.view()["steps"] == 1
        assert (await worker.wait(two, 0)).status == QUEUED  # wait=0 answers at once
        first.release.set()
        assert (await worker.wait(one, 30)).status == DONE and one.written == {"nodes": {"Territory": 1}}
        await asyncio.to_thread(second.started.wait, 30)
        assert two.status == RUNNING
        second.release.set()
        assert (await worker.wait(two, 30)).status == FAILED
        assert two.error["status"] == 422 and two.error["problems"][0]["value"] == "shire"
        assert cleaned == ["first", "second"]  # the upload's folder goes whatever came of it
        assert worker.get(one.id, "me") is one
        with pytest.raises(NotFound):
            worker.get(one.id, "someone else")  # another key's job is not shown
        worker.stop()

    asyncio.run(main())


def test_a_full_queue_refuses_and_stopping_fails_what_waits():
    cleaned = []

    async def main():
        worker = IngestWorker(max_queued=1, describe_error=exception_detail)
        worker.start()
        running = Gate()
        worker.submit("me", "a", running, cleanup=lambda: cleaned.append("a"))
        await asyncio.to_thread(running.started.wait, 30)
        waiting = worker.submit("me", "b", Gate(), cleanup=lambda: cleaned.append("b"))
        with pytest.raises(ApiError) as refused:
            worker.submit("me", "c", Gate(), cleanup=lambda: cleaned.append("c"))
        assert refused.value.status == 503 and refused.value.code == "busy"
        # Stopping while "a" runs: "b" never starts, it fails at once; "a" is let finish.
        stopping = asyncio.get_running_loop().run_in_executor(None, worker.stop)
        assert (await worker.wait(waiting, 30)).status == FAILED and waiting.error["code"] == "stopped"
        assert cleaned == ["b"]
        running.release.set()
        await stopping
        assert cleaned == ["b", "a"]

    asyncio.run(main())
