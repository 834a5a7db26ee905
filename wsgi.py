"""The WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""

import gc

from ewo_cases import create_app

app = create_app()
# Leave the objects made at start-up (modules, mappers, routes) out of the garbage collector's full
# collections: they live as long as the process, and scanning them took as long as a whole page.
gc.freeze()
