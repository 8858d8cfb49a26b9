#pragma once
// Helpers for the tests of the table operations.

#include <string>
#include <vector>

#include "cairn/ml/table.hpp"

namespace cairn::ml::testing {

/// The cells of `column` as CSV text, "<null>" for nulls: one readable vector to compare.
inline std::vector<std::string> cell_texts(const Table& table, const std::string& column) {
  const Column& c = table.column(column);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < table.num_rows(); ++i) {
    out.push_back(c.is_null(i) ? "<null>" : c.text_at(i));
  }
  return out;
}

}  // namespace cairn::ml::testing
