"""Load test of the studio's /inpaint API: many clients at once, every answer opened and checked.

    python scripts/load_test.py                       # 16 clients x 5 requests, the tiny test model
    python scripts/load_test.py --model inpaint-photo --clients 8 --requests 3
    python scripts/load_test.py --clients 0           # bytes written per request: /inpaint, /restore, /fill
    python scripts/load_test.py --flood 50 --cache-mb 300   # 50 large sr2 requests: disk stays under the cap

Starts `python app.py` on a free loopback port (never anything but 127.0.0.1), sends the same 512x512
photo and mask from every client (identical requests are what trip Gradio's cache race, see
docs/gradio-cache-race.md), opens every returned PNG and checks it is whole, 512x512, and identical to the
photo outside the mask. Prints the errors, p50 / p95 latency and the server's peak resident memory, and
exits 1 on any failure. Bounded: a fixed number of requests, each with a timeout, and a time limit overall.
"""
import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SIDE = 512
GROW = 4  # the API's default grow: pixels further than this from the mask must come back unchanged


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent gradio_client clients")
    parser.add_argument("--requests", type=int, default=5, help="requests per client, one after another")
    parser.add_argument("--model", default="inpaint-tiny-test", help="model the server uses by default")
    parser.add_argument("--request-timeout", type=float, default=300.0, help="seconds for one request")
    parser.add_argument("--time-limit", type=float, default=900.0, help="seconds for the whole run")
    parser.add_argument("--flood", type=int, default=0,
                        help="instead: send this many large /restore sr2 requests and watch the disk stay capped")
    parser.add_argument("--cache-mb", type=float, default=1024, help="the server's cap on temporary files")
    return parser.parse_args()


# ----------------------------------------------------------------------------------------------------
# The server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(model: str, log_path: Path, cache: Path | None = None,
                 cache_mb: float = 1024) -> tuple[subprocess.Popen, str]:
    """app.py on a free port; with `cache`, its temporary files go there (GRADIO_TEMP_DIR), capped at cache_mb."""
    port = free_port()
    env = {**os.environ, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port),
           "GAN_STUDIO_MODEL": model, "GRADIO_ANALYTICS_ENABLED": "False", "GAN_STUDIO_CACHE_MB": str(cache_mb)}
    if cache is not None:
        env["GRADIO_TEMP_DIR"] = str(cache)
    log = open(log_path, "w")
    server = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"app.py exited with {server.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return server, url
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError(f"app.py did not answer within 120 s; see {log_path}")


class PeakMemory:
    """The server's peak resident memory: the kernel's high-water mark (VmHWM), or psutil sampled every 0.1 s."""

    def __init__(self, pid: int):
        self.pid, self.sampled, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self):
        try:
            import psutil
            process = psutil.Process(self.pid)
        except (ImportError, Exception):
            return
        while not self._stop.wait(0.1):
            try:
                self.sampled = max(self.sampled, process.memory_info().rss)
            except Exception:
                return

    def peak_bytes(self) -> int:
        self._stop.set()
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return max(self.sampled, int(line.split()[1]) * 1024)
        except OSError:
            pass
        return self.sampled


# ----------------------------------------------------------------------------------------------------
# The requests


def make_inputs(folder: Path) -> tuple[Path, Path, np.ndarray, np.ndarray]:
    """A 512x512 photo and mask from the ladybird example; returns their paths and arrays."""
    photo = Image.open(ROOT / "examples" / "ladybird.jpg").convert("RGB").resize((SIDE, SIDE), Image.LANCZOS)
    mask = Image.open(ROOT / "examples" / "ladybird_mask.png").convert("L").resize((SIDE, SIDE), Image.NEAREST)
    photo_path, mask_path = folder / "photo.png", folder / "mask.png"
    photo.save(photo_path)
    mask.save(mask_path)
    return photo_path, mask_path, np.asarray(photo), np.asarray(mask) > 0


