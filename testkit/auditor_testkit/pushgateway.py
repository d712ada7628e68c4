"""A real Prometheus Pushgateway (Debian `prometheus-pushgateway`) on 127.0.0.1, stopped by PID."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from auditor_testkit.local import HOST, free_port, stop_process, tail

__all__ = ["Pushgateway", "PushgatewayError", "run_pushgateway"]

BINARY = "prometheus-pushgateway"


class PushgatewayError(RuntimeError):
    pass


@dataclass(frozen=True)
class Pushgateway:
    url: str

    def metrics(self) -> str:
        with urllib.request.urlopen(self.url + "/metrics", timeout=10) as resp:
            return str(resp.read().decode("utf-8"))


@contextlib.contextmanager
def run_pushgateway() -> Iterator[Pushgateway]:
    binary = shutil.which(BINARY) or (f"/usr/bin/{BINARY}" if Path(f"/usr/bin/{BINARY}").exists() else None)
    if binary is None:
        raise PushgatewayError(f"{BINARY} not found (apt-get install {BINARY})")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="auditor-pgw-") as tmp:
        log_path = Path(tmp) / "pushgateway.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [binary, f"--web.listen-address={HOST}:{port}"],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            url = f"http://{HOST}:{port}"
            try:
                deadline = time.monotonic() + 20
                while True:
                    try:
                        with urllib.request.urlopen(url + "/-/ready", timeout=2) as resp:
                            if resp.status == 200:
                                break
                    except OSError:
                        pass
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise PushgatewayError(f"{BINARY} did not start: {tail(log_path)}")
                    time.sleep(0.1)
                yield Pushgateway(url)
            finally:
                stop_process(proc)
