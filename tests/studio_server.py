"""Start the studio once for all API and browser tests: `python app.py` on a free loopback port.

One server per test session (a module-level singleton, stopped at exit), with the tiny test model as the
default so every GAN fill takes well under a second. Not a conftest.py on purpose: other test modules of
the project do not need it.
"""
import atexit
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST_MODEL = "inpaint-tiny-test"
_server: dict = {}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_app(timeout: float = 90.0, model: str = TEST_MODEL) -> str:
    """URL of a running studio (started on the first call) whose default model is `model`."""
    if "url" in _server:
        return _server["url"]
    port = free_port()
    env = {**os.environ, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port),
           "GAN_STUDIO_MODEL": model, "GRADIO_ANALYTICS_ENABLED": "False"}
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"gan-studio-test-{port}.log", "w")
    process = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    atexit.register(stop_app)
    _server.update(process=process, log=log)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app.py exited with {process.returncode}; see {log.name}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    _server["url"] = url
                    return url
        except OSError:
            time.sleep(0.5)
    stop_app()
    raise RuntimeError(f"app.py did not answer on {url} within {timeout:.0f} s; see {log.name}")


def stop_app() -> None:
    process = _server.pop("process", None)
    _server.pop("url", None)
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    if "log" in _server:
        _server.pop("log").close()
