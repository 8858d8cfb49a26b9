#include <string>
#include <vector>

#include "cairn/ml/table.hpp"

namespace cairn::ml {

Table Table::filter(const std::vector<bool>& keep) const {
  if (keep.size() != num_rows_) {
    throw TableError("filter(): the mask has " + std::to_string(keep.size()) +
                     " entries but the table has " + std::to_string(num_rows_) +
                     " rows; build the mask from this table");
  }
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < keep.size(); ++i) {
    if (keep[i]) rows.push_back(i);
  }
  return take(rows);
}

Table Table::filter(const std::function<bool(const Row&)>& predicate) const {
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < num_rows_; ++i) {
    if (predicate(Row(*this, i))) rows.push_back(i);
  }
  return take(rows);
}

Table Table::slice_time(std::string_view column, Timestamp from, Timestamp to) const {
  const Column& c = columns_[column_index(column)];
  if (c.type() != DataType::kTimestamp) {
    throw TableError("slice_time(): column '" + std::string(column) + "' is " +
                     std::string(to_string(c.type())) +
                     ", not timestamp; read it with a schema that types it as timestamp");
  }
  std::span<const Timestamp> values = c.int64_values();
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!c.is_null(i) && values[i] >= from && values[i] < to) rows.push_back(i);
  }
  return take(rows);
}

}  // namespace cairn::ml
