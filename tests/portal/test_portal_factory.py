"""The app factory: defaults, EMR_* environment, test config, secrets, languages."""
from __future__ import annotations

import stat
from pathlib import Path

import pytest

from portal import create_app
from portal.config import ConfigError


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("EMR_DATABASE_URL", "EMR_SECRET_KEY", "EMR_DEV", "EMR_INSTANCE_PATH",
                "EMR_REDIS_URL", "EMR_SESSION_IDLE_MINUTES"):
        monkeypatch.delenv(var, raising=False)


def test_defaults_live_in_the_instance_folder(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path)})
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'emr.db'}"
    assert app.config["DATA_DIR"] == str(tmp_path / "data")
    assert Path(app.config["DATA_DIR"]).is_dir()
    assert app.config["REDIS_URL"] is None
    assert app.config["SESSION_IDLE_MINUTES"] == 30
    assert app.config["LOGIN_MAX_FAILURES"] == 5
    assert app.config["BABEL_DEFAULT_LOCALE"] == "zh_CN"


def test_environment_overrides_defaults_and_test_config_overrides_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EMR_DATABASE_URL", "postgresql://emr@db.example/emr")
    monkeypatch.setenv("EMR_REDIS_URL", "redis://cache.example:6379/0")
    monkeypatch.setenv("EMR_SESSION_IDLE_MINUTES", "5")
    monkeypatch.setenv("EMR_SECRET_KEY", "from-env")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "EXPORT_DOWNLOAD_DAYS": 3})
    assert app.config["DATABASE_URL"] == "postgresql://emr@db.example/emr"
    assert app.config["REDIS_URL"] == "redis://cache.example:6379/0"
    assert app.config["SESSION_IDLE_MINUTES"] == 5  # parsed as a number, not "5"
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["EXPORT_DOWNLOAD_DAYS"] == 3
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "sqlite:///x.db"})
    assert app.config["DATABASE_URL"] == "sqlite:///x.db"


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="EMR_SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_dev_secret_is_generated_once_and_kept_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EMR_DEV", "1")
    first = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    second = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    assert first == second and len(first) >= 40  # sessions survive a restart
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_pages_are_chinese_by_default_and_english_on_request(app) -> None:
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    assert "登录" in page and "病历匿名导出" in page and 'lang="zh-CN"' in page
    client.post("/language", data={"lang": "en", "next": "/auth/login"})
    page = client.get("/auth/login").get_data(as_text=True)
    assert "Sign in" in page and "登录" not in page


def test_language_choice_is_remembered_on_the_account(app, make_user, login) -> None:
    make_user("wang", "clinician")
    client = app.test_client()
    login(client, "wang")
    client.post("/language", data={"lang": "en", "next": "/"})
    other = app.test_client()  # another browser, no cookie
    login(other, "wang")
    assert "Export requests" in other.get("/").get_data(as_text=True)


def test_translations_compile_into_the_instance_folder(app) -> None:
    mo_files = list((Path(app.instance_path) / "translations").rglob("messages.mo"))
    assert mo_files, "the Chinese catalog was not compiled at start"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["translations", "compile"])
    assert result.exit_code == 0 and "messages.mo" in result.output
