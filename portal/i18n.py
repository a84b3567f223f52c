"""Language choice and translation catalogs (compiled into the instance folder when stale)."""
from __future__ import annotations

from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, request
from flask_login import current_user

SOURCE_DIR = Path(__file__).parent / "translations"
LANG_COOKIE = "emr_lang"


def compile_catalogs(source: Path, target: Path, force: bool = False) -> list[Path]:
    """Compile each `<locale>/LC_MESSAGES/*.po` under `source` to a .mo under `target`.

    Only stale or missing .mo files are written; returns the ones written.
    """
    written = []
    for po in sorted(source.glob("*/LC_MESSAGES/*.po")):
        # Flask-Babel looks catalogs up by Babel's full locale name ("zh_CN" is "zh_Hans_CN").
        locale_dir = str(Locale.parse(po.parts[-3]))
        mo = target / locale_dir / "LC_MESSAGES" / po.with_suffix(".mo").name
        if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as f:
            catalog = read_po(f)
        # Write then rename, so a second process starting at the same time never reads half.
        tmp = mo.with_suffix(".mo.tmp")
        with tmp.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
        tmp.replace(mo)
        written.append(mo)
    return written


def prepare(app: Flask) -> None:
    """Compile catalogs into <instance>/translations and point Flask-Babel there."""
    target = Path(app.instance_path) / "translations"
    compile_catalogs(SOURCE_DIR, target)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(target)


def select_locale() -> str:
    """The signed-in user's choice, else the language cookie, else Chinese."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in languages:
        return cookie
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def register_cli(app: Flask) -> None:
    """`flask translations compile`: rebuild the .mo files now (they also rebuild at start)."""
    import click

    @app.cli.group("translations", help="Interface translations.")
    def translations() -> None:
        pass

    @translations.command("compile")
    def compile_cmd() -> None:
        """Compile every catalog into the instance folder, even if up to date."""
        target = Path(app.instance_path) / "translations"
        for mo in compile_catalogs(SOURCE_DIR, target, force=True):
            click.echo(f"compiled {mo}")
