"""The WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""

import gc

# Start-up makes only objects that live as long as the process (modules, mappers, routes), so collecting
# garbage while it runs finds none and costs a tenth of the start-up. Afterwards they are frozen out of the
# collector's full collections, which otherwise scanned them all and took as long as a whole page.
gc.disable()
from ewo_cases import create_app  # noqa: E402 (imported with the collector off)

app = create_app()
gc.freeze()
gc.enable()
