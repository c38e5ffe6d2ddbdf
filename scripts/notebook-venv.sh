#!/usr/bin/env bash
# The cached Python virtual environment of the README's notebook examples ("Reading the lake from
# notebooks"), which lib/notebook-db.test.ts runs: DuckDB's Python package and CLI at the version of
# the engine that writes data/lakehouse.duckdb, with pandas, polars and pyarrow. Prints the venv's
# python path on stdout (the test's LAKEHOUSE_NOTEBOOK_PYTHON); logs go to stderr. The pins live
# here; creating and reusing the venv is scripts/python-venv.sh.
set -euo pipefail
exec bash "$(dirname "$0")/python-venv.sh" notebook-venv duckdb==1.5.5 duckdb-cli==1.5.5 pandas==3.1.1 polars==2.1.0 pyarrow==26.0.1
