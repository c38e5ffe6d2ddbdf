"""Superset's chart-data cache keyed on the lake version, so cached chart data never outlives a
publish or an erasure.

Every key is prefixed with a fingerprint of the two files the pipeline replaces (by rename) when
what Trino serves can change: `<data dir>/_catalog.json` (every commit, the erasure's audit row too)
and `<data dir>/_pins.json` (every `lakehouse publish`, also the erasure's republish, written after
the views moved). The fingerprint is their inode, size and modification time, read per request (two
stat calls), so the first chart request after a publish or an erasure misses the cache and asks
Trino. Nothing has to reach Superset for this to happen: a publish while Superset is down, or an
erasure whose republish failed, still changes the key.

Within one request the fingerprint is read once, so a query that started before a publish is stored
under the old key (where no later request looks) rather than the new one.

When the fingerprint cannot be read (LAKEHOUSE_DATA_DIR unset or not readable, no catalog yet),
nothing is cached or served from the cache: charts are always fresh, never stale.

Configured in superset_config.py as

    DATA_CACHE_CONFIG = {"CACHE_TYPE": "lake_cache.LakeVersionCache", "LAKE_CACHE_INNER": {...}}

where LAKE_CACHE_INNER is an ordinary flask-caching config (RedisCache in compose, FileSystemCache
natively).
"""

import hashlib
import logging
import os

from flask import g, has_request_context
from flask_caching.backends.base import BaseCache

logger = logging.getLogger(__name__)
VERSION_FILES = ("_catalog.json", "_pins.json")
_G_KEY = "_lakehouse_lake_version"


def lake_version(data_dir: str | None) -> str | None:
    """Fingerprint of the lake's catalog and publication files; None when there is no lake to read."""
    if not data_dir:
        return None
    parts = []
    for name in VERSION_FILES:
        try:
            st = os.stat(os.path.join(data_dir, name))
        except FileNotFoundError:
            if name == "_catalog.json":
                return None
            parts.append(f"{name}:none")
            continue
        except OSError:
            return None
        parts.append(f"{name}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


class LakeVersionCache(BaseCache):
    """Delegates to an inner cache, every key prefixed with the current lake version."""

    def __init__(self, inner: BaseCache, data_dir: str | None, default_timeout: int = 300):
        super().__init__(default_timeout=default_timeout)
        self.inner = inner
        self.data_dir = data_dir
        self._warned = False

    @classmethod
    def factory(cls, app, config, args, kwargs):
        from flask_caching import Cache

        inner_config = dict(config.get("LAKE_CACHE_INNER") or {"CACHE_TYPE": "NullCache"})
        inner_config.setdefault("CACHE_DEFAULT_TIMEOUT", kwargs.get("default_timeout", 300))
        # A flask-caching Cache fills in the backend's defaults exactly as for any other cache.
        holder = Cache()
        holder.init_app(app, inner_config)
        inner = app.extensions["cache"][holder]
        data_dir = config.get("LAKE_CACHE_DATA_DIR", os.environ.get("LAKEHOUSE_DATA_DIR"))
        return cls(inner, data_dir, default_timeout=inner_config["CACHE_DEFAULT_TIMEOUT"])

    def _version(self) -> str | None:
        if has_request_context():
            if not hasattr(g, _G_KEY):
                setattr(g, _G_KEY, lake_version(self.data_dir))
            version = getattr(g, _G_KEY)
        else:
            version = lake_version(self.data_dir)
        if version is None and not self._warned:
            self._warned = True
            logger.warning(
                "lake_cache: cannot read the lake version in LAKEHOUSE_DATA_DIR=%r; chart data is not cached",
                self.data_dir,
            )
        return version

    def _key(self, key: str) -> str | None:
        version = self._version()
        return None if version is None else f"lake-{version}:{key}"

    def get(self, key):
        k = self._key(key)
        return None if k is None else self.inner.get(k)

    def has(self, key):
        k = self._key(key)
        return False if k is None else self.inner.has(k)

    def set(self, key, value, timeout=None):
        k = self._key(key)
        return False if k is None else self.inner.set(k, value, timeout)

    def add(self, key, value, timeout=None):
        k = self._key(key)
        return False if k is None else self.inner.add(k, value, timeout)

    def delete(self, key):
        k = self._key(key)
        return False if k is None else self.inner.delete(k)

    def get_many(self, *keys):
        return [self.get(k) for k in keys]

    def set_many(self, mapping, timeout=None):
        return [k for k, v in mapping.items() if self.set(k, v, timeout)]

    def delete_many(self, *keys):
        return [k for k in keys if self.delete(k)]

    def clear(self):
        return self.inner.clear()
