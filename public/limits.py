"""How many requests one address may make to the open pages: a fixed window per minute.

A small counter in Django's cache rather than django-ratelimit: that library's system checks
refuse the per-process memory cache a fresh checkout runs on (no Redis is required here),
and one fixed window per address is all the open pages need. With several web processes
each keeps its own count unless CACHES names a shared cache.
"""

import time

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 60


def client_address(request) -> str:
    """The visitor's address: REMOTE_ADDR, or behind AXES_IPWARE_PROXY_COUNT trusted proxies
    the address the nearest of them saw (X-Forwarded-For is read from the right)."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0)
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def over_limit(request) -> int:
    """0 while the address is within its limit, else the seconds until the window ends."""
    limit = settings.PUBLIC_RATE_LIMIT_PER_MINUTE
    if limit <= 0:
        return 0
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = f"public:rate:{client_address(request)}:{window}"
    # add() starts the window's count only if no other request did; incr() is atomic on the
    # shared caches (Redis, Memcached) and under the memory cache's lock.
    cache.add(key, 0, timeout=WINDOW_SECONDS + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add() and incr()
        cache.add(key, 1, timeout=WINDOW_SECONDS + 1)
        count = 1
    if count <= limit:
        return 0
    return max(1, int((window + 1) * WINDOW_SECONDS - now) + 1)
