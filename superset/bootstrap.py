"""Bootstraps Superset for the lakehouse: admin user, Trino connection, dashboards.

Run with the Superset install's python, SUPERSET_CONFIG_PATH pointing at superset_config.py (the
native scripts/superset-bootstrap.sh and the compose service both do exactly this):

    python superset/bootstrap.py [--assets superset/assets]

Environment: SUPERSET_ADMIN_USER, SUPERSET_ADMIN_PASSWORD (required), TRINO_URL (default
http://127.0.0.1:8080), TRINO_USER (default lakehouse).

Idempotent: the admin user is only written when it is missing or differs, and the bundle under
superset/assets/ is zipped and imported with overwrite, keyed by the assets' uuids, with the
database's sqlalchemy_uri replaced by the one built from TRINO_URL. Running it twice leaves the same
objects, ids and exported YAML.
"""

import argparse
import io
import json
import os
import sys
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import yaml

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
BUNDLE_ROOT = "lakehouse_assets"
TRINO_CATALOG = "lakehouse"


class BootstrapError(RuntimeError):
    """Raised when the environment or the asset bundle does not allow a bootstrap."""


def log(message: str) -> None:
    print(f"superset bootstrap: {message}", file=sys.stderr)


def trino_sqlalchemy_uri(trino_url: str, trino_user: str) -> str:
    url = urlparse(trino_url)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise BootstrapError(f"TRINO_URL: expected http(s)://host:port, got {trino_url!r}")
    port = url.port or (443 if url.scheme == "https" else 8080)
    query = "?protocol=https" if url.scheme == "https" else ""
    return f"trino://{trino_user}@{url.hostname}:{port}/{TRINO_CATALOG}{query}"


def check_trino(trino_url: str) -> None:
    """Superset asks Trino for its catalogs while importing the connection: fail fast and clearly."""
    info_url = trino_url.rstrip("/") + "/v1/info"
    try:
        with urllib.request.urlopen(info_url, timeout=5) as response:
            info = json.loads(response.read().decode("utf-8"))
    except (OSError, ValueError) as err:
        raise BootstrapError(
            f"Trino at {trino_url}: not reachable ({err}); start it first (scripts/trino-start.sh)"
        ) from err
    if info.get("starting"):
        raise BootstrapError(f"Trino at {trino_url}: still starting; retry when it is up")


def build_bundle(assets_dir: Path, sqlalchemy_uri: str) -> bytes:
    """Zips the YAML folder the way Superset's own export lays it out, patching the Trino URI."""
    files = sorted(p for p in assets_dir.rglob("*.yaml") if p.is_file())
    if not any(p.name == "metadata.yaml" and p.parent == assets_dir for p in files):
        raise BootstrapError(f"{assets_dir}: no metadata.yaml, not a Superset export bundle")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in files:
            rel = path.relative_to(assets_dir).as_posix()
            text = path.read_text(encoding="utf-8")
            if rel.startswith("databases/"):
                config = yaml.safe_load(text)
                config["sqlalchemy_uri"] = sqlalchemy_uri
                text = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
            bundle.writestr(f"{BUNDLE_ROOT}/{rel}", text)
    return buffer.getvalue()


def ensure_admin(security_manager, username: str, password: str):
    from werkzeug.security import check_password_hash

    admin_role = security_manager.find_role("Admin")
    user = security_manager.find_user(username=username)
    if user is None:
        user = security_manager.add_user(
            username, "Lakehouse", "Admin", f"{username}@lakehouse.local", admin_role, password
        )
        if not user:
            raise BootstrapError(f"admin user {username!r}: could not be created")
        log(f"created admin user {username!r}")
        return user
    changed = False
    if admin_role not in user.roles:
        user.roles.append(admin_role)
        changed = True
    if not user.active:
        user.active = True
        changed = True
    if changed:
        security_manager.update_user(user)
    if not check_password_hash(user.password, password):
        security_manager.reset_password(user.id, password)
        changed = True
    log(f"admin user {username!r} {'updated' if changed else 'unchanged'}")
    return user


def import_assets(bundle_bytes: bytes, user) -> dict[str, int]:
    from superset.commands.importers.v1.assets import ImportAssetsCommand
    from superset.commands.importers.v1.utils import get_contents_from_bundle
    from superset.utils.core import override_user

    with zipfile.ZipFile(io.BytesIO(bundle_bytes)) as bundle:
        contents = get_contents_from_bundle(bundle)
    with override_user(user):
        ImportAssetsCommand(contents).run()
    counts: dict[str, int] = {}
    for name in contents:
        kind = name.split("/", 1)[0] if "/" in name else "metadata"
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=Path, default=ASSETS_DIR)
    parser.add_argument("--zip-out", type=Path, help="also write the zipped bundle here")
    args = parser.parse_args(argv)

    username = os.environ.get("SUPERSET_ADMIN_USER") or "admin"
    password = os.environ.get("SUPERSET_ADMIN_PASSWORD")
    if not password:
        raise BootstrapError("SUPERSET_ADMIN_PASSWORD: not set")
    trino_url = os.environ.get("TRINO_URL") or "http://127.0.0.1:8080"
    uri = trino_sqlalchemy_uri(trino_url, os.environ.get("TRINO_USER") or "lakehouse")
    check_trino(trino_url)
    bundle = build_bundle(args.assets, uri)
    if args.zip_out:
        args.zip_out.write_bytes(bundle)

    from superset.app import create_app

    app = create_app()
    with app.app_context():
        from superset import security_manager

        user = ensure_admin(security_manager, username, password)
        counts = import_assets(bundle, user)
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    log(f"imported bundle ({summary}) with database uri {uri}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BootstrapError as err:
        log(str(err))
        sys.exit(1)
