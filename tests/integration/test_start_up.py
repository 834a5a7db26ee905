"""Every command starts the app, so the app starts without the heavy libraries only some pages and commands use."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import json, sys
from ewo_cases import create_app
import ewo_cases.models as models
app = create_app({"SECRET_KEY": "start-up-probe-" * 3, "DATABASE_URL": "sqlite://"})
print(json.dumps({
    "modules": sorted({name.split(".")[0] for name in sys.modules}),
    "mappers_configured": models.Case.__mapper__.configured,
}))
"""


@pytest.fixture(scope="module")
def started() -> dict:
    """A fresh interpreter that has only created the app."""
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120)
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize(
    "library",
    [
        pytest.param("weasyprint", id="weasyprint: only to print a letter"),
        pytest.param("alembic", id="alembic: only for flask db and migrations"),
        pytest.param("flask_migrate", id="flask_migrate: only for flask db and migrations"),
        pytest.param("zxcvbn", id="zxcvbn: only to check a new password"),
        pytest.param("email_validator", id="email_validator: only to check an email address"),
    ],
)
def test_the_app_starts_without_importing(started, library):
    assert library not in started["modules"]


def test_the_app_starts_without_configuring_the_orm(started):
    """Configuring every mapper is a fifth of a start-up; commands that need no ORM never pay it."""
    assert started["mappers_configured"] is False


def test_flask_db_still_offers_flask_migrates_commands(runner):
    result = runner.invoke(args=["db", "--help"])
    assert result.exit_code == 0, result.output
    assert "upgrade" in result.output and "downgrade" in result.output
