#pragma once
/// @file model_error.hpp
/// The error every model class throws: bad training input (label count, NaN labels, one class
/// only), a matrix whose columns do not match the model, a file or byte string that is not a
/// model, and failures reported by a model library (XGBoost's own message is kept).

#include "cairn/error.hpp"

namespace cairn::ml {

class ModelError : public Error {
 public:
  using Error::Error;
};

}  // namespace cairn::ml