def outside_box(mask: np.ndarray, margin: int) -> np.ndarray:
    """Pixels outside the mask's bounding box grown by `margin`: those must come back unchanged."""
    rows, cols = np.nonzero(mask)
    top, left = max(rows.min() - margin, 0), max(cols.min() - margin, 0)
    keep = np.ones_like(mask, dtype=bool)
    keep[top:rows.max() + margin + 1, left:cols.max() + margin + 1] = False
    return keep


def check_result(path: str, photo: np.ndarray, keep: np.ndarray) -> str | None:
    """None if the returned file is a whole 512x512 PNG, unchanged outside the mask; else what is wrong."""
    size = os.path.getsize(path)
    try:
        with Image.open(path) as image:
            image.verify()  # checks the PNG's chunks and CRCs
        with Image.open(path) as image:
            result = np.asarray(image.convert("RGB"))
    except Exception as error:
        return f"unreadable result ({size} bytes): {type(error).__name__}: {error}"
    if result.shape != photo.shape:
        return f"result is {result.shape[1]}x{result.shape[0]}, not {SIDE}x{SIDE}"
    if not np.array_equal(result[keep], photo[keep]):
        return "result differs from the photo outside the mask"
    return None


def client_session(url: str, index: int, requests: int, photo_path: Path, mask_path: Path, photo, keep,
                   timeout: float, deadline: float) -> list[tuple[float, str | None]]:
    """One client sending its requests one after another: [(seconds, error or None), ...]."""
    from gradio_client import Client, handle_file

    outcomes = []
    try:
        client = Client(url, verbose=False)
    except Exception as error:
        return [(0.0, f"client {index}: could not connect: {error}")] * requests
    for number in range(requests):
        if time.monotonic() > deadline:
            outcomes.append((0.0, f"client {index}: time limit reached before request {number}"))
            continue
        started = time.perf_counter()
        try:
            job = client.submit(handle_file(str(photo_path)), handle_file(str(mask_path)), api_name="/inpaint")
            path, _notes = job.result(timeout=timeout)
            error = check_result(path, photo, keep)
        except Exception as failure:
            error = f"{type(failure).__name__}: {failure}"
        outcomes.append((time.perf_counter() - started, f"client {index} request {number}: {error}" if error else None))
    return outcomes


# ----------------------------------------------------------------------------------------------------
# Disk: bytes written per request, and a flood that must stay under the cap


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def bytes_per_request(url: str, cache: Path, photo_path: Path, mask_path: Path) -> dict[str, int]:
    """Growth of the server's temporary folder for one request to each main endpoint (after a warm-up)."""
    from gradio_client import Client, handle_file
    client = Client(url, verbose=False)
    editor = {"background": handle_file(str(photo_path)), "layers": [handle_file(str(mask_path))],
              "composite": None}
    calls = {"/inpaint": lambda: client.predict(handle_file(str(photo_path)), handle_file(str(mask_path)),
                                                api_name="/inpaint"),
             "/restore": lambda: client.predict(handle_file(str(photo_path)), "sr2", "bicubic", 0,
                                                api_name="/restore"),
             "/fill": lambda: client.predict(editor, None, 4, "GAN", None, False, api_name="/fill")}
    written = {}
    for name, call in calls.items():
        before = folder_bytes(cache)
        call()
        written[name] = folder_bytes(cache) - before
    return written


