"""The worker retries what a retry can heal and never an error a person must act on."""

from __future__ import annotations

import pytest
from celery import Celery

from api.worker import RetryWhatCanHeal
from papertrail.errors import ConfigurationError, DependencyUnavailableError


@pytest.fixture
def app() -> Celery:
    app = Celery("retry-test", broker="memory://", backend="cache+memory://")
    app.conf.update(task_always_eager=True)  # a retry runs at once, inside apply()
    return app


def flaky_task(app: Celery, error: Exception, failures: int):
    calls: list[int] = []

    @app.task(bind=True, base=RetryWhatCanHeal, backoff_max=0, max_retries=3)
    def task(self):  # noqa: ANN001, ANN202
        calls.append(self.request.retries)
        if len(calls) <= failures:
            raise error
        return "done"

    return task, calls


def test_a_retryable_error_is_retried_until_it_heals(app):
    task, calls = flaky_task(app, DependencyUnavailableError("broker not up yet"), failures=2)
    task.apply()
    assert calls == [0, 1, 2]  # failed twice, then the third try returned


def test_an_unexpected_error_is_retried_then_raised(app):
    task, calls = flaky_task(app, OSError("disk hiccup"), failures=10)
    task.apply()
    assert calls == [0, 1, 2, 3]  # the first try and max_retries=3 retries, then no more


def test_an_error_a_person_must_fix_is_never_retried(app):
    task, calls = flaky_task(app, ConfigurationError("bundle weights are corrupt"), failures=1)
    result = task.apply()
    assert calls == [0]
    assert result.state == "FAILURE" and isinstance(result.result, ConfigurationError)
