"""WSGI entry point for the Styrsystem web application."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danderyd_styrning.settings")

application = get_wsgi_application()
