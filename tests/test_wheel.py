"""Installed as users install it: a wheel built from the repository carries the templates and assets, and serves pages.

The wheel is installed with --no-deps into a fresh virtualenv outside the checkout, which finds the
project's dependencies through a .pth line (nothing is downloaded), and `partnermap serve` runs from it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import venv
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT

SHIPPED = ["pages/templates/base.html", "pages/templates/overview.html", "pages/static/govuk/workspace.css",
           "pages/static/govuk/govuk-frontend.min.js", "pages/static/vendor/htmx.min.js",
           "pages/static/vendor/leaflet.js", "pages/static/vendor/swagger-ui-bundle.js",
           "pages/static/workspace/network.js", "pages/static/VERSIONS.json", "graph/queries/search_names.cypher",
           "ontology/model.toml", "ontology/popolo.csv"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
                           "--quiet", "-w", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (built,) = out.glob("partnermap-*.whl")
    return built


def test_the_wheel_carries_the_templates_and_assets(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in SHIPPED if name not in names]
    assert not missing, missing


def test_the_installed_wheel_serves_the_workspace_outside_the_checkout(wheel, tmp_path):
    target = tmp_path / "env"
    venv.create(target, with_pip=False)
    python = target / "bin" / "python"
    site = Path(subprocess.check_output([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        text=True).strip())
    # The project's dependencies, read from its own environment (not processed as a site dir, so
    # the editable install of the checkout stays out); the wheel goes in the new environment.
    ours = [p for p in sys.path if p.endswith("site-packages")][0]
    (site / "dependencies.pth").write_text(ours + "\n")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    where = subprocess.check_output([str(python), "-c", "import pages, api; print(pages.__file__)"], text=True,
                                    cwd=tmp_path).strip()
    assert where.startswith(str(site)), where

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARTNERMAP_", "NEO4J_"))}
    server = subprocess.Popen([str(python), "-m", "cli", "--db", str(tmp_path / "db"), "serve", "--port", str(port),
                               "--no-access-log"], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 300  # a hang guard, not a speed check: a busy machine starts slowly
        while True:
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, server.stderr.read() if server.poll() else "no answer"
            time.sleep(0.2)
        for path, kind in (("/", "text/html"), ("/findings/missing-links", "text/html"), ("/search?q=x", "text/html"),
                           ("/docs", "text/html"), ("/static/govuk/workspace.css", "text/css"),
                           ("/static/vendor/swagger-ui-bundle.js", "javascript"), ("/static/vis/vis-network.min.js", "javascript")):
            response = httpx.get(base + path, timeout=60)
            assert response.status_code == 200 and kind in response.headers["content-type"], (path, response.status_code)
        assert "What needs attention" in httpx.get(base + "/").text
    finally:
        server.terminate()
        server.wait(timeout=30)
