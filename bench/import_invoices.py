"""Benchmark of the invoice import (run by hand, not by pytest).

    .venv/bin/python bench/import_invoices.py --rows 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mora_bench .venv/bin/python bench/import_invoices.py

Without DATABASE_URL it uses a throw-away SQLite file in /tmp (never the project's db.sqlite3).
It creates --accounts accounts, writes a CSV of --rows invoices for them, imports it twice (the
second run must find every row unchanged) and prints rows/s and the peak RSS of the process.
"""

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=50_000)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="mora-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    import django

    django.setup()
    from django.core.management import call_command

    from mora.billing.models import ImportMode, Invoice
    from mora.billing.services import import_job_create, import_job_run
    from mora.customers.models import Account, Customer, Route, System, Zone

    print(f"Base de datos: {os.environ['DATABASE_URL']}")
    call_command("migrate", verbosity=0)
    system = System.objects.get_or_create(code="CT", defaults={"name": "Central Tarija"})[0]
    zone = Zone.objects.get_or_create(code="BENCH-Z", defaults={"system": system, "name": "Bench"})[0]
    route = Route.objects.get_or_create(code="BENCH-R", defaults={"zone": zone})[0]
    if not Account.objects.filter(number__startswith="B").exists():
        customers = Customer.objects.bulk_create(
            [Customer(name=f"Cliente {i}", id_number=f"B{i}", id_department="TJ") for i in range(args.accounts)],
            batch_size=2000,
        )
        Account.objects.bulk_create(
            [
                Account(number=f"B{i:07d}", customer=c, zone=zone, route=route, address="Calle 1")
                for i, c in enumerate(customers)
            ],
            batch_size=2000,
        )

    path = workdir / "facturas.csv"
    rng = random.Random(7)
    started = time.perf_counter()
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("numero_factura;numero_cuenta;periodo;fecha_emision;fecha_vencimiento;kwh;importe\r\n")
        for i in range(args.rows):
            month = date(2020 + (i // args.accounts) // 12 % 6, (i // args.accounts) % 12 + 1, 5)
            due = month + timedelta(days=20)
            amount = f"{rng.randint(20, 3000)},{rng.randint(0, 99):02d}"
            out.write(
                f"BF{i:09d};B{i % args.accounts:07d};{month:%m/%Y};{month:%d/%m/%Y};{due:%d/%m/%Y};"
                f"{rng.randint(0, 900)};{amount}\r\n"
            )
    size_mb = path.stat().st_size / 1e6
    print(f"CSV de {args.rows:,} filas ({size_mb:.1f} MB) generado en {time.perf_counter() - started:.1f} s")

    for attempt in ("primera", "segunda (todo sin cambios)"):
        job = import_job_create(path=path, mode=ImportMode.ALL_OR_NOTHING)
        started = time.perf_counter()
        job = import_job_run(job_id=job.pk)
        elapsed = time.perf_counter() - started
        print(
            f"Importación {attempt}: {job.get_status_display()} · {job.total_rows:,} filas · "
            f"importadas {job.imported_rows:,} · sin cambios {job.unchanged_rows:,} · {elapsed:.1f} s · "
            f"{job.total_rows / elapsed:,.0f} filas/s · RSS máximo {peak_rss_mb():.0f} MB"
        )
    print(f"Facturas en la base: {Invoice.objects.count():,}")
    print(f"Archivos en {workdir} (bórrelos a mano).")


if __name__ == "__main__":
    main()
