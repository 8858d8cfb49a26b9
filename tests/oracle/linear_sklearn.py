"""The python side of the linear model tests (src/ml/linear_model_test.cpp).

Run by the C++ test with Debian's /usr/bin/python3 and python3-sklearn: `linear_sklearn.py
JOBS.json`, a JSON list of jobs (one python start for several); it prints the list of their
results. Matrices come as .npy files (float32, the exact values the C++ side used).

Jobs:
  {"action": "fit", "kind": "ridge"|"logistic", "l2": L, "fit_intercept": B,
   "standardize": B, "x": NPY, "y": NPY}
      Fits scikit-learn's model for the same objective, sum of losses + l2/2 * |w|^2:
      Ridge(alpha=l2) or LogisticRegression(C=1/l2), after StandardScaler when standardizing.
      Gives {"intercept", "coefficients", "mean", "scale"}.
  {"action": "predict_from_file", "model": PATH, "x": NPY, "out": NPY}
      Reads a cairn-linear JSON file with nothing but json and numpy, following
      docs/ml-models.md, and writes its predictions: the documented format is enough.
"""
import json
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler


def fit(job):
    x = np.load(job["x"]).astype(np.float64)
    y = np.load(job["y"])
    mean = scale = None
    if job["standardize"]:
        scaler = StandardScaler().fit(x)
        x = scaler.transform(x)
        mean, scale = scaler.mean_.tolist(), scaler.scale_.tolist()
    if job["kind"] == "ridge":
        model = Ridge(alpha=job["l2"], fit_intercept=job["fit_intercept"], solver="cholesky")
        model.fit(x, y)
        coefficients, intercept = model.coef_, model.intercept_
    else:
        model = LogisticRegression(C=1.0 / job["l2"], fit_intercept=job["fit_intercept"],
                                   solver="newton-cholesky", tol=1e-12, max_iter=1000)
        model.fit(x, y)
        coefficients, intercept = model.coef_[0], model.intercept_[0]
    return {"intercept": float(intercept), "coefficients": coefficients.tolist(),
            "mean": mean, "scale": scale}


def predict_from_file(job):
    with open(job["model"]) as f:
        model = json.load(f)
    assert model["format"] == "cairn-linear" and model["version"] == 1, model
    x = np.load(job["x"]).astype(np.float64)
    if model["standardization"] is not None:
        x = (x - np.array(model["standardization"]["mean"])) / \
            np.array(model["standardization"]["scale"])
    eta = model["intercept"] + x @ np.array(model["coefficients"])
    prediction = eta if model["kind"] == "ridge" else 1.0 / (1.0 + np.exp(-eta))
    np.save(job["out"], prediction)
    return {"rows": len(prediction)}


def main():
    with open(sys.argv[1]) as f:
        jobs = json.load(f)
    actions = {"fit": fit, "predict_from_file": predict_from_file}
    print(json.dumps([actions[job["action"]](job) for job in jobs]))


if __name__ == "__main__":
    main()
