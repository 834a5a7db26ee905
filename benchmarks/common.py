"""What the benchmark's steps share: paths, the environment of the app's processes, and running a
process while measuring its wall-clock time and peak memory."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Where the generated files, databases, logs and results go by default (never the repository).
WORK_DIR = Path(tempfile.gettempdir()) / "ewo-bench"
PYTHON = sys.executable
FLASK = (PYTHON, "-m", "flask", "--app", "wsgi")
#: Settings the benchmark sets itself; inherited values are dropped so a developer's shell cannot skew a run.
OWN_SETTINGS = ("EWO_DATABASE_URL", "EWO_TODAY", "EWO_DEBUG", "EWO_TESTING", "EWO_SECRET_KEY")


def benchmark_today(real_today: date | None = None) -> date:
    """The benchmark authority's "today": the end of the last complete academic year, after its summer term.

    Then the year to date is a full academic year, the same year ``marks.csv`` holds.
    """
    real_today = real_today or date.today()
    year = real_today.year if real_today >= date(real_today.year, 8, 1) else real_today.year - 1
    return date(year, 7, 31)


def app_env(database_url: str, today: date, **extra: str) -> dict[str, str]:
    """The environment of a ``flask`` command or server working on the benchmark database."""
    env = {key: value for key, value in os.environ.items() if key not in OWN_SETTINGS}
    env.update(
        {
            "EWO_DATABASE_URL": database_url,
            "EWO_TODAY": today.isoformat(),
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra)
    return env


def secret_key() -> str:
    return secrets.token_hex(32)


@dataclass(frozen=True)
class Measured:
    """A finished process: how long it took, its peak resident memory, and how it ended."""

    command: str
    seconds: float
    #: User plus system CPU time: less affected than wall time by other work on a shared machine.
    cpu_seconds: float
    peak_mb: float
    #: The machine's 1-minute load average when the process started.
    load: float
    returncode: int
    stdout: Path
    stderr: Path

    def as_dict(self) -> dict:
        return {
            "seconds": round(self.seconds, 3),
            "cpu_seconds": round(self.cpu_seconds, 3),
            "peak_mb": round(self.peak_mb, 1),
            "load": round(self.load, 2),
        }

    def tail(self, lines: int = 20) -> str:
        text = self.stderr.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(text)


def run_measured(
    args: Sequence[str], env: Mapping[str, str], log_dir: Path, name: str, *, check: bool = True
) -> Measured:
    """Run a process to the end; measure its wall time, and its own peak RSS from ``wait4`` (not its parent's)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    stdout, stderr = log_dir / f"{name}.out", log_dir / f"{name}.err"
    load = os.getloadavg()[0]
    with stdout.open("wb") as out, stderr.open("wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(list(args), cwd=ROOT, env=dict(env), stdout=out, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    measured = Measured(" ".join(args), seconds, cpu, usage.ru_maxrss / 1024, load, process.returncode, stdout, stderr)
    if check and measured.returncode != 0:
        raise RuntimeError(f"{name} failed ({measured.returncode}): {' '.join(args)}\n{measured.tail()}")
    return measured


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
