"""Each test ends in the site's default language.

The locale middleware activates a request's language for the thread that served it and leaves
it active: after a test that asked for a page in French, the next test in the same worker read
French from code run outside a request (``BedPledge.describe()`` said "chaque mardi")."""
import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    yield
    translation.deactivate()
