"""The benchmark's synthetic England is deterministic and a valid register for the real ingestor."""

import graph
import ingest
from bench.generate import generate


def test_same_seed_same_bytes_and_the_register_ingests_cleanly(tmp_path):
    first = generate(tmp_path / "a", scale=0.004, seed=3)
    generate(tmp_path / "b", scale=0.004, seed=3)
    for name in first:
        assert (tmp_path / "a" / f"{name}.csv").read_bytes() == (tmp_path / "b" / f"{name}.csv").read_bytes()
    with graph.open_store(tmp_path / "db") as store:
        ingest.load(store, ingest.READERS["register"](tmp_path / "a"))
        counts = graph.stats(store)
    assert counts["nodes"]["Organisation"] == first["organisations"]
    assert counts["nodes"]["Service"] == first["services"]
    assert counts["nodes"]["Partnership"] + counts["nodes"]["Forum"] == first["partnerships"]
    assert counts["relationships"]["MEMBER_OF"] == first["memberships"]
