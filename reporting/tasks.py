"""Background tasks (Django's Tasks API; the django-tasks backport until Django 6).

The same task runs on the database backend's worker (`manage.py db_worker`, the default),
on RQ workers over Redis (REPORT_TASKS_BACKEND=rq) and inline (the immediate backend).
Arguments are plain ids so that every backend can serialise them.

The municipality report is made in parts (reporting.parts): generate_report plans it and
enqueues render_report_part for each part not rendered yet, and the last part to finish
enqueues join_report_parts. No task waits for another, so a worker never idles on a lock.
"""

from django_tasks import task

from . import services


@task()
def generate_report(report_id: int, attempt: int) -> dict:
    """Render one GeneratedReport (see reporting.services.run_generation)."""
    return services.run_generation(report_id, attempt)


@task()
def render_report_part(part_id: int, attempt: int) -> dict:
    """Print one ReportPart (a committee, the appendix) of a parted report."""
    return services.run_part(part_id, attempt)


@task()
def join_report_parts(report_id: int, attempt: int) -> dict:
    """Print the front matter, join the parts and store the report's PDF."""
    return services.run_join(report_id, attempt)
