// LinearModel: ridge regression in closed form and logistic regression by Newton's method.
//
// Ridge centres the features and the target and solves (ZᵀZ + λI)w = Zᵀy with an LDLT
// factorization, so the intercept is never penalized (as in scikit-learn). Logistic regression
// has no closed form; with at most a few hundred features the Hessian is small, so Newton's
// method (IRLS) with a backtracking line search converges in a handful of iterations to machine
// precision, where L-BFGS would need tuning to match an oracle to 1e-6. Everything is computed in
// double precision from the float matrix.

#include "cairn/ml/linear_model.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/suggest.hpp"
#include "ml/model_file.hpp"
#include "ml/model_input.hpp"

namespace cairn::ml {

struct LinearModel::State {
  LinearKind kind = LinearKind::kRidge;
  double l2 = 0;
  bool fit_intercept = true;
  double intercept = 0;
  std::vector<double> coefficients;
  std::vector<std::string> feature_names;
  std::optional<Standardization> standardization;
  int iterations = 0;
};

namespace {

constexpr std::string_view kFormat = "cairn-linear";
constexpr int kCurrentVersion = 1;

using RowMajorFloats = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

std::string feature_label(const Matrix& x, std::size_t column) {
  if (x.column_names.empty()) return "column " + std::to_string(column);
  return "column '" + x.column_names[column] + "'";
}

void check_complete(const Matrix& x, std::string_view what) {
  for (std::size_t i = 0; i < x.values.size(); ++i) {
    if (!std::isfinite(x.values[i])) {
      throw ModelError(std::string(what) + ": " + feature_label(x, i % x.cols) + " is " +
                       (std::isnan(x.values[i]) ? "missing (NaN)" : "infinite") + " in row " +
                       std::to_string(i / x.cols) +
                       "; linear models need complete rows — impute or drop them first");
    }
  }
}

void check_params(const LinearParams& params) {
  if (!(params.l2 >= 0) || !std::isfinite(params.l2)) {
    throw ModelError("LinearParams::l2 is " + std::to_string(params.l2) +
                     "; the penalty must be a finite number ≥ 0");
  }
  if (params.kind == LinearKind::kLogistic &&
      (params.max_iterations < 1 || !(params.tolerance > 0))) {
    throw ModelError("logistic regression needs max_iterations ≥ 1 and tolerance > 0 (got " +
                     std::to_string(params.max_iterations) + " and " +
                     std::to_string(params.tolerance) + ")");
  }
}

void check_binary_labels(std::span<const double> y) {
  std::size_t ones = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y[i] != 0 && y[i] != 1) {
      throw ModelError("logistic regression labels must be 0 or 1; row " + std::to_string(i) +
                       " has " + std::to_string(y[i]));
    }
    ones += y[i] == 1;
  }
  if (ones == 0 || ones == y.size()) {
    throw ModelError("logistic regression labels have one class only (every label is " +
                     std::string(ones == 0 ? "0" : "1") +
                     "); the training data needs both classes");
  }
}

// The population standard deviation, or 1 for a feature whose variance is within the rounding
// error of computing it (scikit-learn's StandardScaler makes the same call).
Standardization standardization_of(const Eigen::MatrixXd& x) {
  Standardization s;
  const double n = static_cast<double>(x.rows());
  const double eps = std::numeric_limits<double>::epsilon();
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    double mean = x.col(j).mean();
    double variance = (x.col(j).array() - mean).square().mean();
    double rounding = n * eps * variance + std::pow(n * std::abs(mean) * eps, 2);
    s.mean.push_back(mean);
    s.scale.push_back(variance <= rounding ? 1.0 : std::sqrt(variance));
  }
  return s;
}

void apply(const Standardization& s, Eigen::MatrixXd& x) {
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    x.col(j) = (x.col(j).array() - s.mean[j]) / s.scale[j];
  }
}

[[noreturn]] void throw_singular(std::string_view model) {
  throw ModelError(std::string(model) +
                   ": the features are collinear (a feature is a combination of others, or "
                   "constant without an intercept) or on wildly different scales, so the weights "
                   "are not determined; set LinearParams::l2 > 0 (or larger), standardize, or drop "
                   "the redundant features");
}

// Eigen's LDLT solves a singular system as if by a pseudo-inverse, and rcond() estimates the
// condition of that, so singularity is read from the pivots: one below the rounding error of the
// largest means the matrix is singular in double precision.
bool well_conditioned(const Eigen::LDLT<Eigen::MatrixXd>& ldlt) {
  if (ldlt.info() != Eigen::Success) return false;
  Eigen::VectorXd pivots = ldlt.vectorD();
  double largest = pivots.cwiseAbs().maxCoeff();
  double threshold =
      largest * std::numeric_limits<double>::epsilon() * static_cast<double>(pivots.size());
  return pivots.minCoeff() > threshold;
}

