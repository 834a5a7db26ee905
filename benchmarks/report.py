"""The machine a run was made on, and a run's results as Markdown."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path


def machine() -> dict:
    """CPUs, CPU model, memory, and the versions the figures depend on."""
    cpuinfo = _lines("/proc/cpuinfo")
    meminfo = _lines("/proc/meminfo")
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "unknown")
    memory = next((int(line.split()[1]) for line in meminfo if line.startswith("MemTotal")), 0)
    return {
        "cpus": len(os.sched_getaffinity(0)),
        "cpu_model": cpu,
        "memory_gb": round(memory / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in ("flask", "sqlalchemy", "numpy", "psycopg", "gunicorn")},
    }


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _verdict(passed: bool | None) -> str:
    return "" if passed is None else ("pass" if passed else "**MISS**")


def markdown(results: dict) -> str:
    """The results as Markdown: the commands, then every page."""
    setup, machine, files = results["setup"], results["machine"], results["files"]
    out = [
        f"### {setup['database_version']}, {setup['pupils']:,} pupils, {setup['schools']} schools — {results['date']}",
        "",
        f"`{setup['command']}`",
        "",
        f"{files['rows']['marks.csv']:,} rows in `marks.csv` ({files['bytes']['marks.csv'] / 1e6:,.0f} MB), "
        f"{results['seed']['cases']:,} cases; today {setup['today']}. Machine: {machine['cpus']} CPUs "
        f"({machine['cpu_model']}), {machine['memory_gb']} GB; Python {machine['python']}.",
        "",
        "| Step | Wall time | CPU time | Peak memory | Load at start | Target | Result |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for step in results["commands"].values():
        out.append(
            f"| {step['label']} | {step['seconds']:.2f} s | {step['cpu_seconds']:.2f} s | {step['peak_mb']:.0f} MB "
            f"| {step['load']:.1f} | {step.get('target', '')} | {_verdict(step.get('passed'))} |"
        )
    load = results["pages"]["load_average"]
    out += [
        "",
        f"Pages over HTTP (gunicorn, 2 sync workers), one request at a time: {setup['warmup']} to warm up, then "
        f"{setup['requests']} measured (fewer, at least 50, for a page slower than {setup['page_seconds']:.0f} s "
        f"in all); a page of several URLs (pupils, cases) asks for a different one each time. Target: p95 ≤ "
        f"{setup['page_p95_target_ms']} ms. Server CPU is the gunicorn workers' CPU time per request. "
        f"Load average (1, 5, 15 min) before: {load['before']}; after: {load['after']}.",
        "",
        "| Account | Page | Issue | Requests | p50 ms | p95 ms | max ms | Server CPU ms | KB | Result |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for page in results["pages"]["pages"]:
        if "skipped" in page:
            out.append(f"| {page['role']} | {page['name']} | {page['issue']} | | | | | | | {page['skipped']} |")
            continue
        statuses = "" if set(page["statuses"]) == {"200"} else f" (statuses {page['statuses']})"
        out.append(
            f"| {page['role']} | {page['name']} | {page['issue']} | {page['requests']} | {page['p50_ms']} "
            f"| {page['p95_ms']} | {page['max_ms']} | {page['server_cpu_ms']} | {page['kb']} "
            f"| {_verdict(page['passed'])}{statuses} |"
        )
    misses = results["misses"]
    out += ["", "Targets missed: " + ("; ".join(misses) if misses else "none") + ".", ""]
    return "\n".join(out)
