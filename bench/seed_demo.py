"""Bench of `seed_demo`: seeds N accounts (default 20000) into a fresh temporary SQLite database
and prints the time and rows per second. Run by hand:

    .venv/bin/python bench/seed_demo.py [N] [--seed S]
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("accounts", nargs="?", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--today", type=date.fromisoformat, default=None)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="mora-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from mora.demo.generator import seed_demo

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    summary = seed_demo(
        accounts=args.accounts, seed=args.seed, today=args.today or timezone.localdate(), progress=print
    )
    elapsed = time.monotonic() - started
    rows = sum(summary.counts.values())
    size = Path(f"{workdir}/bench.sqlite3").stat().st_size / 1e6
    print(
        f"{args.accounts} cuentas, {rows:,} filas en {elapsed:.1f} s: {rows / elapsed:,.0f} filas/s; base {size:.0f} MB"
    )
    print(f"Base temporaria: {workdir}")


if __name__ == "__main__":
    main()
