"""The web portal: `create_app` builds the Flask application."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then EMR_* environment variables, then `test_config`."""
    # Imported here so that `import portal.models` (workers, CLI) does not load the web stack.
    from portal import config, dbcli, errors, i18n, security
    from portal.admin.views import bp as admin_bp
    from portal.audit.cli import audit_cli
    from portal.audit.views import bp as audit_bp
    from portal.auth import cli as auth_cli
    from portal.auth import session as auth_session
    from portal.auth.views import bp as auth_bp
    from portal.extensions import babel, csrf, db, login_manager
    from portal.home.views import bp as home_bp
    from portal.menu import for_user

    instance = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("EMR_INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance and str(Path(instance).resolve()))
    app.config.from_mapping(config.DEFAULTS)
    app.config.from_prefixed_env("EMR")
    if test_config:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    config.finish(app.config, Path(app.instance_path), app.debug)
    Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)

    i18n.prepare(app)
    i18n.register_cli(app)
    db.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    auth_session.install(app)
    security.install(app)
    errors.install(app)

    for bp in (home_bp, auth_bp, admin_bp, audit_bp):
        app.register_blueprint(bp)
    from portal import usage  # non-PHI usage statistics: blueprints, hooks, `flask usage`
    usage.init_app(app)
    from portal.downloads import cli as downloads_cli
    from portal.downloads.views import bp as downloads_bp
    from portal.preview.views import bp as preview_bp
    from portal.review.views import bp as review_bp
    for bp in (preview_bp, review_bp, downloads_bp):
        app.register_blueprint(bp)
    downloads_cli.register(app)  # `flask exports purge`
    from portal import jobs  # export jobs: settings, `flask worker`, `flask jobs`
    from portal.exports.views import bp as exports_bp
    jobs.init_app(app)
    app.register_blueprint(exports_bp)
    from portal import rulesets  # policy editing pages, `flask rulesets seed`
    rulesets.init_app(app)
    from portal import archive  # archive search, visit pages, thumbnails
    archive.init_app(app)
    for cmd in (auth_cli.create_admin, auth_cli.create_user_cmd, auth_cli.seed_demo_users,
                audit_cli, dbcli.db_cli):
        app.cli.add_command(cmd)

    @app.context_processor
    def _layout() -> dict[str, Any]:
        from flask_login import current_user

        from portal.admin.forms import ROLE_LABELS

        return {
            "menu_items": for_user(current_user),
            "current_locale": i18n.select_locale(),
            "role_labels": ROLE_LABELS,
        }

    return app