def flood(url: str, cache: Path, work: Path, count: int, cap_bytes: int) -> tuple[int, list[str]]:
    """`count` large sr2 requests (4 at a time), sampling the temporary folder's size; (peak bytes, errors)."""
    from gradio_client import Client, handle_file
    rng = np.random.default_rng(1)
    noisy = work / "large-noisy.jpg"  # noise: compresses badly, so the 2x PNG is as large as it gets
    Image.fromarray(rng.integers(0, 256, (1500, 2000, 3), dtype=np.uint8)).save(noisy, quality=95)
    peak, stop = [0], threading.Event()

    def watch():
        while not stop.is_set():
            peak[0] = max(peak[0], folder_bytes(cache))
            time.sleep(0.2)
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    errors = []

    def one(index):
        try:
            Client(url, verbose=False).predict(handle_file(str(noisy)), "sr2", "bicubic", 0, api_name="/restore")
        except Exception as error:  # noqa: BLE001 - report every failure, go on
            errors.append(f"flood request {index}: {type(error).__name__}: {error}")
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(one, range(count)))
    stop.set()
    watcher.join()
    return max(peak[0], folder_bytes(cache)), errors


def main_disk(args) -> int:
    work = Path(tempfile.mkdtemp(prefix="gan-studio-disk-"))
    cache = work / "cache"
    photo_path, mask_path, _, _ = make_inputs(work)
    server, url = start_server(args.model, work / "server.log", cache, args.cache_mb)
    try:
        written = bytes_per_request(url, cache, photo_path, mask_path)
        for name, size in written.items():
            print(f"{name:9s} wrote {size / 1e6:6.2f} MB for one {SIDE}x{SIDE} request")
        if not args.flood:
            return 0
        cap = int(args.cache_mb * 2**20)
        print(f"flood: {args.flood} sr2 requests of a 2000x1500 noisy JPEG, cache cap {args.cache_mb:.0f} MB ...",
              flush=True)
        peak, errors = flood(url, cache, work, args.flood, cap)
        for error in errors:
            print(f"FAILED {error}")
        # uploads Gradio is still receiving are not ours to delete: allow one per worker above the cap
        print(f"temporary files peaked at {peak / 2**20:.0f} MiB (cap {cap / 2**20:.0f} MiB)")
        return 1 if errors or peak > cap + 4 * 6 * 2**20 else 0
    finally:
        server.terminate()
        server.wait(timeout=15)


def main() -> int:
    args = parse_args()
    if args.flood or args.clients == 0:
        return main_disk(args)
    work = Path(tempfile.mkdtemp(prefix="gan-studio-load-"))
    photo_path, mask_path, photo, mask = make_inputs(work)
    keep = outside_box(mask, GROW + 1)
    print(f"starting app.py with model {args.model!r} (log: {work / 'server.log'})", flush=True)
    server, url = start_server(args.model, work / "server.log")
    memory = PeakMemory(server.pid)
    failures, latencies, wall = [], [], float("nan")
    try:
        from gradio_client import Client, handle_file
        warm = Client(url, verbose=False).predict(handle_file(str(photo_path)), handle_file(str(mask_path)),
                                                  api_name="/inpaint")[0]  # loads the model; not timed
        if (problem := check_result(warm, photo, keep)) is not None:
            failures.append(f"warm-up: {problem}")
        print(f"{args.clients} clients x {args.requests} requests to {url}inpaint ...", flush=True)
        started = time.perf_counter()
        deadline = time.monotonic() + args.time_limit
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            futures = [pool.submit(client_session, url, index, args.requests, photo_path, mask_path, photo, keep,
                                   args.request_timeout, deadline) for index in range(args.clients)]
            for future in as_completed(futures):
                for seconds, error in future.result():
                    latencies.append(seconds)
                    if error:
                        failures.append(error)
        wall = time.perf_counter() - started
    finally:
        peak = memory.peak_bytes()
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()

    total = args.clients * args.requests
    print(f"\nmodel: {args.model}; requests: {total}; failures: {len(failures)}; wall time: {wall:.1f} s "
          f"({total / wall:.2f} requests/s)")
    if latencies:
        print(f"latency p50: {np.percentile(latencies, 50):.2f} s, p95: {np.percentile(latencies, 95):.2f} s, "
              f"max: {max(latencies):.2f} s")
    print(f"server peak RSS: {peak / 2**20:.0f} MiB")
    for failure in failures:
        print(f"FAILED {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
