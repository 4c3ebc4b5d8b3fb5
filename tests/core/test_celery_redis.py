"""Background work for real: a Celery worker consuming from the machine's Redis runs an import
queued by the page's code path (mora.core.tasks.enqueue in "celery" mode)."""

import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from mora.billing.models import ImportJob, ImportStatus, Invoice
from mora.billing.services import import_job_create
from mora.billing.tasks import run_import
from mora.core.tasks import enqueue
from tests.factories import make_account

REDIS_URL = os.environ.get("REDIS_URL", "")
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not REDIS_URL, reason="Needs REDIS_URL (CI runs with the machine's Redis)."),
]


@pytest.fixture
def worker(settings):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    settings.MORA_TASK_MODE = "celery"
    app.conf.update(broker_url=REDIS_URL, result_backend=None, task_always_eager=False)
    # A queue of our own, so that no other worker on this Redis takes the task.
    queue = f"mora-test-{os.getpid()}"
    app.conf.task_default_queue = queue
    with start_worker(app, queues=[queue], perform_ping_check=False, pool="solo", shutdown_timeout=10):
        yield app


def test_import_runs_in_a_real_worker_through_redis(worker):
    make_account(number="90000001")
    content = (
        b"numero_factura;numero_cuenta;periodo;fecha_emision;fecha_vencimiento;kwh;importe\n"
        b"F-R-1;90000001;10/2026;01/10/2026;20/10/2026;120;150,00\n"
    )
    with transaction.atomic():
        job = import_job_create(uploaded_file=SimpleUploadedFile("facturas.csv", content), actor=None)
        enqueue(run_import, job.pk)  # sent to Redis only after this commit
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status not in (ImportStatus.PENDING, ImportStatus.RUNNING):
            break
        time.sleep(0.2)
    assert job.status == ImportStatus.DONE, job.message
    assert Invoice.objects.filter(number="F-R-1").exists()
    assert ImportJob.objects.count() == 1
