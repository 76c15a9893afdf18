# The README's recipe ("Already using prometheus_client?"): a sitecustomize.py on PYTHONPATH makes
# every Python process import pidless first, which installs the drop-in when
# PIDLESS_PROMETHEUS_CLIENT=1, before any library defines a prometheus_client metric.
import os

if os.environ.get("PIDLESS_PROMETHEUS_CLIENT"):
    import pidless  # noqa: F401
