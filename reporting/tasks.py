"""Background tasks (Django's Tasks API; the django-tasks backport until Django 6).

The same task runs on the database backend's worker (`manage.py db_worker`, the default),
on RQ workers over Redis (REPORT_TASKS_BACKEND=rq) and inline (the immediate backend).
Arguments are plain ids so that every backend can serialise them.
"""

from django_tasks import task

from . import services


@task()
def generate_report(report_id: int, attempt: int) -> dict:
    """Render one GeneratedReport (see reporting.services.run_generation)."""
    return services.run_generation(report_id, attempt)
