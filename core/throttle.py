"""A small fixed-window limiter on the shared cache (the database cache by default, Redis when configured)."""

from django.core.cache import cache
from django.core.exceptions import ValidationError


class TooManyAttempts(ValidationError):
    """A refusal by a limit: a form shows it like any validation error, the API answers 429 with
    ``Retry-After`` (``retry_after`` seconds: the whole window, the most a client may have to wait)."""

    def __init__(self, message: object, *, retry_after: int, field: str) -> None:
        super().__init__({field: [message]})
        self.retry_after = retry_after


def allow(key: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt under ``key``; False once more than ``limit`` fall into the window."""
    cache_key = f"throttle:{key}"
    if cache.add(cache_key, 1, timeout=window_seconds):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds)
        return True
    return count <= limit


def used_up(key: str, limit: int) -> bool:
    """Whether ``limit`` attempts under ``key`` already fell into the current window, without counting one.

    The window runs from its first attempt; asking while it is used up neither counts nor extends it."""
    return (cache.get(f"throttle:{key}") or 0) >= limit
