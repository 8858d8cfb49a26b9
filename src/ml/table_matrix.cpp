#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "cairn/ml/table.hpp"

namespace cairn::ml {

// Columns are copied in blocks of rows: within a block every column is read sequentially and the
// block of the output stays in cache while it is filled column by column, instead of striding
// through the whole output once per column.
Matrix Table::to_matrix(const std::vector<std::string>& columns) const {
  std::vector<const Column*> sources;
  sources.reserve(columns.size());
  for (const auto& name : columns) {
    const Column& c = columns_[column_index(name)];
    if (c.type() == DataType::kString) {
      throw TableError("to_matrix(): column '" + name +
                       "' is string; encode it first (OneHotEncoder or OrdinalEncoder in "
                       "cairn/ml/encoding.hpp) or leave it out");
    }
    sources.push_back(&c);
  }

  Matrix m;
  m.rows = num_rows_;
  m.cols = columns.size();
  m.column_names = columns;
  m.values.resize(m.rows * m.cols);
  constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
  constexpr std::size_t kBlock = 1024;
  for (std::size_t begin = 0; begin < m.rows; begin += kBlock) {
    std::size_t end = std::min(m.rows, begin + kBlock);
    for (std::size_t j = 0; j < m.cols; ++j) {
      const Column& c = *sources[j];
      float* out = m.values.data() + j;
      switch (c.type()) {
        case DataType::kInt64:
        case DataType::kTimestamp: {
          auto v = c.int64_values();
          for (std::size_t i = begin; i < end; ++i) out[i * m.cols] = static_cast<float>(v[i]);
          break;
        }
        case DataType::kFloat64: {
          auto v = c.float64_values();
          for (std::size_t i = begin; i < end; ++i) out[i * m.cols] = static_cast<float>(v[i]);
          break;
        }
        case DataType::kBool: {
          auto v = c.bool_values();
          for (std::size_t i = begin; i < end; ++i) out[i * m.cols] = v[i] ? 1.0f : 0.0f;
          break;
        }
        case DataType::kString:
          break;
      }
      const auto& validity = c.validity();
      if (!validity.empty()) {
        for (std::size_t i = begin; i < end; ++i) {
          if (validity[i] == 0) out[i * m.cols] = kNaN;
        }
      }
    }
  }
  return m;
}

}  // namespace cairn::ml
