#!/usr/bin/python3
"""The oracle for cairn's metrics (src/ml/metrics_oracle_test.cpp): computes the same metrics
with scikit-learn on the same inputs and prints them as one JSON object.

    /usr/bin/python3 sklearn_metrics.py CLASSIFICATION_CSV REGRESSION_CSV

CLASSIFICATION_CSV has the header `case,threshold,label,score`; REGRESSION_CSV has
`case,actual,predicted`. Rows of one case are contiguous. Output:

    {"classification": {case: {"roc_auc": ..., ...}}, "regression": {case: {...}}}

A metric that is not defined for a case is null: log_loss when a score is outside [0, 1], mape
when an actual value is 0, r2 with fewer than 2 rows. `curve_tp`/`curve_fp` are the counts of
scikit-learn's roc_curve at the case's threshold when the threshold is one of the scores: they
pin down the `score >= threshold` convention. smape has no scikit-learn function; it is computed
here from its definition with NumPy.
"""
import csv
import json
import sys

try:
    import numpy as np
    from sklearn import metrics
except ImportError as e:
    print(f"sklearn_metrics.py: {e}; run scripts/setup.sh to install python3-sklearn",
          file=sys.stderr)
    sys.exit(3)


def read_cases(path, columns):
    cases = {}
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        assert header == ["case", *columns], header
        for row in reader:
            values = cases.setdefault(row[0], [[] for _ in columns])
            for i, text in enumerate(row[1:]):
                values[i].append(float(text))
    return {name: [np.array(v) for v in values] for name, values in cases.items()}


def classification(thresholds, y, s):
    t = thresholds[0]
    predicted = (s >= t).astype(int)
    tn, fp, fn, tp = metrics.confusion_matrix(y, predicted, labels=[0, 1]).ravel()
    out = {
        "roc_auc": metrics.roc_auc_score(y, s),
        "pr_auc": metrics.average_precision_score(y, s),
        "log_loss": None,
        "accuracy": metrics.accuracy_score(y, predicted),
        "precision": metrics.precision_score(y, predicted, zero_division=0),
        "recall": metrics.recall_score(y, predicted, zero_division=0),
        "f1": metrics.f1_score(y, predicted, zero_division=0),
        "tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp),
        "curve_tp": None, "curve_fp": None,
    }
    if np.all((s >= 0) & (s <= 1)):
        out["log_loss"] = metrics.log_loss(y, s, labels=[0, 1])
    fpr, tpr, curve_thresholds = metrics.roc_curve(y, s, drop_intermediate=False)
    at = np.nonzero(curve_thresholds == t)[0]
    if len(at) == 1:
        out["curve_tp"] = int(round(tpr[at[0]] * np.sum(y == 1)))
        out["curve_fp"] = int(round(fpr[at[0]] * np.sum(y == 0)))
    return out


def regression(actual, predicted):
    error = predicted - actual
    denominator = np.abs(actual) + np.abs(predicted)
    symmetric = np.divide(2 * np.abs(error), denominator, out=np.zeros_like(error),
                          where=denominator != 0)
    return {
        "mae": metrics.mean_absolute_error(actual, predicted),
        "rmse": metrics.mean_squared_error(actual, predicted, squared=False),
        "mape": (metrics.mean_absolute_percentage_error(actual, predicted)
                 if np.all(actual != 0) else None),
        "smape": float(np.mean(symmetric)),
        "r2": metrics.r2_score(actual, predicted) if len(actual) >= 2 else None,
        "bias": float(np.mean(error)),
    }


def main():
    classification_cases = read_cases(sys.argv[1], ["threshold", "label", "score"])
    regression_cases = read_cases(sys.argv[2], ["actual", "predicted"])
    result = {
        "classification": {k: classification(*v) for k, v in classification_cases.items()},
        "regression": {k: regression(*v) for k, v in regression_cases.items()},
    }
    json.dump(result, sys.stdout, default=float)


if __name__ == "__main__":
    main()
