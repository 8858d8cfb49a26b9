#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <regex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "cairn/ml/validation.hpp"
#include "ml/table_keys.hpp"
#include "ml/validation_support.hpp"

namespace cairn::ml {

namespace {

using detail::count_of;
using detail::FailureSample;
using detail::format_number;

// Rows whose key (the columns `indices`) equals an earlier row's: rows are grouped by key and
// every row that is not the first of its group fails, rendered by render(row, first_row).
// Rows with a missing key cell are skipped when `skip_missing`.
template <typename Render>
void find_duplicates(const Table& table, const std::vector<std::size_t>& indices, bool skip_missing,
                     const ValidationOptions& options, ExpectationResult& r, Render&& render) {
  detail::RowKeys keys(table, indices);
  detail::KeyGroups groups(keys);
  const auto& ids = groups.group_ids();
  const auto& first = groups.first_rows();
  FailureSample sample(r, options.max_samples);
  for (std::size_t row = 0; row < table.num_rows(); ++row) {
    std::size_t first_row = first[ids[row]];
    if (first_row == row || (skip_missing && keys.any_missing(row))) continue;
    sample.add(row, [&] { return render(row, first_row); });
  }
  r.passed = r.failing_rows == 0;
  r.observed = count_of(r.failing_rows, "duplicate", "duplicates");
}

ExpectationResult check_unique(const Table& table, const std::vector<std::string>& columns,
                               const ValidationOptions& options) {
  ExpectationResult r;
  std::vector<std::size_t> indices;
  for (const auto& name : columns) {
    if (detail::find_column(table, name, r) == nullptr) return r;
    indices.push_back(*table.find_column(name));
  }
  find_duplicates(table, indices, true, options, r, [&](std::size_t row, std::size_t first_row) {
    std::string value;
    for (std::size_t i = 0; i < indices.size(); ++i) {
      if (indices.size() > 1) value += (i > 0 ? ", " : "") + columns[i] + "=";
      value += table.column(indices[i]).text_at(row);
    }
    return value + " (first at row " + std::to_string(first_row) + ")";
  });
  return r;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : std::string(separator)) + item;
  return out;
}

// A member of an in_set list as a value of a non-string column type; nullopt when it is not one
// (it then matches nothing).
std::optional<std::int64_t> parse_member(DataType type, std::string_view member) {
  switch (type) {
    case DataType::kInt64: {
      std::int64_t v = 0;
      auto [end, ec] = std::from_chars(member.data(), member.data() + member.size(), v);
      if (ec != std::errc() || end != member.data() + member.size()) return std::nullopt;
      return v;
    }
    case DataType::kTimestamp:
      return parse_timestamp(member);
    case DataType::kBool:
      if (member == "true") return 1;
      if (member == "false") return 0;
      return std::nullopt;
    case DataType::kFloat64:
    case DataType::kString:
      break;
  }
  return std::nullopt;
}

std::string range_text(std::optional<double> min, std::optional<double> max) {
  return (min ? "[" + format_number(*min) : std::string("(-inf")) + ", " +
         (max ? format_number(*max) + "]" : std::string("+inf)"));
}

}  // namespace

Expectation expect_not_null(std::string column) {
  auto check = [column](const Table& table, const ValidationOptions& options) {
    ExpectationResult r;
    const Column* c = detail::find_column(table, column, r);
    if (c == nullptr) return r;
    detail::KeyColumn cells(*c);
    FailureSample sample(r, options.max_samples);
    for (std::size_t row = 0; row < c->size(); ++row) {
      if (cells.is_missing(row)) {
        sample.add(row, [&] { return c->is_null(row) ? "null" : "NaN"; });
      }
    }
    r.passed = r.failing_rows == 0;
    r.observed = count_of(r.failing_rows, "null", "nulls");
    return r;
  };
  std::string description = column + " is not null";
  return Expectation("not_null", {column}, std::move(description), std::move(check));
}

Expectation expect_unique(std::string column) {
  std::vector<std::string> columns{column};
  auto check = [columns](const Table& table, const ValidationOptions& options) {
    return check_unique(table, columns, options);
  };
  return Expectation("unique", columns, column + " is unique", std::move(check));
}

Expectation expect_unique_combination(std::vector<std::string> columns) {
  if (columns.empty()) {
    throw ValidationError("expect_unique_combination() needs at least one column");
  }
  auto check = [columns](const Table& table, const ValidationOptions& options) {
    return check_unique(table, columns, options);
  };
  std::string description = "(" + join(columns, ", ") + ") is unique";
  return Expectation("unique", columns, std::move(description), std::move(check));
}

