"""The Django project: settings, URLs, WSGI. The apps beside it follow the night."""
