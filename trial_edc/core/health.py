"""GET /health/ without signing in: 200 when the database, the Celery broker (Redis) and the
file storage answer, 503 when one does not; JSON, one short line per check.

    {"status": "ok", "checks": {"database": "OK", "broker": "OK", "storage": "OK"}}

The checks are django-health-check's; the broker check pings the Redis of CELERY_BROKER_URL,
read at each request (none when tasks run in-process, without REDIS_URL).
"""

import asyncio
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from health_check.checks import Database, Storage
from health_check.contrib.redis import Redis
from health_check.views import HealthCheckView

BROKER_TIMEOUT = timedelta(seconds=2)


def broker_client():
    from redis.asyncio import Redis as RedisClient

    return RedisClient.from_url(
        settings.CELERY_BROKER_URL,
        socket_connect_timeout=BROKER_TIMEOUT.total_seconds(),
        socket_timeout=BROKER_TIMEOUT.total_seconds(),
    )


def broker_is_redis() -> bool:
    return str(settings.CELERY_BROKER_URL).startswith(("redis://", "rediss://"))


class HealthView(HealthCheckView):
    def get_checks(self):
        yield "database", Database()
        if broker_is_redis():
            broker = Redis(client_factory=broker_client)
            broker.timeout = BROKER_TIMEOUT
            yield "broker", broker
        yield "storage", Storage()

    async def get(self, request, *args, **kwargs):
        names, checks = zip(*self.get_checks(), strict=True)
        with self.get_executor() as executor:
            results = await asyncio.gather(*(check.get_result(executor) for check in checks))
        report = {
            name: "OK" if result.error is None else str(result.error)
            for name, result in zip(names, results, strict=True)
        }
        down = any(result.error is not None for result in results)
        return JsonResponse(
            {"status": "down" if down else "ok", "checks": report}, status=503 if down else 200
        )


health = login_not_required(HealthView.as_view())