Expectation expect_between(std::string column, std::optional<double> min,
                           std::optional<double> max) {
  if (min && max && *min > *max) {
    throw ValidationError("expect_between('" + column + "'): the minimum " + format_number(*min) +
                          " is greater than the maximum " + format_number(*max) + "; swap them");
  }
  auto check = [column, min, max](const Table& table, const ValidationOptions& options) {
    ExpectationResult r;
    const Column* c = detail::find_column(table, column, r);
    if (c == nullptr) return r;
    if (c->type() == DataType::kString) {
      detail::wrong_type(r, column, c->type(), "between needs a numeric column");
      return r;
    }
    FailureSample sample(r, options.max_samples);
    double lo = std::numeric_limits<double>::infinity();
    double hi = -std::numeric_limits<double>::infinity();
    for (std::size_t row = 0; row < c->size(); ++row) {
      if (c->is_null(row)) continue;
      double v = c->number_at(row);
      bool inside = !std::isnan(v) && (!min || v >= *min) && (!max || v <= *max);
      if (!std::isnan(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
      if (!inside) sample.add(row, [&] { return c->text_at(row); });
    }
    r.passed = r.failing_rows == 0;
    std::string extremes = lo <= hi ? "min " + format_number(lo) + ", max " + format_number(hi)
                                    : std::string("no values");
    r.observed = r.passed ? extremes
                          : count_of(r.failing_rows, "value", "values") + " outside " +
                                range_text(min, max) + "; " + extremes;
    return r;
  };
  std::string description;
  if (min && max) {
    description = column + " between " + format_number(*min) + " and " + format_number(*max);
  } else if (min) {
    description = column + " >= " + format_number(*min);
  } else if (max) {
    description = column + " <= " + format_number(*max);
  } else {
    description = column + " is a number";
  }
  return Expectation("between", {column}, std::move(description), std::move(check));
}

Expectation expect_in_set(std::string column, std::vector<std::string> values) {
  auto set =
      std::make_shared<const std::unordered_set<std::string, detail::StringHash, std::equal_to<>>>(
          values.begin(), values.end());
  auto check = [column, set](const Table& table, const ValidationOptions& options) {
    ExpectationResult r;
    const Column* c = detail::find_column(table, column, r);
    if (c == nullptr) return r;
    if (c->type() == DataType::kFloat64) {
      detail::wrong_type(r, column, c->type(),
                         "in_set needs exact values, which floats are not; use expect_between");
      return r;
    }
    FailureSample sample(r, options.max_samples);
    if (c->type() == DataType::kString) {
      for (std::size_t row = 0; row < c->size(); ++row) {
        if (c->is_null(row)) continue;
        std::string_view v = c->string_at(row);
        if (!set->contains(v)) sample.add(row, [&] { return std::string(v); });
      }
    } else {
      // Members are parsed once into the column's type, so cells are compared as numbers
      // without formatting each one.
      std::unordered_set<std::int64_t> allowed;
      for (const auto& member : *set) {
        if (auto v = parse_member(c->type(), member)) allowed.insert(*v);
      }
      for (std::size_t row = 0; row < c->size(); ++row) {
        if (c->is_null(row)) continue;
        std::int64_t v = c->type() == DataType::kBool ? static_cast<std::int64_t>(c->number_at(row))
                                                      : c->int64_values()[row];
        if (!allowed.contains(v)) sample.add(row, [&] { return c->text_at(row); });
      }
    }
    r.passed = r.failing_rows == 0;
    r.observed = count_of(r.failing_rows, "value", "values") + " not in the set";
    return r;
  };
  std::vector<std::string> quoted;
  for (std::size_t i = 0; i < values.size() && i < 10; ++i) quoted.push_back(values[i]);
  if (values.size() > 10) quoted.push_back("... (" + std::to_string(values.size()) + " values)");
  std::string description = column + " in {" + join(quoted, ", ") + "}";
  return Expectation("in_set", {column}, std::move(description), std::move(check));
}

Expectation expect_matches_regex(std::string column, std::string pattern) {
  std::shared_ptr<const std::regex> regex;
  try {
    regex = std::make_shared<const std::regex>(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw ValidationError("expect_matches_regex('" + column + "'): '" + pattern +
                          "' is not a valid regular expression (" + e.what() + ")");
  }
  auto check = [column, regex](const Table& table, const ValidationOptions& options) {
    ExpectationResult r;
    const Column* c = detail::find_column(table, column, r);
    if (c == nullptr) return r;
    if (c->type() != DataType::kString) {
      detail::wrong_type(r, column, c->type(), "matches_regex needs a string column");
      return r;
    }
    // std::regex costs microseconds per match; columns repeat values, so each distinct value is
    // matched once. The keys view the column's buffer. The memo stops growing at a bound so a
    // column of unique values does not double its memory.
    constexpr std::size_t kMemoLimit = 1 << 16;
    std::unordered_map<std::string_view, bool> memo;
    FailureSample sample(r, options.max_samples);
    for (std::size_t row = 0; row < c->size(); ++row) {
      if (c->is_null(row)) continue;
      std::string_view v = c->string_at(row);
      bool matches;
      if (auto it = memo.find(v); it != memo.end()) {
        matches = it->second;
      } else {
        matches = std::regex_match(v.begin(), v.end(), *regex);
        if (memo.size() < kMemoLimit) memo.emplace(v, matches);
      }
      if (!matches) sample.add(row, [&] { return std::string(v); });
    }
    r.passed = r.failing_rows == 0;
    r.observed = count_of(r.failing_rows, "value", "values") + " not matching";
    return r;
  };
  std::string description = column + " matches /" + pattern + "/";
  return Expectation("matches_regex", {column}, std::move(description), std::move(check));
}

Expectation expect_row_count_between(std::size_t min, std::size_t max) {
  if (min > max) {
    throw ValidationError("expect_row_count_between(): the minimum " + std::to_string(min) +
                          " is greater than the maximum " + std::to_string(max) + "; swap them");
  }
  auto check = [min, max](const Table& table, const ValidationOptions&) {
    ExpectationResult r;
    r.passed = table.num_rows() >= min && table.num_rows() <= max;
    r.observed = count_of(table.num_rows(), "row", "rows");
    return r;
  };
  std::string description =
      "row count between " + std::to_string(min) + " and " + std::to_string(max);
  return Expectation("row_count_between", {}, std::move(description), std::move(check));
}

Expectation expect_mean_between(std::string column, double min, double max) {
  if (min > max) {
    throw ValidationError("expect_mean_between('" + column + "'): the minimum " +
                          format_number(min) + " is greater than the maximum " +
                          format_number(max) + "; swap them");
  }
  auto check = [column, min, max](const Table& table, const ValidationOptions&) {
    ExpectationResult r;
    const Column* c = detail::find_column(table, column, r);
    if (c == nullptr) return r;
    if (c->type() == DataType::kString) {
      detail::wrong_type(r, column, c->type(), "mean_between needs a numeric column");
      return r;
    }
    double sum = 0.0;
    std::size_t n = 0;
    for (std::size_t row = 0; row < c->size(); ++row) {
      double v = c->number_at(row);  // NaN when null
      if (std::isnan(v)) continue;
      sum += v;
      ++n;
    }
    if (n == 0) {
      r.passed = false;
      r.observed = "no values to average";
      return r;
    }
    double mean = sum / static_cast<double>(n);
    r.passed = mean >= min && mean <= max;
    r.observed = "mean " + format_number(mean);
    return r;
  };
  std::string description =
      "mean of " + column + " between " + format_number(min) + " and " + format_number(max);
  return Expectation("mean_between", {column}, std::move(description), std::move(check));
}

Expectation expect_no_duplicate_rows() {
  auto check = [](const Table& table, const ValidationOptions& options) {
    ExpectationResult r;
    std::vector<std::size_t> all(table.num_columns());
    std::iota(all.begin(), all.end(), std::size_t{0});
    find_duplicates(table, all, false, options, r, [](std::size_t, std::size_t first_row) {
      return "duplicate of row " + std::to_string(first_row);
    });
    return r;
  };
  return Expectation("no_duplicate_rows", {}, "no duplicate rows", std::move(check));
}

Expectation expect_predicate(std::string name, std::function<bool(const Row&)> predicate) {
  if (!predicate) throw ValidationError("expect_predicate('" + name + "') needs a function");
  auto check = [predicate = std::move(predicate)](const Table& table,
                                                  const ValidationOptions& options) {
    ExpectationResult r;
    FailureSample sample(r, options.max_samples);
    for (std::size_t row = 0; row < table.num_rows(); ++row) {
      if (!predicate(Row(table, row))) {
        sample.add(row, [&] { return detail::render_row(table, row); });
      }
    }
    r.passed = r.failing_rows == 0;
    r.observed = count_of(r.failing_rows, "row", "rows") + " failing";
    return r;
  };
  return Expectation("predicate", {}, std::move(name), std::move(check));
}

}  // namespace cairn::ml
