"""Where a page's time goes, for a database the benchmark kept (``--keep-database``): requests made
in-process through Flask's test client, the number of SQL statements each makes and the time spent in
them, and with ``--profile`` the functions taking the most time (``cProfile``, cumulative).

    EWO_DATABASE_URL=sqlite:////tmp/ewo-bench/sqlite-20000p-37s.sqlite EWO_TODAY=2026-07-31 \\
        .venv/bin/python -m benchmarks.profile_pages /approvals/ /oversight/drift --profile
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time

from sqlalchemy import event

from benchmarks.common import secret_key
from benchmarks.webbench import CSRF
from ewo_cases import create_app
from ewo_cases.extensions import db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", help="pages to request, e.g. /oversight/drift")
    parser.add_argument("--email", default="manager@demo.example")
    parser.add_argument("--password", default="granite-pelican-voyage")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="print the functions taking the most time")
    parser.add_argument("--top", type=int, default=40, help="functions the profile lists")
    arguments = parser.parse_args()

    app = create_app({"SECRET_KEY": secret_key(), "SESSION_COOKIE_SECURE": False})
    statements: list[float] = []
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _before(_conn, _cursor, _statement, _parameters, context, _many) -> None:
        context.bench_started = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(_conn, _cursor, _statement, _parameters, context, _many) -> None:
        statements.append(time.perf_counter() - context.bench_started)

    client = app.test_client()
    found = CSRF.search(client.get("/sign-in").get_data())
    token = (found.group(1) or found.group(2)).decode()
    response = client.post(
        "/sign-in", data={"csrf_token": token, "email": arguments.email, "password": arguments.password}
    )
    if response.status_code != 302:
        raise SystemExit(f"could not sign in as {arguments.email}: {response.status_code}")

    for path in arguments.paths:
        client.get(path)  # warm-up
        timings, counts, sql = [], [], []
        for _ in range(arguments.repeat):
            statements.clear()
            began = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - began) * 1000)
            counts.append(len(statements))
            sql.append(sum(statements) * 1000)
        print(
            f"{path}: status {response.status_code}, median {statistics.median(timings):.1f} ms, "
            f"{statistics.median(counts):.0f} SQL statements taking {statistics.median(sql):.1f} ms"
        )
        if arguments.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(arguments.repeat):
                client.get(path)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(arguments.top)


if __name__ == "__main__":
    main()
