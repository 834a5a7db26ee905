"""Command-line interface: ``flask --app wsgi <command>``. Commands call the same services as the web
pages and commit once at the end."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    """Add every command group to ``app.cli``."""
    from ewo_cases.cli import attendance, demo, imports, users, workflows

    for command in (
        users.users_group,
        imports.import_command,
        demo.demo_data,
        attendance.attendance_group,
        workflows.workflows_group,
        workflows.audit_group,
    ):
        app.cli.add_command(command)
