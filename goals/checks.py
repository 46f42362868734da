"""System checks of the settings a deployment must get right (run by `check --deploy`)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def site_url_is_the_public_address(app_configs, **kwargs):
    """E-mail notices link to SITE_URL: in production it must be the service's https address."""
    if settings.DEBUG:
        return []
    url = urlsplit(settings.SITE_URL or "")
    if url.scheme != "https" or not url.hostname:
        return [
            Warning(
                f"SITE_URL ({settings.SITE_URL or 'inte satt'}) är inte en https-adress: "
                "länkarna i e-postaviseringarna skulle peka fel.",
                hint="Sätt SITE_URL till tjänstens adress, t.ex. https://styr.kommun.se.",
                id="styr.W001",
            )
        ]
    return []
