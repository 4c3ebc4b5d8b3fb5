"""Run background work the way this installation allows.

- `celery`: production, REDIS_URL set: the task goes to the broker after the transaction commits.
- `thread`: embedded mode (laptop, no broker): a daemon thread of the web process runs it after
  commit, so the page can show progress meanwhile.
- `sync`: tests and management commands: runs at once, in the caller.
"""

import threading

from django.conf import settings
from django.db import close_old_connections, transaction


def enqueue(task, *args) -> None:
    mode = settings.MORA_TASK_MODE
    if mode == "celery":
        transaction.on_commit(lambda: task.delay(*args))
    elif mode == "thread":

        def run():
            close_old_connections()
            try:
                task.run(*args)
            finally:
                close_old_connections()

        transaction.on_commit(lambda: threading.Thread(target=run, daemon=True).start())
    else:
        transaction.on_commit(lambda: task.run(*args))