double softplus(double eta) {
  return std::max(eta, 0.0) + std::log1p(std::exp(-std::abs(eta)));
}

double sigmoid(double eta) {
  if (eta >= 0) return 1 / (1 + std::exp(-eta));
  double e = std::exp(eta);
  return e / (1 + e);
}

struct Fit {
  double intercept = 0;
  Eigen::VectorXd weights;
  int iterations = 0;
};

Fit fit_ridge(const Eigen::MatrixXd& z, const Eigen::VectorXd& y, const LinearParams& params) {
  Eigen::MatrixXd centred = z;
  Eigen::VectorXd target = y;
  Eigen::RowVectorXd z_mean = Eigen::RowVectorXd::Zero(z.cols());
  double y_mean = 0;
  if (params.fit_intercept) {
    z_mean = z.colwise().mean();
    y_mean = y.mean();
    centred.rowwise() -= z_mean;
    target.array() -= y_mean;
  }
  Eigen::MatrixXd a = centred.transpose() * centred;
  a.diagonal().array() += params.l2;
  Eigen::LDLT<Eigen::MatrixXd> ldlt(a);
  if (!well_conditioned(ldlt)) throw_singular("ridge regression");
  Fit fit;
  fit.weights = ldlt.solve(centred.transpose() * target);
  fit.intercept = params.fit_intercept ? y_mean - z_mean.dot(fit.weights) : 0.0;
  return fit;
}

Fit fit_logistic(const Eigen::MatrixXd& z, const Eigen::VectorXd& y, const LinearParams& params) {
  const Eigen::Index n = z.rows();
  const Eigen::Index p = z.cols();
  const Eigen::Index k = p + (params.fit_intercept ? 1 : 0);
  Eigen::MatrixXd d(n, k);
  d.leftCols(p) = z;
  if (params.fit_intercept) d.col(p).setOnes();
  Eigen::VectorXd penalty = Eigen::VectorXd::Constant(k, params.l2);
  if (params.fit_intercept) penalty(p) = 0;

  auto objective = [&](const Eigen::VectorXd& beta) {
    Eigen::VectorXd eta = d * beta;
    double f = 0;
    for (Eigen::Index i = 0; i < n; ++i) f += softplus(eta(i)) - y(i) * eta(i);
    return f + 0.5 * (penalty.array() * beta.array().square()).sum();
  };

  Eigen::VectorXd beta = Eigen::VectorXd::Zero(k);
  double last_step = std::numeric_limits<double>::infinity();
  for (int iteration = 1; iteration <= params.max_iterations; ++iteration) {
    Eigen::VectorXd prob = (d * beta).unaryExpr(&sigmoid);
    Eigen::VectorXd gradient =
        d.transpose() * (prob - y) + (penalty.array() * beta.array()).matrix();
    Eigen::ArrayXd weight = prob.array() * (1 - prob.array());
    Eigen::MatrixXd hessian = d.transpose() * (d.array().colwise() * weight).matrix();
    hessian.diagonal() += penalty;
    Eigen::LDLT<Eigen::MatrixXd> ldlt(hessian);
    if (!well_conditioned(ldlt)) {
      throw ModelError("logistic regression: the Hessian became singular in iteration " +
                       std::to_string(iteration) +
                       " (the classes are separable, or the features collinear or on wildly "
                       "different scales); set LinearParams::l2 > 0 (or larger), standardize, or "
                       "drop the redundant features");
    }
    Eigen::VectorXd step = ldlt.solve(gradient);
    // Backtracking (Armijo) keeps every step a descent, also far from the optimum.
    double f0 = objective(beta);
    double slope = gradient.dot(step);
    double t = 1;
    while (t > 1e-12 && objective(beta - t * step) > f0 - 1e-4 * t * slope) t *= 0.5;
    beta -= t * step;
    // The full Newton step, not the damped one, measures the distance to the optimum: a line
    // search that stalls must not look like convergence.
    last_step = step.cwiseAbs().maxCoeff();
    if (last_step <= params.tolerance * (1 + beta.cwiseAbs().maxCoeff())) {
      return Fit{params.fit_intercept ? beta(p) : 0.0, beta.head(p), iteration};
    }
  }
  throw ModelError("logistic regression did not converge in " +
                   std::to_string(params.max_iterations) +
                   " Newton iterations (the last Newton step changed a parameter by " +
                   std::to_string(last_step) + ", tolerance " + std::to_string(params.tolerance) +
                   "); raise LinearParams::max_iterations or l2, or standardize the features "
                   "(separable classes without a penalty never converge)");
}

