"""Non-PHI usage statistics: counting on this site, monthly reports, and the collector.

Config (EMR_ prefix in the environment):
  USAGE_COLLECTOR_URL        where reports go (https only); none: nothing is sent
  USAGE_ALLOW_HTTP_LOOPBACK  tests only: allow http://127.0.0.1 as collector
  USAGE_REPORT_DAYS          days between reports (33)
  USAGE_REGION               optional coarse region the site declares (ISO code, "CN-GD")
  USAGE_RETRY_BASE_SECONDS / USAGE_RETRY_MAX_SECONDS   back-off after a failed send
  COLLECTOR                  1: this server receives reports at /api/usage and shows the dashboard
  USAGE_MAX_BODY_BYTES, USAGE_RATE_BURST, USAGE_RATE_PER_HOUR   collector limits
DO_NOT_TRACK=1 in the environment turns counting and reporting off whatever the settings.
The report's fields are defined once, in `portal.usage.schema`.
"""
from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    "USAGE_COLLECTOR_URL": None,
    "USAGE_ALLOW_HTTP_LOOPBACK": False,
    "USAGE_DO_NOT_TRACK": False,
    "USAGE_REPORT_DAYS": 33,
    "USAGE_REGION": None,
    "USAGE_RETRY_BASE_SECONDS": 300,
    "USAGE_RETRY_MAX_SECONDS": 86400,
    "USAGE_TIMEOUT_SECONDS": 20,
    "USAGE_STATE_CACHE_SECONDS": 5,
    "COLLECTOR": False,
    "USAGE_MAX_BODY_BYTES": 64 * 1024,
    "USAGE_RATE_BURST": 5,
    "USAGE_RATE_PER_HOUR": 6,
}


def init_app(app: Any) -> None:
    """Settings defaults, both blueprints, the counting hooks, the templates' flag, the CLI."""
    from flask_login import current_user

    from portal.usage import hooks
    from portal.usage.cli import usage_cli
    from portal.usage.collector_views import bp as collector_bp
    from portal.usage.views import bp as usage_bp

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.register_blueprint(usage_bp)
    app.register_blueprint(collector_bp)
    hooks.install(app)
    app.cli.add_command(usage_cli)

    @app.context_processor
    def _usage_flags() -> dict[str, Any]:
        # The click script is only sent to people who are counted.
        def counted() -> bool:
            try:
                return current_user.is_authenticated and hooks.counting_allowed()
            except Exception:  # noqa: BLE001  (a page must render even if this check fails)
                return False

        return {"usage_counted": counted}
