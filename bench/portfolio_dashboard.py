"""Response time of the portfolio pages on the database configured by DATABASE_URL (default:
the local db.sqlite3 that `make run` seeds with 20,000 accounts). Run by hand:

    .venv/bin/python bench/portfolio_dashboard.py [--repeat 10]

Prints, for each page, the median and worst time over the repetitions, measured through
Django's test client (full request: middleware, query, template), plus the selector alone."""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from mora.billing import selectors  # noqa: E402
from mora.core.demo_users import ensure_demo_users  # noqa: E402
from mora.customers.models import Account  # noqa: E402


def timed(function, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    setup_test_environment()
    ensure_demo_users()
    client = Client()
    client.force_login(get_user_model().objects.get(username="jefe"))
    today = timezone.localdate()
    print(f"Cuentas en la base: {Account.objects.count():,}".replace(",", "."))
    checks = {
        "selector portfolio_summary": lambda: selectors.portfolio_summary(today=today),
        "GET /cartera/ (tablero)": lambda: client.get("/cartera/"),
        "GET /cartera/cuentas-en-mora/": lambda: client.get("/cartera/cuentas-en-mora/"),
        "GET cuentas-en-mora filtrado (180+, TD)": lambda: client.get(
            "/cartera/cuentas-en-mora/?antiguedad=180%2B&beneficio=dignidad"
        ),
        "GET exportar (todas las cuentas en mora)": lambda: b"".join(
            client.get("/cartera/cuentas-en-mora/exportar/").streaming_content
        ),
    }
    for name, function in checks.items():
        function()  # warm caches
        median, worst = timed(function, args.repeat)
        print(f"{name:<45} mediana {median:8.1f} ms   peor {worst:8.1f} ms")


if __name__ == "__main__":
    main()
