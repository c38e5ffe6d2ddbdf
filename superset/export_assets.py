"""Exports every dashboard, chart, dataset and database from a running Superset into superset/assets.

Run by scripts/superset-export.sh with the Superset install's python:

    python superset/export_assets.py [--out superset/assets]

Environment: SUPERSET_URL (default http://127.0.0.1:8088), SUPERSET_ADMIN_USER,
SUPERSET_ADMIN_PASSWORD.

Uses Superset's own export (GET /api/v1/assets/export/), so the files are exactly what Superset
writes, with three normalisations that keep diffs reviewable: an asset already in the folder keeps
its file name (matched by uuid), the numeric ids Superset appends to new file names are dropped (ids
differ between instances, uuids do not), the Trino connection string
is reset to the canonical password-less one (the bootstrap sets the real one from TRINO_URL and
TRINO_SUPERSET_PASSWORD), and the
export timestamp in metadata.yaml is kept when nothing else changed.
"""

import argparse
import io
import os
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import requests
import yaml

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
CANONICAL_TRINO_URI = "trino://superset@127.0.0.1:8080/lakehouse"
ID_SUFFIX = re.compile(r"_\d+\.yaml$")


class ExportError(RuntimeError):
    """Raised when Superset cannot be reached or refuses the export."""


def log(message: str) -> None:
    print(f"superset export: {message}", file=sys.stderr)


def login(session: requests.Session, base_url: str, username: str, password: str) -> None:
    response = session.post(
        f"{base_url}/api/v1/security/login",
        json={"username": username, "password": password, "provider": "db", "refresh": False},
        timeout=30,
    )
    if response.status_code != 200:
        raise ExportError(f"login to {base_url} as {username!r}: HTTP {response.status_code}")
    session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"


def fetch_bundle(session: requests.Session, base_url: str) -> bytes:
    response = session.get(f"{base_url}/api/v1/assets/export/", timeout=300)
    if response.status_code != 200:
        raise ExportError(f"GET /api/v1/assets/export/: HTTP {response.status_code}: {response.text[:300]}")
    return response.content


def existing_paths(out_dir: Path) -> dict[str, str]:
    """uuid -> relative path of the YAML files already in out_dir, so an asset keeps its file name."""
    paths: dict[str, str] = {}
    for path in out_dir.rglob("*.yaml"):
        try:
            uuid = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("uuid")
        except yaml.YAMLError:
            continue
        if uuid:
            paths[str(uuid)] = path.relative_to(out_dir).as_posix()
    return paths


def normalise(bundle: bytes, known: dict[str, str]) -> dict[str, str]:
    """Bundle zip -> {relative path: YAML text}, with stable names and the canonical Trino URI."""
    files: dict[str, str] = {}
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        for name in archive.namelist():
            if not name.endswith(".yaml"):
                continue
            rel = name.split("/", 1)[1]
            text = archive.read(name).decode("utf-8")
            if rel.startswith("databases/"):
                config = yaml.safe_load(text)
                if str(config.get("sqlalchemy_uri", "")).startswith("trino://"):
                    config["sqlalchemy_uri"] = CANONICAL_TRINO_URI
                    # The driver's https settings name this machine's CA file: the bootstrap sets them.
                    if isinstance(config.get("extra"), dict):
                        config["extra"].pop("engine_params", None)
                text = yaml.safe_dump(config, sort_keys=False)
            uuid = str((yaml.safe_load(text) or {}).get("uuid", ""))
            stable = known.get(uuid) or (ID_SUFFIX.sub(".yaml", rel) if rel.count("/") >= 1 else rel)
            if stable in files:
                stable = rel  # two assets with the same name: keep Superset's id suffix
            files[stable] = text
    if "metadata.yaml" not in files:
        raise ExportError("export bundle has no metadata.yaml")
    return files


def write_assets(files: dict[str, str], out_dir: Path) -> int:
    """Replaces the YAML tree in out_dir; returns how many files changed."""
    old = {p.relative_to(out_dir).as_posix(): p.read_text(encoding="utf-8") for p in out_dir.rglob("*.yaml")}
    changed = sum(1 for rel, text in files.items() if old.get(rel) != text and rel != "metadata.yaml")
    changed += sum(1 for rel in old if rel not in files)
    if changed == 0 and "metadata.yaml" in old:
        files = {**files, "metadata.yaml": old["metadata.yaml"]}
    staging = Path(tempfile.mkdtemp(prefix="superset-assets-", dir=out_dir.parent))
    try:
        for rel, text in files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        for path in out_dir.rglob("*.yaml"):
            path.unlink()
        for path in staging.rglob("*.yaml"):
            target = out_dir / path.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(path), target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for folder in sorted((p for p in out_dir.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    return changed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ASSETS_DIR)
    args = parser.parse_args(argv)
    base_url = (os.environ.get("SUPERSET_URL") or "http://127.0.0.1:8088").rstrip("/")
    username = os.environ.get("SUPERSET_ADMIN_USER")
    password = os.environ.get("SUPERSET_ADMIN_PASSWORD")
    if not username or not password:
        raise ExportError("SUPERSET_ADMIN_USER and SUPERSET_ADMIN_PASSWORD: both must be set (the admin the bootstrap created)")
    session = requests.Session()
    login(session, base_url, username, password)
    args.out.mkdir(parents=True, exist_ok=True)
    files = normalise(fetch_bundle(session, base_url), existing_paths(args.out))
    changed = write_assets(files, args.out)
    log(f"wrote {len(files)} files to {args.out} ({changed} changed)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (ExportError, requests.RequestException) as err:
        log(str(err))
        sys.exit(1)
