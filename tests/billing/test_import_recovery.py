from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from mora.billing.models import ImportJob, ImportStatus, Invoice
from mora.billing.services import import_job_create, import_job_run
from tests.factories import make_account

pytestmark = pytest.mark.django_db
CSV = (
    b"numero_factura;numero_cuenta;periodo;fecha_emision;fecha_vencimiento;kwh;importe\n"
    b"F-S-1;91000001;10/2026;01/10/2026;20/10/2026;120;150,00\n"
)


def test_a_job_left_running_by_a_dead_worker_is_taken_over():
    make_account(number="91000001")
    job = import_job_create(uploaded_file=SimpleUploadedFile("f.csv", CSV), actor=None)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, started_at=timezone.now() - timedelta(days=1)
    )
    assert import_job_run(job_id=job.pk).status == ImportStatus.DONE
    assert Invoice.objects.filter(number="F-S-1").exists()


def test_a_job_running_now_is_not_run_twice():
    make_account(number="91000001")
    job = import_job_create(uploaded_file=SimpleUploadedFile("f.csv", CSV), actor=None)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, started_at=timezone.now())
    assert import_job_run(job_id=job.pk).status == ImportStatus.RUNNING
    assert not Invoice.objects.exists()
