#pragma once
/// @file linear_model.hpp
/// L2-regularized linear models: ridge regression (closed form) and logistic regression
/// (Newton's method), with optional standardization stored in the model, and a small JSON file
/// format of their own (docs/ml-models.md documents it field by field).
///
/// Both minimize  Σᵢ lossᵢ + (l2 / 2)·‖w‖²  over the weights w and the intercept (never
/// penalized), with lossᵢ = ½(yᵢ − ŷᵢ)² for ridge and the log loss for logistic regression. The
/// loss is summed, not averaged: scikit-learn's Ridge(alpha=l2) and LogisticRegression(C=1/l2)
/// fit the same models.
///
/// @code
///   using namespace cairn::ml;
///   LinearModel model = LinearModel::fit(x, y, {.kind = LinearKind::kLogistic, .l2 = 1.0,
///                                               .standardize = true});
///   std::vector<double> p = model.predict(x_new);       // P(y = 1) per row
///   double w = model.coefficient("int_rate");            // on the standardized scale
///   model.save("model.json");
/// @endcode

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cairn/codec.hpp"
#include "cairn/ml/matrix.hpp"
#include "cairn/ml/model_error.hpp"

namespace cairn::ml {

enum class LinearKind {
  kRidge,     // a real-valued target; predicts ŷ
  kLogistic,  // labels 0/1; predicts P(y = 1)
};

/// "ridge" or "logistic", as the file format writes the kind.
std::string_view to_string(LinearKind kind);

struct LinearParams {
  LinearKind kind = LinearKind::kRidge;
  /// The L2 penalty (λ ≥ 0) on the weights; see the objective above. 0 means no penalty, which
  /// fails on collinear features and, for logistic regression, on separable classes.
  double l2 = 1.0;
  bool fit_intercept = true;
  /// Fit on features scaled to mean 0 and standard deviation 1 (population; a constant feature
  /// keeps scale 1). The means and scales are stored in the model and applied by predict(); the
  /// weights and the penalty are on the standardized scale.
  bool standardize = false;
  /// Logistic regression only: Newton iterations before fit() gives up with a ModelError.
  int max_iterations = 100;
  /// Logistic regression only: converged when the (undamped) Newton step changes no parameter by
  /// more than tolerance · (1 + the largest parameter's magnitude).
  double tolerance = 1e-8;
};

/// The per-feature affine map applied before the weights: z = (x − mean) / scale.
struct Standardization {
  std::vector<double> mean;
  std::vector<double> scale;
};

/// A fitted linear model. Immutable and cheap to copy (copies share the coefficients); every
/// const member may be called from several threads at once.
class LinearModel {
 public:
  /// Fits on `x` (no missing values) and `y` (one finite label per row; 0 or 1 and both present
  /// for logistic regression). Throws ModelError for bad input, collinear features without a
  /// penalty, or a logistic fit that does not converge (naming the iterations and the last step).
  static LinearModel fit(const Matrix& x, std::span<const double> y,
                         const LinearParams& params = {});

  /// Reads the cairn-linear JSON format; throws ModelError naming the path and what is wrong.
  static LinearModel load(const std::string& path);
  static LinearModel from_bytes(std::string_view bytes);

  /// One value per row: ŷ for ridge, P(y = 1) for logistic regression. The matrix must have the
  /// training columns (same count; same names in order when both have names) and no NaN.
  std::vector<double> predict(const Matrix& x) const;

  /// Writes the JSON document to `path` atomically (any extension; ".json" is customary).
  void save(const std::string& path) const;
  std::string to_bytes() const;

  LinearKind kind() const;
  double l2() const;
  bool fit_intercept() const;
  double intercept() const;
  /// The weights in feature order (on the standardized scale when standardization() is set).
  const std::vector<double>& coefficients() const;
  /// The weight of the feature named `name`; throws ModelError for an unknown name.
  double coefficient(std::string_view name) const;
  /// The training matrix's column names; empty when it had none.
  const std::vector<std::string>& feature_names() const;
  std::size_t num_features() const;
  const std::optional<Standardization>& standardization() const;
  /// Newton iterations the logistic fit took; 0 for ridge regression (closed form).
  int iterations() const;

 private:
  struct State;
  explicit LinearModel(std::shared_ptr<const State> state) : state_(std::move(state)) {}
  static LinearModel from_bytes_of(std::string_view bytes, const std::string& source);
  std::shared_ptr<const State> state_;
};

}  // namespace cairn::ml

namespace cairn {

/// Linear models as assets: the stored value is the model's JSON document (docs/ml-models.md).
template <>
struct Codec<ml::LinearModel> {
  static constexpr const char* name = "cairn-linear/json";
  static std::string encode(const ml::LinearModel& model) { return model.to_bytes(); }
  static ml::LinearModel decode(std::string_view bytes) {
    return ml::LinearModel::from_bytes(bytes);
  }
};

}  // namespace cairn
