"""The site's settings with one more page, a bare Django view, measured beside intake in the load
benchmark (benchmarks/intake_load.py) so its figures can be read against this machine's floor."""
from nightstay.site.settings import *  # noqa: F401,F403

ROOT_URLCONF = "benchmarks.load_urls"
