#!/usr/bin/env python3
"""scikit-learn reference for the random-forest comparison (bench/ml-compare.ts).

Reads the rows and folds written by the TypeScript side, so both sides train and test on exactly
the same rows with the same features. The folds are grouped by feature vector, as production's split
is (gold/predictive/catalog-split.ts): the same recording under several track ids is on one side only;
with "group_columns" in the spec this script refuses folds where a group straddles. Prints one JSON
object on stdout:
{"versions": {...}, "tasks": [{"name", "folds": [{"fold", "train_rows", "test_rows",
"fit_seconds", "fit_cpu_seconds", "metrics": {...}}]}]}.

Usage: sklearn_reference.py --data rows.csv --spec spec.json
  rows.csv  : a `fold` column (the test fold of the row) and every feature and target column
  spec.json : {"folds": [0, 1, ...], "group_columns": [...] (optional), "tasks": [{"name", "model":
               "rf_regressor" | "rf_classifier" | "linear", "features": [...], "target": "...", "params": {...}}]}
Run it with the venv of scripts/sklearn-venv.sh.
"""
import argparse
import json
import sys
import time

import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LinearRegression
from sklearn.metrics import accuracy_score, f1_score, mean_absolute_error, mean_squared_error, r2_score


def make_model(task):
    p = task.get("params", {})
    kind = task["model"]
    if kind == "linear":
        return LinearRegression()
    common = dict(
        n_estimators=p.get("n_estimators", 50),
        max_depth=p.get("max_depth", 10),
        min_samples_split=p.get("min_samples_split", 6),
        min_samples_leaf=p.get("min_samples_leaf", 1),
        # None = every feature at every split (what our forests do: all features per tree)
        max_features=p.get("max_features"),
        bootstrap=True,
        random_state=p.get("random_state", 42),
        n_jobs=p.get("n_jobs", 1),
    )
    if kind == "rf_regressor":
        return RandomForestRegressor(**common)
    if kind == "rf_classifier":
        return RandomForestClassifier(**common)
    raise SystemExit(f"sklearn_reference: unknown model {kind!r}")


def metrics(kind, y_true, y_pred):
    if kind == "rf_classifier":
        return {
            "accuracy": float(accuracy_score(y_true, y_pred)),
            "macro_f1": float(f1_score(y_true, y_pred, average="macro", zero_division=0)),
        }
    return {
        "rmse": float(np.sqrt(mean_squared_error(y_true, y_pred))),
        "mae": float(mean_absolute_error(y_true, y_pred)),
        "r2": float(r2_score(y_true, y_pred)),
    }


def check_groups(rows, columns, folds):
    """Exit with an error when a group (equal values of `columns`) has rows in a fold's test and train sets."""
    key = rows[columns].astype(str).agg("|".join, axis=1)
    for fold in folds:
        test = rows["fold"] == fold
        shared = set(key[test]) & set(key[~test])
        if shared:
            raise SystemExit(f"sklearn_reference: fold {fold}: {len(shared)} feature vector(s) on both sides, e.g. {sorted(shared)[0]}")


def run_task(rows, task, folds):
    out = []
    for fold in folds:
        test = rows["fold"] == fold
        train = ~test
        X_train = rows.loc[train, task["features"]].to_numpy(dtype=float)
        X_test = rows.loc[test, task["features"]].to_numpy(dtype=float)
        y_train = rows.loc[train, task["target"]].to_numpy()
        y_test = rows.loc[test, task["target"]].to_numpy()
        model = make_model(task)
        start = time.perf_counter()
        cpu = time.process_time()
        model.fit(X_train, y_train)
        fit_seconds = time.perf_counter() - start
        fit_cpu_seconds = time.process_time() - cpu
        out.append({
            "fold": fold,
            "train_rows": int(train.sum()),
            "test_rows": int(test.sum()),
            "fit_seconds": fit_seconds,
            "fit_cpu_seconds": fit_cpu_seconds,
            "metrics": metrics(task["model"], y_test, model.predict(X_test)),
        })
    return {"name": task["name"], "model": task["model"], "folds": out}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--spec", required=True)
    args = parser.parse_args()
    with open(args.spec, encoding="utf-8") as f:
        spec = json.load(f)
    rows = pd.read_csv(args.data, keep_default_na=False)
    if "fold" not in rows.columns:
        raise SystemExit(f"sklearn_reference: {args.data} has no 'fold' column")
    if spec.get("group_columns"):
        check_groups(rows, spec["group_columns"], spec["folds"])
    result = {
        "versions": {"python": sys.version.split()[0], "sklearn": sklearn.__version__,
                     "numpy": np.__version__, "pandas": pd.__version__},
        "tasks": [run_task(rows, task, spec["folds"]) for task in spec["tasks"]],
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
