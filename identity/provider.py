"""The identity provider's endpoints, read from its discovery document (OIDC_DISCOVERY_URL).

Read on first use and kept for OIDC_DISCOVERY_CACHE_SECONDS, never at start-up: the site
starts, and the password login works, while the provider is unreachable.
"""

import threading
import time
from dataclasses import dataclass

import requests
from django.conf import settings


class ProviderUnavailable(Exception):
    """The discovery document could not be read or does not describe an OpenID provider."""


@dataclass(frozen=True)
class ProviderConfig:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str
    end_session_endpoint: str


_lock = threading.Lock()
_cache: dict[str, tuple[float, ProviderConfig]] = {}


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_ENABLED", False))


def config() -> ProviderConfig:
    url = settings.OIDC_DISCOVERY_URL
    now = time.monotonic()
    with _lock:
        cached = _cache.get(url)
        if cached and now - cached[0] < settings.OIDC_DISCOVERY_CACHE_SECONDS:
            return cached[1]
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"discovery document {url}: {exc}") from exc
    missing = [
        key
        for key in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
        if not document.get(key)
    ]
    if missing:
        raise ProviderUnavailable(f"discovery document {url} lacks {', '.join(missing)}")
    found = ProviderConfig(
        issuer=document["issuer"],
        authorization_endpoint=document["authorization_endpoint"],
        token_endpoint=document["token_endpoint"],
        jwks_uri=document["jwks_uri"],
        userinfo_endpoint=document.get("userinfo_endpoint", ""),
        end_session_endpoint=document.get("end_session_endpoint", ""),
    )
    with _lock:
        _cache[url] = (now, found)
    return found


def forget() -> None:
    """Drop the cached documents (the tests start a provider on a new port each run)."""
    with _lock:
        _cache.clear()
