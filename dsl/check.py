"""`emr-redact check FILE...`: compile each ruleset and print its errors."""
from __future__ import annotations

import sys
from typing import TextIO

from dsl.compiler import compile_file
from dsl.errors import PolicyError


def run_check(paths: list[str], out: TextIO) -> int:
    """Compile every file; print `ok` lines and rendered errors; 0 if all compile, else 2."""
    failed = 0
    for path in paths:
        try:
            policy = compile_file(path)
        except PolicyError as e:
            failed += 1
            print(str(e), file=out)
        except OSError as e:
            failed += 1
            print(f"{path}: cannot read the file ({e.strerror or e})", file=out)
        except UnicodeDecodeError:
            failed += 1
            print(f"{path}: not UTF-8 text; save the ruleset as UTF-8", file=out)
        else:
            n_rules = len(policy.rules) + sum(len(d.rules) for d in policy.documents)
            print(f"{path}: ok ({n_rules} rules, {len(policy.documents)} document types, "
                  f"sha256 {policy.digest[:12]})", file=out)
    return 2 if failed or not paths else 0


def main(argv: list[str] | None = None) -> int:
    """Entry point for `python -m dsl.check FILE...`."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m dsl.check FILE...", file=sys.stderr)
        return 2
    return run_check(args, sys.stdout)


if __name__ == "__main__":
    raise SystemExit(main())
