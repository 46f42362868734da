"""ASGI entry point for the Styrsystem web application."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danderyd_styrning.settings")

application = get_asgi_application()
