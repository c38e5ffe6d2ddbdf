#!/usr/bin/env bash
# The cached Python virtual environment of scripts/sklearn_reference.py, the scikit-learn side of the
# random-forest comparison (bench/ml-compare.ts). Prints the venv's python path on stdout; logs go
# to stderr. The pins live here; creating and reusing the venv is scripts/python-venv.sh.
set -euo pipefail
exec bash "$(dirname "$0")/python-venv.sh" sklearn-venv scikit-learn==1.9.1 numpy==2.4.6 pandas==3.1.1
