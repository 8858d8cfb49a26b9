#include "ml/validation_support.hpp"

#include <cmath>
#include <cstdio>

#include "core/suggest.hpp"

namespace cairn::ml::detail {

std::string format_number(double v) {
  char buf[64];
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof(buf), "%.0f", v);
  } else {
    std::snprintf(buf, sizeof(buf), "%.6g", v);
  }
  return buf;
}

std::string count_of(std::size_t n, std::string_view singular, std::string_view plural) {
  return std::to_string(n) + " " + std::string(n == 1 ? singular : plural);
}

std::string abbreviate(std::string_view text) {
  constexpr std::size_t kMax = 120;
  if (text.size() <= kMax) return std::string(text);
  return std::string(text.substr(0, kMax - 3)) + "...";
}

std::string render_row(const Table& table, std::size_t row) {
  std::string out;
  for (std::size_t c = 0; c < table.num_columns() && out.size() < 120; ++c) {
    if (!out.empty()) out += ", ";
    const Column& column = table.column(c);
    bool missing = column.is_null(row) ||
                   (column.type() == DataType::kFloat64 && std::isnan(column.number_at(row)));
    out += table.column_name(c) + "=" + (missing ? std::string("null") : column.text_at(row));
  }
  return abbreviate(out);
}

const Column* find_column(const Table& table, const std::string& name, ExpectationResult& result) {
  if (auto index = table.find_column(name)) return &table.column(*index);
  result.passed = false;
  result.observed =
      "column '" + name + "' does not exist" + did_you_mean(name, table.column_names());
  return nullptr;
}

void wrong_type(ExpectationResult& result, const std::string& column, DataType type,
                std::string_view what) {
  result.passed = false;
  result.observed =
      "column '" + column + "' is " + std::string(to_string(type)) + "; " + std::string(what);
}

}  // namespace cairn::ml::detail
