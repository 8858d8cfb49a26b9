#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "cairn/ml/table.hpp"
#include "ml/table_keys.hpp"

namespace cairn::ml {

// One pass per column: count, mean and the sample standard deviation (ddof = 1, as pandas'
// describe) by Welford's update, min and max. NaN in a float64 column counts as a null, as in
// pandas.
std::vector<ColumnSummary> Table::describe() const {
  std::vector<ColumnSummary> out;
  out.reserve(columns_.size());
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    const Column& column = columns_[c];
    ColumnSummary s;
    s.name = names_[c];
    s.type = column.type();
    detail::KeyColumn key(column);
    for (std::size_t r = 0; r < num_rows_; ++r) {
      if (!key.is_missing(r)) ++s.count;
    }
    s.nulls = num_rows_ - s.count;

    if (s.type != DataType::kString && s.count > 0) {
      std::size_t n = 0;
      double mean = 0.0;
      double m2 = 0.0;
      double lo = std::numeric_limits<double>::infinity();
      double hi = -std::numeric_limits<double>::infinity();
      for (std::size_t r = 0; r < num_rows_; ++r) {
        if (key.is_missing(r)) continue;
        double v = column.number_at(r);
        ++n;
        double delta = v - mean;
        mean += delta / static_cast<double>(n);
        m2 += delta * (v - mean);
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
      s.mean = mean;
      s.min = lo;
      s.max = hi;
      if (n > 1) s.std = std::sqrt(m2 / static_cast<double>(n - 1));
    }

    if (s.type == DataType::kString || s.type == DataType::kBool) {
      std::size_t index = c;
      detail::RowKeys keys(*this, std::span<const std::size_t>(&index, 1));
      detail::KeyGroups groups(keys);
      s.distinct = groups.num_groups() - (s.nulls > 0 ? 1 : 0);
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace cairn::ml
