#pragma once
/// @file matrix.hpp
/// The dense, row-major float matrix models train on and predict from (the layout XGBoost's C
/// API takes without a copy). Missing values are NaN.

#include <cstddef>
#include <string>
#include <vector>

namespace cairn::ml {

struct Matrix {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<float> values;              // rows * cols, row-major
  std::vector<std::string> column_names;  // cols names (may be empty)

  float at(std::size_t row, std::size_t col) const { return values[row * cols + col]; }
  float& at(std::size_t row, std::size_t col) { return values[row * cols + col]; }
};

}  // namespace cairn::ml
