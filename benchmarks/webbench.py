"""The pages, measured over HTTP: the app served by gunicorn (2 sync workers, production settings) on
127.0.0.1, and one client making one request at a time, signed in as an officer and as a manager.

The client is plain ``http.client`` with the session cookie kept by hand, so the ``Secure`` flag the app
puts on its cookies does not stop them being sent back over plain http. Each timing is from sending the
request to having read the whole response.
"""

from __future__ import annotations

import http.client
import math
import os
import re
import socket
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.common import PYTHON, ROOT, log

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
#: A page slow enough to use up its time budget is still measured this many times.
MIN_REQUESTS = 50
CSRF = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """``gunicorn -w WORKERS wsgi:app`` on 127.0.0.1, stopped on exit."""

    def __init__(self, env: Mapping[str, str], log_dir: Path, workers: int = 2) -> None:
        self.port = free_port()
        self.log_path = log_dir / "gunicorn.log"
        log_dir.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "300",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=dict(env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_path.read_text(errors='replace')[-3000:]}")
            try:
                status, _headers, _body, _seconds = Client(self.port).get("/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not answer /healthz within 120 s")

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def worker_cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the gunicorn workers, from /proc."""
        total = 0.0
        for task in Path(f"/proc/{self.process.pid}/task").glob("*/children"):
            for pid in task.read_text().split():
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        return total

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


class Client:
    """One browser: a cookie jar and a request at a time (a new connection each: gunicorn's sync workers
    close the connection after every response)."""

    def __init__(self, port: int, cookies: Mapping[str, str] | None = None) -> None:
        self.port = port
        self.cookies: dict[str, str] = dict(cookies or {})

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> tuple[int, http.client.HTTPMessage, bytes, float]:
        all_headers = {"User-Agent": "ewo-benchmark/1", "Accept": "text/html", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            content = response.read()
            seconds = time.perf_counter() - started
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers, content, seconds

    def get(self, path: str) -> tuple[int, http.client.HTTPMessage, bytes, float]:
        return self.request("GET", path)

    def sign_in(self, email: str, password: str) -> None:
        status, _headers, page, _seconds = self.get("/sign-in")
        found = CSRF.search(page)
        if status != 200 or not found:
            raise RuntimeError(f"/sign-in answered {status} without a CSRF token")
        token = (found.group(1) or found.group(2)).decode()
        form = urlencode({"csrf_token": token, "email": email, "password": password}).encode()
        status, _headers, _page, _seconds = self.request(
            "POST", "/sign-in", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302:
            raise RuntimeError(f"signing in as {email} answered {status}, not a redirect")
        status, _headers, _page, _seconds = self.get("/")
        if status != 200:
            raise RuntimeError(f"the home page answered {status} after signing in as {email}")


@dataclass
class Page:
    """One page (or one kind of page, over several URLs, e.g. different pupils), measured for one account."""

    name: str
    role: str
    paths: Sequence[str]
    issue: str
    target_ms: float
    results: dict = field(default_factory=dict)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def measure(
    client: Client, page: Page, requests: int, warmup: int, cpu: Callable[[], float], budget_seconds: float
) -> dict:
    """Warm up, then ``requests`` sequential requests, cycling through the page's URLs; a slow page stops
    early once it has used ``budget_seconds`` and made at least ``MIN_REQUESTS``."""
    paths = list(page.paths)
    # Warm up on URLs the measurement does not start with, so a pupil's first view is what is measured.
    warm_paths = paths[-warmup:] if len(paths) > requests + warmup else paths
    statuses: dict[int, int] = {}
    for number in range(warmup):
        status, *_rest = client.get(warm_paths[number % len(warm_paths)])
        statuses[status] = statuses.get(status, 0) + 1
    if warmup and statuses.get(200, 0) == 0:
        return {"skipped": f"answered {sorted(statuses)} in warm-up", "path": paths[0]}
    timings, sizes, statuses = [], [], {}
    cpu_before = cpu()
    began = time.perf_counter()
    for number in range(requests):
        status, _headers, body, seconds = client.get(paths[number % len(paths)])
        statuses[status] = statuses.get(status, 0) + 1
        timings.append(seconds * 1000)
        sizes.append(len(body))
        if number + 1 >= MIN_REQUESTS and time.perf_counter() - began > budget_seconds:
            break
    elapsed = time.perf_counter() - began
    requests = len(timings)
    server_cpu = cpu() - cpu_before
    p95 = percentile(timings, 0.95)
    return {
        "path": paths[0],
        "urls": min(len(paths), requests),
        "requests": requests,
        "p50_ms": round(percentile(timings, 0.50), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(max(timings), 1),
        "mean_ms": round(statistics.fmean(timings), 1),
        "requests_per_second": round(requests / elapsed, 1),
        "server_cpu_ms": round(server_cpu * 1000 / requests, 1),
        "kb": round(statistics.fmean(sizes) / 1024, 1),
        "statuses": {str(status): count for status, count in sorted(statuses.items())},
        "target_ms": page.target_ms,
        "passed": p95 <= page.target_ms and set(statuses) == {200},
    }


def pages_for(plan: dict, target_ms: float) -> list[Page]:
    """The pages measured, for the officer (their patch of schools) and the manager (the whole authority).

    ``issue`` says which requirement a page is measured for: 4 (pupils, lists, a school's pupils), 7 (caseloads,
    approvals, drift, governors' reports), or "" for other pages measured alongside.
    """
    pages: list[Page] = []
    for role, account in plan["accounts"].items():
        largest_school = account["schools"][0]["id"]

        def add(name: str, paths: Sequence[str], issue: str = "", role: str = role) -> None:
            pages.append(Page(name, role, list(paths), issue, target_ms))

        add(
            "Home page (an officer's caseload)" if role == "officer" else "Home page",
            ["/"],
            "7" if role == "officer" else "",
        )
        add(
            "Pupil page (a different pupil each request)",
            [f"/pupils/{pupil}" for pupil in account["pupil_sample"]],
            "4",
        )
        add("A school's pupil list (the largest school)", [f"/pupils/?school={largest_school}"], "4")
        add("Identification lists (counts)", ["/lists/"], "4")
        for slug in plan["lists"]:
            add(f"List: {slug}", [f"/lists/{slug}"], "4")
        add("Cases", ["/cases/"])
        add("Case page (a different case each request)", [f"/cases/{case}" for case in account["case_sample"]])
        add("Approvals", ["/approvals/"], "7")
        if role == "manager":
            add("Caseloads", ["/oversight/caseloads"], "7")
            add("Drift", ["/oversight/drift"], "7")
            add("Outcomes", ["/oversight/outcomes"])
        add("Governors' report: the largest school", [f"/reports/schools/{largest_school}"], "7")
        if role == "manager":
            if plan["trust_ids"]:
                add("Governors' report: the largest trust", [f"/reports/trusts/{plan['trust_ids'][0]}"], "7")
            add("Governors' report: the authority", ["/reports/authority"], "7")
    return pages


def run_pages(
    env: Mapping[str, str],
    plan: dict,
    log_dir: Path,
    *,
    requests: int,
    warmup: int,
    target_ms: float,
    budget_seconds: float,
) -> dict:
    """Serve the app with gunicorn, sign in as each account, and measure every page in turn."""
    pages = pages_for(plan, target_ms)
    load_before = os.getloadavg()
    with Server(env, log_dir) as server:
        signed_in = {}
        for role, account in plan["accounts"].items():
            client = Client(server.port)
            client.sign_in(account["email"], account["password"])
            signed_in[role] = client
        for number, page in enumerate(pages, start=1):
            page.results = measure(
                signed_in[page.role], page, requests, warmup, server.worker_cpu_seconds, budget_seconds
            )
            shown = page.results.get("p95_ms", page.results.get("skipped"))
            log(f"  [{number}/{len(pages)}] {page.role}: {page.name}: p95 {shown} ms")
    return {
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]},
        "pages": [{"name": page.name, "role": page.role, "issue": page.issue, **page.results} for page in pages],
    }
