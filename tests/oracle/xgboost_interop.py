"""The python side of the XGBoost interop test (src/ml/xgboost_model_test.cpp).

Run by the C++ test with Debian's /usr/bin/python3 and python3-xgboost 1.7.4 (the library
libxgboost-dev ships): `xgboost_interop.py JOBS.json`, a JSON list of jobs (one python start for
several, as importing xgboost takes seconds). Matrices come as .npy files (float32, the exact
values the C++ side used); results go to .npy files and, per job, a JSON summary in the list
printed on stdout.

Jobs:
  {"action": "predict", "model": PATH, "x": NPY, "feature_names": [...], "out": NPY}
      Loads a model cairn saved (JSON, UBJ, or a cairn value file with no extension) the way a
      python user would, and predicts with the rounds up to best_iteration.
  {"action": "train", "params": {...}, "num_boost_round": N, "early_stopping_rounds": K,
   "train_x": NPY, "train_y": NPY, "eval_x": NPY, "eval_y": NPY, "feature_names": [...],
   "json_out": PATH, "ubj_out": PATH, "out": NPY}
      Trains with xgboost.train and early stopping on the eval set, saves the model in both
      formats, and predicts eval_x.
"""
import json
import sys

import numpy as np
import xgboost as xgb


def matrix(path, names):
    return xgb.DMatrix(np.load(path), feature_names=names)


def summary(booster):
    return {
        "best_iteration": getattr(booster, "best_iteration", None),
        "best_score": getattr(booster, "best_score", None),
        "num_boosted_rounds": booster.num_boosted_rounds(),
        "feature_names": booster.feature_names,
        "attributes": booster.attributes(),
    }


def predict(booster, data):
    return booster.predict(data, iteration_range=(0, booster.best_iteration + 1))


def run(job):
    if job["action"] == "predict":
        booster = xgb.Booster(model_file=job["model"])
        data = matrix(job["x"], job["feature_names"])
        np.save(job["out"], predict(booster, data).astype(np.float64))
        return summary(booster)
    if job["action"] == "train":
        names = job["feature_names"]
        dtrain = xgb.DMatrix(np.load(job["train_x"]), label=np.load(job["train_y"]),
                             feature_names=names)
        deval = xgb.DMatrix(np.load(job["eval_x"]), label=np.load(job["eval_y"]),
                            feature_names=names)
        booster = xgb.train(job["params"], dtrain, num_boost_round=job["num_boost_round"],
                            evals=[(deval, "eval")],
                            early_stopping_rounds=job["early_stopping_rounds"],
                            verbose_eval=False)
        booster.save_model(job["json_out"])
        booster.save_model(job["ubj_out"])
        np.save(job["out"], predict(booster, deval).astype(np.float64))
        return summary(booster)
    sys.exit("unknown action " + job["action"])


def main():
    with open(sys.argv[1]) as f:
        jobs = json.load(f)
    print(json.dumps([run(job) for job in jobs]))


if __name__ == "__main__":
    main()