// --- the file format -------------------------------------------------------------------------

using nlohmann::json;

[[noreturn]] void bad_document(const std::string& source, const std::string& why) {
  throw ModelError(source + " not a cairn linear model: " + why);
}

const json& field(const json& doc, const char* name, const std::string& source) {
  auto it = doc.find(name);
  if (it == doc.end()) bad_document(source, std::string("the field '") + name + "' is missing");
  return *it;
}

double finite_number(const json& value, const std::string& what, const std::string& source) {
  if (!value.is_number()) bad_document(source, what + " is not a number");
  double v = value.get<double>();
  if (!std::isfinite(v)) bad_document(source, what + " is not finite");
  return v;
}

std::vector<double> numbers(const json& doc, const char* name, const std::string& source) {
  const json& array = field(doc, name, source);
  if (!array.is_array()) bad_document(source, std::string("'") + name + "' is not an array");
  std::vector<double> out;
  for (const json& v : array) {
    out.push_back(finite_number(v, std::string("an entry of '") + name + "'", source));
  }
  return out;
}

}  // namespace

std::string_view to_string(LinearKind kind) {
  return kind == LinearKind::kLogistic ? "logistic" : "ridge";
}

LinearModel LinearModel::fit(const Matrix& x, std::span<const double> y,
                             const LinearParams& params) {
  std::string model(params.kind == LinearKind::kLogistic ? "logistic regression"
                                                         : "ridge regression");
  detail::check_training_matrix(x, model);
  detail::check_labels(y, x.rows, model + " labels");
  check_complete(x, "the " + model + " training matrix");
  check_params(params);
  if (params.kind == LinearKind::kLogistic) check_binary_labels(y);

  Eigen::MatrixXd z =
      Eigen::Map<const RowMajorFloats>(x.values.data(), static_cast<Eigen::Index>(x.rows),
                                       static_cast<Eigen::Index>(x.cols))
          .cast<double>();
  auto state = std::make_shared<State>();
  if (params.standardize) {
    state->standardization = standardization_of(z);
    apply(*state->standardization, z);
  }
  Eigen::VectorXd target = Eigen::Map<const Eigen::VectorXd>(y.data(), y.size());
  Fit fit = params.kind == LinearKind::kLogistic ? fit_logistic(z, target, params)
                                                 : fit_ridge(z, target, params);
  state->kind = params.kind;
  state->l2 = params.l2;
  state->fit_intercept = params.fit_intercept;
  state->intercept = fit.intercept;
  state->coefficients.assign(fit.weights.data(), fit.weights.data() + fit.weights.size());
  state->feature_names = x.column_names;
  state->iterations = fit.iterations;
  return LinearModel(std::move(state));
}

std::vector<double> LinearModel::predict(const Matrix& x) const {
  const State& m = *state_;
  detail::check_prediction_matrix(x, m.feature_names, m.coefficients.size(),
                                  std::string(to_string(m.kind)));
  check_complete(x, "the matrix to predict from");
  std::vector<double> out(x.rows);
  for (std::size_t i = 0; i < x.rows; ++i) {
    double eta = m.intercept;
    for (std::size_t j = 0; j < x.cols; ++j) {
      double v = x.values[i * x.cols + j];
      if (m.standardization) v = (v - m.standardization->mean[j]) / m.standardization->scale[j];
      eta += m.coefficients[j] * v;
    }
    out[i] = m.kind == LinearKind::kLogistic ? sigmoid(eta) : eta;
  }
  return out;
}

std::string LinearModel::to_bytes() const {
  const State& m = *state_;
  json doc = {{"format", kFormat},
              {"version", kCurrentVersion},
              {"kind", to_string(m.kind)},
              {"feature_names", m.feature_names},
              {"intercept", m.intercept},
              {"coefficients", m.coefficients},
              {"standardization", nullptr},
              {"l2", m.l2},
              {"fit_intercept", m.fit_intercept},
              {"iterations", m.iterations}};
  if (m.standardization) {
    doc["standardization"] = {{"mean", m.standardization->mean},
                              {"scale", m.standardization->scale}};
  }
  return doc.dump(2) + "\n";
}

LinearModel LinearModel::from_bytes(std::string_view bytes) {
  return from_bytes_of(bytes, "the bytes are");
}

