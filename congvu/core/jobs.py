"""Running the background job queue (huey) inside another process, for the demo server.

Production runs ``congvu run_huey`` as its own service. The demo is one command, so it
starts the queue's worker threads next to the development server instead.
"""

from __future__ import annotations

from huey.contrib.djhuey import HUEY


def start_worker_threads(workers: int = 1) -> None:
    """Start the scheduler and worker threads (daemons) without touching signal handlers."""
    if HUEY.immediate:
        return  # jobs already run inline
    consumer = HUEY.create_consumer(workers=workers, worker_type="thread", periodic=True)
    consumer.scheduler.start()
    for _name, worker in consumer.worker_threads:
        worker.start()
