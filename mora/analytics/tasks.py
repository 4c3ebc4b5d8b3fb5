from celery import shared_task

from . import services


@shared_task(name="analytics.run_training", acks_late=True)
def run_training(job_id: int) -> None:
    """Train a new version of the risk model asked for from the page (claims the job first, so a
    task delivered twice trains once)."""
    services.training_job_run(job_id=job_id)
