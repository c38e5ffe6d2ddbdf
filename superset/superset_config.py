"""Superset configuration for the music lakehouse (native and docker-compose).

Loaded through SUPERSET_CONFIG_PATH. Everything deployment-specific comes from the environment:

- SUPERSET_SECRET_KEY (required): signs sessions and encrypts stored credentials. Superset refuses
  to start when it is missing, shorter than 32 characters, or one of the well-known example keys.
- SQLALCHEMY_DATABASE_URI (optional): the metadata database. Unset natively, where it is a SQLite
  file under SUPERSET_HOME; compose sets it to its PostgreSQL service.
- REDIS_URL (optional): when set (compose), Superset's caches live in Redis; otherwise chart data
  is cached in files under SUPERSET_HOME/data-cache.
- LAKEHOUSE_DATA_DIR: the lake Trino serves. The chart-data cache is keyed on its version
  (lake_cache.py), so no cached chart outlives a publish or an erasure; without a readable lake,
  chart data is not cached at all.
"""

import os
import sys

# lake_cache.py sits next to this file; Superset loads this file by path, not as a package.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# Example keys from Superset's docs, docker files and blog posts: a deployment using one of them
# has a public secret key, so cookies can be forged and stored passwords decrypted.
KNOWN_DEFAULT_KEYS = {
    "",
    "CHANGE_ME",
    "CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET",
    "CHANGE_ME_SECRET_KEY",
    "changeme",
    "thisISaSECRET_1234",
    "TEST_NON_DEV_SECRET",
    "YOUR_OWN_RANDOM_GENERATED_SECRET_KEY",
    "\2\1thisismyscretkey\1\2\\e\\y\\y\\h",
    "superset",
    "secret",
}
MIN_SECRET_KEY_LENGTH = 32


class SupersetConfigError(RuntimeError):
    """Raised when the environment does not give a usable Superset configuration."""


def _secret_key() -> str:
    key = os.environ.get("SUPERSET_SECRET_KEY", "")
    if key.strip() in KNOWN_DEFAULT_KEYS:
        raise SupersetConfigError(
            "SUPERSET_SECRET_KEY: missing or a known example key; generate one with "
            "`openssl rand -base64 42` and set it in the environment"
        )
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise SupersetConfigError(
            f"SUPERSET_SECRET_KEY: shorter than {MIN_SECRET_KEY_LENGTH} characters; generate one "
            "with `openssl rand -base64 42`"
        )
    return key


# How long chart data may be served from the cache while the lake does not change.
DATA_CACHE_TIMEOUT = 3600


def _redis_caches(url: str) -> dict:
    def cache(prefix: str, timeout: int) -> dict:
        return {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": url,
            "CACHE_KEY_PREFIX": f"superset_{prefix}_",
            "CACHE_DEFAULT_TIMEOUT": timeout,
        }

    return {
        "CACHE_CONFIG": cache("obj", 86400),
        "DATA_CACHE_CONFIG": lake_versioned(cache("data", DATA_CACHE_TIMEOUT)),
        "FILTER_STATE_CACHE_CONFIG": cache("filter", 90 * 86400),
        "EXPLORE_FORM_DATA_CACHE_CONFIG": cache("explore", 7 * 86400),
    }


def lake_versioned(inner: dict) -> dict:
    """Chart data cached in `inner`, under keys that change with every publish and erasure."""
    return {
        "CACHE_TYPE": "lake_cache.LakeVersionCache",
        "CACHE_DEFAULT_TIMEOUT": inner["CACHE_DEFAULT_TIMEOUT"],
        "LAKE_CACHE_INNER": inner,
    }


try:
    SECRET_KEY = _secret_key()
except SupersetConfigError as err:
    print(f"superset_config: {err}", file=sys.stderr)
    raise

_home = os.environ.get("SUPERSET_HOME", os.path.expanduser("~/.superset"))
SQLALCHEMY_DATABASE_URI = os.environ.get("SQLALCHEMY_DATABASE_URI") or (
    "sqlite:///" + os.path.join(_home, "superset.db") + "?check_same_thread=false"
)

if os.environ.get("REDIS_URL"):
    globals().update(_redis_caches(os.environ["REDIS_URL"]))
else:
    DATA_CACHE_CONFIG = lake_versioned({
        "CACHE_TYPE": "FileSystemCache",
        "CACHE_DIR": os.path.join(_home, "data-cache"),
        "CACHE_DEFAULT_TIMEOUT": DATA_CACHE_TIMEOUT,
        "CACHE_THRESHOLD": 5000,
    })

# Native dashboard filters are always on in Superset 6; these flags add the cross-filtering and
# templating an analyst expects when building new charts on the gold tables.
FEATURE_FLAGS = {
    "DASHBOARD_CROSS_FILTERS": True,
    "ENABLE_TEMPLATE_PROCESSING": True,
}

# The lake is small and analysts explore it interactively: keep the UI snappy and bounded.
ROW_LIMIT = 50000
SUPERSET_WEBSERVER_TIMEOUT = 120
SQLLAB_TIMEOUT = 120
