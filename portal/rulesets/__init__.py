"""Policy editing: versions and drafts in `versions`, the shipped ruleset in `seed`, pages in
`views`, the try-on-a-document run in `trial`, `flask rulesets seed` in `cli`."""
from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    """The rulesets pages and the `flask rulesets` commands."""
    from portal.rulesets.cli import rulesets_cli
    from portal.rulesets.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(rulesets_cli)
