"""EWO Cases: attendance case management for local authorities and schools in England."""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from flask import Flask, redirect, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from ewo_cases import access, errors, security, templating
from ewo_cases.config import Config, finalise
from ewo_cases.extensions import csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the EWO Cases application."""
    app = Flask(__name__, instance_relative_config=True, static_folder=str(ROOT / "static"))
    app.config.from_object(Config)
    app.config.from_prefixed_env("EWO")
    if "EWO_SECRET_KEY" in os.environ:
        # from_prefixed_env parses values as JSON, which would turn a key of digits into a number.
        app.config["SECRET_KEY"] = os.environ["EWO_SECRET_KEY"]
    if test_config is not None:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    finalise(app.config, app.instance_path, serving=_serving())

    _trust_proxies(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_commands(app)
    access.make_static_view(app)
    _serve_favicon(app)
    undeclared = access.undeclared_endpoints(app)
    if undeclared:
        raise RuntimeError(f"endpoints without an access rule: {', '.join(undeclared)}")
    return app


def _serving() -> bool:
    """False when a ``flask`` command other than ``run`` is creating the app (a task, not a server)."""
    if os.environ.get("FLASK_RUN_FROM_CLI") != "true":
        return True
    command = click.get_current_context(silent=True)
    return command is None or command.command.name == "run"


def _trust_proxies(app: Flask) -> None:
    """Behind ``PROXY_FIX_HOPS`` proxies, take the client's address, scheme and host from their X-Forwarded-* headers.

    Without this the login throttle would count every user as the load balancer, and the logs would name it.
    """
    hops = int(app.config["PROXY_FIX_HOPS"])
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to use this page."
    login_manager.login_message_category = "information"
    login_manager.session_protection = "strong"
    from ewo_cases.services.users import load_session_user

    login_manager.user_loader(load_session_user)
    # Access is checked before CSRF, so a forbidden POST is refused as forbidden, not as a bad form.
    app.before_request(access.enforce_access)
    csrf.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)


def _register_blueprints(app: Flask) -> None:
    """Register the ``bp`` of every module in ``ewo_cases.views`` (one blueprint per domain)."""
    from ewo_cases import views

    for module_info in sorted(pkgutil.iter_modules(views.__path__), key=lambda info: info.name):
        module = importlib.import_module(f"{views.__name__}.{module_info.name}")
        if hasattr(module, "bp"):
            app.register_blueprint(module.bp)


def _serve_favicon(app: Flask) -> None:
    """Answer browsers and tools that ask for /favicon.ico without reading the page's icon link."""
    app.add_url_rule(
        "/favicon.ico",
        "favicon",
        access.public(lambda: redirect(url_for("static", filename="favicon.svg"), code=301)),
    )


def _register_commands(app: Flask) -> None:
    from ewo_cases.cli import register_commands

    register_commands(app)
