#include <cmath>
#include <vector>

#include "cairn/ml/table.hpp"
#include "ml/table_keys.hpp"

namespace cairn::ml {

Table Table::derive(std::string name, const std::function<double(const Row&)>& compute) const {
  std::vector<double> values(num_rows_);
  std::vector<std::uint8_t> validity;
  for (std::size_t i = 0; i < num_rows_; ++i) {
    double v = compute(Row(*this, i));
    if (std::isnan(v)) {
      // Validity bytes exist only once there is a null, as Column keeps them.
      if (validity.empty()) validity.assign(num_rows_, 1);
      validity[i] = 0;
      v = 0.0;
    }
    values[i] = v;
  }
  Table out = *this;
  out.set_column(std::move(name), detail::float64_column(std::move(values), std::move(validity)));
  return out;
}

}  // namespace cairn::ml
