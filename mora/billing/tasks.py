from celery import shared_task

from . import services


@shared_task(name="billing.run_import", acks_late=True)
def run_import(job_id: int) -> None:
    """Background import of a file uploaded from the page. import_job_run claims the job
    (PENDING -> RUNNING) so a task delivered twice imports once."""
    services.import_job_run(job_id=job_id)
