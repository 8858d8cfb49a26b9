#!/usr/bin/python3
"""Oracle for examples/credit_scoring: the same model, trained by Debian's python3-xgboost.

Recomputes the pipeline's features from lending_club.csv with pandas (an independent
implementation of examples/credit_scoring/credit_features.cpp), takes the train/valid/test split
the pipeline logged (split.csv: application_id,split), trains XGBoost with the given variant's
parameters and early stopping on the validation rows, and prints JSON:
{"best_iteration", "valid_auc", "test_auc", "rows": {"train", "valid", "test"}}.

Usage: credit_xgboost.py CSV SPLIT_CSV PARAMS_JSON NUM_BOOST_ROUND EARLY_STOPPING_ROUNDS SEED
Run with /usr/bin/python3 (Debian's xgboost 1.7.4, the version cairn links).
"""
import json
import sys

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.metrics import roc_auc_score

PASS_THROUGH = [
    "funded_amnt", "int_rate", "annual_inc", "delinq_2yrs", "inq_last_6mths", "revol_util",
    "acc_now_delinq", "open_il_6m", "open_il_12m", "open_il_24m", "total_bal_il", "all_util",
    "inq_fi", "inq_last_12m", "delinq_amnt", "num_il_tl", "total_il_high_credit_limit",
]
DERIVED = ["term_months", "sub_grade_rank", "employment_years", "verification_level",
           "loan_to_income", "installment_to_income", "il_utilization"]


def ratio(numerator, denominator):
    out = numerator / denominator.where(denominator > 0)
    return out.astype(float)


def features(apps):
    f = pd.DataFrame({c: apps[c].astype(float) for c in PASS_THROUGH})
    f["term_months"] = apps["term"].map({"term_36": 36.0, "term_60": 60.0})
    grade = apps["sub_grade"]
    f["sub_grade_rank"] = (grade.str[0].map(ord) - ord("A")) * 5.0 + grade.str[1].astype(int) - 1
    emp = {"emp_lt_1": 0.0, "emp_ge_10": 10.0}
    emp.update({f"emp_{k}": float(k) for k in range(1, 10)})
    f["employment_years"] = apps["emp_length"].map(emp)  # emp_unk -> NaN
    f["verification_level"] = apps["verification_status"].map(
        {"Not_Verified": 0.0, "Source_Verified": 1.0, "Verified": 2.0})
    f["loan_to_income"] = ratio(f["funded_amnt"], f["annual_inc"])
    r = f["int_rate"] / 1200.0
    n = f["term_months"]
    installment = f["funded_amnt"] * r / (1.0 - (1.0 + r) ** (-n))
    f["installment_to_income"] = ratio(12.0 * installment, f["annual_inc"])
    f["il_utilization"] = ratio(f["total_bal_il"], f["total_il_high_credit_limit"])
    return f[PASS_THROUGH + DERIVED]


def main():
    csv, split_csv, params_json, rounds, early, seed = sys.argv[1:7]
    apps = pd.read_csv(csv)
    apps.insert(0, "application_id", np.arange(1, len(apps) + 1))
    split = pd.read_csv(split_csv)
    # The pipeline's row order (day by day), which the split file keeps.
    data = split.merge(apps, on="application_id", how="left", validate="one_to_one")
    x = features(data).astype(np.float32)
    y = (data["Class"] == "bad").astype(float)
    parts = {p: (data["split"] == p).to_numpy() for p in ("train", "valid", "test")}
    dtrain = xgb.DMatrix(x[parts["train"]], label=y[parts["train"]])
    dvalid = xgb.DMatrix(x[parts["valid"]], label=y[parts["valid"]])
    dtest = xgb.DMatrix(x[parts["test"]], label=y[parts["test"]])
    params = dict(json.loads(params_json))
    params.update({"objective": "binary:logistic", "eval_metric": ["logloss", "auc"],
                   "nthread": 1, "seed": int(seed)})
    booster = xgb.train(params, dtrain, num_boost_round=int(rounds),
                        evals=[(dvalid, "eval")], early_stopping_rounds=int(early),
                        verbose_eval=False)
    end = booster.best_iteration + 1
    valid_auc = roc_auc_score(y[parts["valid"]], booster.predict(dvalid, iteration_range=(0, end)))
    test_auc = roc_auc_score(y[parts["test"]], booster.predict(dtest, iteration_range=(0, end)))
    print(json.dumps({"best_iteration": booster.best_iteration, "valid_auc": valid_auc,
                      "test_auc": test_auc,
                      "rows": {p: int(m.sum()) for p, m in parts.items()}}))


if __name__ == "__main__":
    main()
