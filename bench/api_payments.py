"""Post payments to the API at a steady rate over loopback and print throughput and latency.

Run by hand (not part of `make test`):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mora_bench .venv/bin/python bench/api_payments.py \
        --rate 50 --seconds 20 --workers 4

It migrates the database given by DATABASE_URL (default: a throw-away SQLite file), creates
--accounts accounts with overdue invoices and an API client, starts gunicorn on 127.0.0.1 with
--workers processes, and sends payments open-loop: one request is started every 1/rate
seconds whatever the previous ones are doing (so a slow server shows up as latency, not as a
lower offered rate). Each payment has its own receipt and Idempotency-Key and goes to a random
account, so several requests hit the same account at once, as at the end of the month.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_database(accounts: int) -> str:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from mora.customers.models import Account
    from mora.integrations.services import api_client_create
    from tests.factories import make_account, make_invoice

    call_command("migrate", verbosity=0)
    existing = Account.objects.filter(number__startswith="BENCH").count()
    today = timezone.localdate()
    for index in range(existing, accounts):
        account = make_account(number=f"BENCH{index:06d}")
        for months in (1, 2, 3):
            make_invoice(account=account, due_date=today - timedelta(days=30 * months), amount="120.00")
    name = f"bench-{int(time.time())}"
    _, token = api_client_create(actor=None, name=name, scopes=["payments:write"])
    return token


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=30, help="peticiones por segundo ofrecidas")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2, help="procesos de gunicorn")
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--port", type=int, default=8099)
    args = parser.parse_args()

    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ.setdefault("MORA_TASK_MODE", "sync")
    token = setup_database(args.accounts)
    env = {**os.environ, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "ERROR"}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "-w", str(args.workers), "--threads", "4",
         "-b", f"127.0.0.1:{args.port}", "--log-level", "error"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{args.port}/api/v1/payments"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{args.port}/api/v1/openapi.json", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        lock = threading.Lock()
        rng = random.Random(7)

        def send(index: int):
            body = {
                "receipt_number": f"B{int(time.time())}-{index}",
                "source": "BENCH",
                "account": f"BENCH{rng.randrange(args.accounts):06d}",
                "amount": "5.00",
                "paid_at": time.strftime("%Y-%m-%dT%H:%M:%S-04:00", time.gmtime(time.time() - 4 * 3600 - 60)),
                "channel": "BANCO",
            }
            request = urllib.request.Request(
                url,
                data=json.dumps(body).encode(),
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": body["receipt_number"],
                         "Content-Type": "application/json"},
                method="POST",
            )  # fmt: skip
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status = response.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                status = 0
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

        # Warm-up (not measured): every gunicorn thread opens its database connection and loads
        # the code paths once; the first requests otherwise dominate p99.
        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(send, range(-64, 0)))
        latencies.clear()
        statuses.clear()
        total = int(args.rate * args.seconds)
        interval = 1 / args.rate
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=256) as pool:
            for index in range(total):
                target = began + index * interval
                delay = target - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(send, index)
        duration = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(10)

    ok = statuses.get(201, 0)
    print(f"Base de datos: {os.environ['DATABASE_URL'].split('@')[-1]}   gunicorn: {args.workers} procesos x 4 hilos")
    print(f"Ofrecido: {args.rate:.0f} pagos/s durante {args.seconds:.0f} s ({total} pagos)")
    print(f"Completados: {ok} creados (201) en {duration:.1f} s -> {ok / duration:.1f} pagos/s")
    print(f"Estados: {dict(sorted(statuses.items()))}")
    print(
        f"Latencia ms: p50 {percentile(latencies, 0.50):.1f}   p95 {percentile(latencies, 0.95):.1f}   "
        f"p99 {percentile(latencies, 0.99):.1f}   máx {max(latencies):.1f}   media {statistics.mean(latencies):.1f}"
    )


if __name__ == "__main__":
    main()
