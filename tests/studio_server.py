"""Start the studio once for all API and browser tests: `python app.py` on a free loopback port.

One server per test session (a module-level singleton, stopped at exit), with the tiny test model as the
default so every GAN fill takes well under a second. Its Restore tab looks for its models in a folder of
its own, empty at start (restore_weights_dir()): tests copy tiny models in, and leave out the ones whose
absence they test. Not a conftest.py on purpose: other test modules of the project do not need it.
"""
import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
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
    restore_weights = Path(tempfile.mkdtemp(prefix="gan-studio-restore-weights-"))
    env = {**os.environ, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port),
           "GAN_STUDIO_MODEL": model, "GAN_STUDIO_RESTORE_WEIGHTS": str(restore_weights),
           "GRADIO_ANALYTICS_ENABLED": "False"}
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"gan-studio-test-{port}.log", "w")
    process = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    atexit.register(stop_app)
    _server.update(process=process, log=log, restore_weights=restore_weights)
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


def server_log() -> Path:
    """The running studio's log (its stdout and stderr): where a traceback on the server shows."""
    return Path(_server["log"].name)


def restore_weights_dir() -> Path:
    """The folder the running studio's Restore tab loads denoise/sr2/sr4.safetensors from (start it first)."""
    return _server["restore_weights"]


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
    if "restore_weights" in _server:
        shutil.rmtree(_server.pop("restore_weights"), ignore_errors=True)