LinearModel LinearModel::load(const std::string& path) {
  return from_bytes_of(detail::read_model_file(path), "'" + path + "' is");
}

LinearModel LinearModel::from_bytes_of(std::string_view bytes, const std::string& source) {
  json doc = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) bad_document(source, "it is not JSON");
  if (!doc.is_object()) bad_document(source, "it is not a JSON object");
  const json& format = field(doc, "format", source);
  if (format != kFormat) {
    bad_document(source, "its format is " + format.dump() + ", not \"cairn-linear\"");
  }
  const json& version = field(doc, "version", source);
  if (!version.is_number_integer() || version.get<int>() < 1) {
    bad_document(source, "its version is " + version.dump());
  }
  if (version.get<int>() > kCurrentVersion) {
    throw ModelError(source + " a cairn linear model of format version " + version.dump() +
                     ", written by a newer cairn; this one reads versions up to " +
                     std::to_string(kCurrentVersion) + " — upgrade cairn to load it");
  }

  auto state = std::make_shared<State>();
  const json& kind = field(doc, "kind", source);
  if (kind == "ridge") {
    state->kind = LinearKind::kRidge;
  } else if (kind == "logistic") {
    state->kind = LinearKind::kLogistic;
  } else {
    bad_document(source, "its kind is " + kind.dump() + ", not \"ridge\" or \"logistic\"");
  }
  state->coefficients = numbers(doc, "coefficients", source);
  if (state->coefficients.empty()) bad_document(source, "it has no coefficients");
  const std::size_t p = state->coefficients.size();

  const json& names = field(doc, "feature_names", source);
  if (!names.is_array()) bad_document(source, "'feature_names' is not an array");
  for (const json& name : names) {
    if (!name.is_string()) bad_document(source, "a feature name is not a string");
    state->feature_names.push_back(name.get<std::string>());
  }
  if (!state->feature_names.empty() && state->feature_names.size() != p) {
    bad_document(source, std::to_string(state->feature_names.size()) + " feature names for " +
                             std::to_string(p) + " coefficients");
  }
  state->intercept = finite_number(field(doc, "intercept", source), "'intercept'", source);

  const json& standardization = field(doc, "standardization", source);
  if (!standardization.is_null()) {
    if (!standardization.is_object()) {
      bad_document(source, "'standardization' is neither null nor an object");
    }
    Standardization s{numbers(standardization, "mean", source),
                      numbers(standardization, "scale", source)};
    if (s.mean.size() != p || s.scale.size() != p) {
      bad_document(source, "'standardization' does not have one mean and one scale per feature");
    }
    for (double scale : s.scale) {
      if (!(scale > 0)) bad_document(source, "a standardization scale is not positive");
    }
    state->standardization = std::move(s);
  }

  state->l2 = finite_number(field(doc, "l2", source), "'l2'", source);
  const json& fit_intercept = field(doc, "fit_intercept", source);
  if (!fit_intercept.is_boolean()) bad_document(source, "'fit_intercept' is not true or false");
  state->fit_intercept = fit_intercept.get<bool>();
  const json& iterations = field(doc, "iterations", source);
  if (!iterations.is_number_integer()) bad_document(source, "'iterations' is not an integer");
  state->iterations = iterations.get<int>();
  return LinearModel(std::move(state));
}

void LinearModel::save(const std::string& path) const {
  detail::write_model_file(path, to_bytes());
}

LinearKind LinearModel::kind() const {
  return state_->kind;
}
double LinearModel::l2() const {
  return state_->l2;
}
bool LinearModel::fit_intercept() const {
  return state_->fit_intercept;
}
double LinearModel::intercept() const {
  return state_->intercept;
}
const std::vector<double>& LinearModel::coefficients() const {
  return state_->coefficients;
}
double LinearModel::coefficient(std::string_view name) const {
  const auto& names = state_->feature_names;
  auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) {
    throw ModelError("the linear model has no feature named '" + std::string(name) + "'" +
                     (names.empty() ? "; it was trained on a matrix without column names, use "
                                      "coefficients() by index"
                                    : did_you_mean(name, names)));
  }
  return state_->coefficients[static_cast<std::size_t>(it - names.begin())];
}
const std::vector<std::string>& LinearModel::feature_names() const {
  return state_->feature_names;
}
std::size_t LinearModel::num_features() const {
  return state_->coefficients.size();
}
const std::optional<Standardization>& LinearModel::standardization() const {
  return state_->standardization;
}
int LinearModel::iterations() const {
  return state_->iterations;
}

}  // namespace cairn::ml
