"""Collector mode (EMR_COLLECTOR=1): receive sites' reports, and the product team's dashboard."""
from __future__ import annotations

import hashlib
import json
import secrets

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.auth.decorators import roles_accepted
from portal.extensions import csrf, db
from portal.menu import MENU
from portal.models import Role
from portal.usage import charts, collector
from portal.usage.counting import subnet_hash
from portal.usage.dashboard import overview

bp = Blueprint("collector", __name__)
# Rate-limit keys hash the sender's subnet with a key that lives only in this process.
_NET_KEY = secrets.token_hex(16)

REGION_NAMES = {
    "CN-BJ": "北京", "CN-TJ": "天津", "CN-HE": "河北", "CN-SX": "山西", "CN-NM": "内蒙古",
    "CN-LN": "辽宁", "CN-JL": "吉林", "CN-HL": "黑龙江", "CN-SH": "上海", "CN-JS": "江苏",
    "CN-ZJ": "浙江", "CN-AH": "安徽", "CN-FJ": "福建", "CN-JX": "江西", "CN-SD": "山东",
    "CN-HA": "河南", "CN-HB": "湖北", "CN-HN": "湖南", "CN-GD": "广东", "CN-GX": "广西",
    "CN-HI": "海南", "CN-CQ": "重庆", "CN-SC": "四川", "CN-GZ": "贵州", "CN-YN": "云南",
    "CN-XZ": "西藏", "CN-SN": "陕西", "CN-GS": "甘肃", "CN-QH": "青海", "CN-NX": "宁夏",
    "CN-XJ": "新疆", "CN-HK": "香港", "CN-MO": "澳门", "CN-TW": "台湾",
}
BROWSER_NAMES = {"chrome": "Chrome", "edge": "Edge", "firefox": "Firefox", "safari": "Safari",
                 "ie": "Internet Explorer", "qq": "QQ", "360": "360", "other": "—"}
OS_NAMES = {"windows": "Windows", "macos": "macOS", "linux": "Linux", "android": "Android",
            "ios": "iOS", "chromeos": "ChromeOS", "other": "—"}


def _limiter(kind: str) -> collector.TokenBucket:
    state = current_app.extensions.setdefault("emr_usage", {})
    key = f"bucket_{kind}"
    if key not in state:
        cfg = current_app.config
        burst = float(cfg["USAGE_RATE_BURST"]) * (5 if kind == "net" else 1)
        state[key] = collector.TokenBucket(burst, float(cfg["USAGE_RATE_PER_HOUR"]) *
                                           (5 if kind == "net" else 1))
    return state[key]


def _refuse(status: int, error: str, problems: list[str] | None = None) -> tuple[Response, int]:
    body = {"accepted": False, "error": error}
    if problems:
        body["problems"] = problems
    return jsonify(body), status


@bp.route("/api/usage", methods=["POST"])
@csrf.exempt
def receive() -> tuple[Response, int]:
    """Accept one site's report for one period (a repeat replaces it); JSON reasons if not."""
    cfg = current_app.config
    if not cfg.get("COLLECTOR"):
        return _refuse(404, "this server is not a usage collector")
    limit = int(cfg["USAGE_MAX_BODY_BYTES"])
    if (request.content_length or 0) > limit:
        return _refuse(413, f"report larger than {limit} bytes")
    site_id = request.args.get("SiteID", "")
    net = subnet_hash(request.remote_addr, _NET_KEY) or "unknown"
    site_key = hashlib.sha256(site_id.encode()).hexdigest()[:16]
    if not _limiter("net").allow(net) or not _limiter("site").allow(site_key):
        response, status = _refuse(429, "too many reports; try again later")
        response.headers["Retry-After"] = "3600"
        return response, status
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        return _refuse(413, f"report larger than {limit} bytes")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _refuse(400, "the body is not JSON (UTF-8)")
    problems = collector.check(site_id, body)
    if problems:
        return _refuse(422, "report refused", [str(p) for p in problems])
    session = db.session()
    existed = collector.existing(session, site_id, body["report_period"])
    report = collector.store(session, site_id, body)
    return jsonify(accepted=True, report_period=report.report_period, replaced=existed,
                   expires_at=report.expires_at.date().isoformat()), (200 if existed else 201)


def _feature_label(key: str) -> str:
    labels = {item.usage: str(item.label) for item in MENU}
    return labels.get(key, key)


@bp.route("/usage/dashboard")
@roles_accepted(Role.ADMIN)
def dashboard() -> str:
    """Installations, feature ranking and trends, locales and regions, speed and errors."""
    if not current_app.config.get("COLLECTOR"):
        abort(404)
    session = db.session()
    collector.process_pending(session)
    o = overview(session)
    periods = [f"{p[:4]}-{p[4:]}" for p in o.periods]
    none = _("No reports received yet.")
    c = {}
    if not o.periods:
        for name in ("sites", "features", "trends", "speed", "errors", "locales", "regions",
                     "browsers", "systems"):
            c[name] = charts.empty("", none)
    else:
        c["sites"] = charts.columns(_("Active installations per month"),
                                    list(zip(periods, o.sites, strict=True)))
        c["features"] = charts.hbars(_("Feature ranking (menu clicks)"),
                                     [(_feature_label(k), v) for k, v in o.features])
        c["trends"] = charts.lines(_("Top features per month"), periods,
                                   [(_feature_label(k), vs) for k, vs in o.feature_trends])
        c["speed"] = charts.lines(_("Average response time"), periods,
                                  [(_("Response time (ms)"), o.response_ms)], " ms")
        c["errors"] = charts.lines(_("Error rate"), periods,
                                   [(_("Server errors (%)"), o.error_pct)], "%")
        c["locales"] = charts.hbars(_("Languages"), o.locales)
        undeclared = _("not declared")
        c["regions"] = charts.hbars(_("Regions"), [
            (REGION_NAMES.get(k, undeclared), v) for k, v in o.regions])
        c["browsers"] = charts.hbars(_("Browsers"),
                                     [(BROWSER_NAMES.get(k, k), v) for k, v in o.browsers])
        c["systems"] = charts.hbars(_("Operating systems"),
                                    [(OS_NAMES.get(k, k), v) for k, v in o.systems])
    return render_template("usage/dashboard.html", o=o, charts=c, periods=periods)
