#pragma once
// Helpers the expectations and the report share: number and count formatting, abbreviated
// values, failing-row samples, and column lookup that reports instead of throwing.

#include <cstddef>
#include <string>
#include <string_view>

#include "cairn/ml/validation.hpp"

namespace cairn::ml::detail {

/// Integral values without decimals ("100000"), others with 6 significant digits ("0.423457").
std::string format_number(double v);
/// "1 null", "3 nulls".
std::string count_of(std::size_t n, std::string_view singular, std::string_view plural);
/// `text` cut to at most 120 characters, ending in "..." when cut.
std::string abbreviate(std::string_view text);
/// "name=value, name=value, ..." abbreviated; missing cells read "null".
std::string render_row(const Table& table, std::size_t row);

/// Counts failing rows into `result` and keeps the first `max` with their values. The value is
/// rendered only for kept rows, so millions of failures cost no allocation.
class FailureSample {
 public:
  FailureSample(ExpectationResult& result, std::size_t max) : result_(result), max_(max) {}
  template <typename RenderValue>
  void add(std::size_t row, RenderValue&& render) {
    ++result_.failing_rows;
    if (result_.sample.size() < max_) result_.sample.push_back({row, abbreviate(render())});
  }

 private:
  ExpectationResult& result_;
  std::size_t max_;
};

/// The column `name` of `table`, or nullptr after marking `result` failed with "column 'x' does
/// not exist (did you mean ...)".
const Column* find_column(const Table& table, const std::string& name, ExpectationResult& result);

/// Marks `result` failed because `column` has a type `what` cannot check.
void wrong_type(ExpectationResult& result, const std::string& column, DataType type,
                std::string_view what);

}  // namespace cairn::ml::detail
