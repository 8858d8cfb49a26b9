#include "cairn/ml/validation.hpp"

#include <exception>

#include "ml/table_keys.hpp"
#include "ml/validation_support.hpp"

namespace cairn::ml {

namespace {

ExpectationResult check_column(const Table& table, const ColumnSchema& schema,
                               const ValidationOptions& options) {
  ExpectationResult r;
  r.kind = "schema";
  r.columns = {schema.name};
  r.description = "column '" + schema.name + "' is " + std::string(to_string(schema.type)) +
                  (schema.nullable ? "" : ", not null");
  const Column* c = detail::find_column(table, schema.name, r);
  if (c == nullptr) return r;

  detail::KeyColumn cells(*c);
  std::size_t missing = 0;
  detail::FailureSample sample(r, options.max_samples);
  for (std::size_t row = 0; row < c->size(); ++row) {
    if (!cells.is_missing(row)) continue;
    ++missing;
    if (!schema.nullable) sample.add(row, [&] { return c->is_null(row) ? "null" : "NaN"; });
  }
  bool type_ok = c->type() == schema.type;
  r.passed = type_ok && (schema.nullable || missing == 0);
  r.observed = std::string(to_string(c->type())) +
               (type_ok ? "" : " (expected " + std::string(to_string(schema.type)) + ")") + ", " +
               detail::count_of(missing, "null", "nulls");
  return r;
}

ExpectationResult check_no_extra_columns(const Table& table, const TableSchema& schema) {
  ExpectationResult r;
  r.kind = "schema";
  r.description = "no columns besides the schema's";
  std::string extra;
  std::size_t count = 0;
  for (const auto& name : table.column_names()) {
    bool declared = false;
    for (const auto& c : schema.columns) declared = declared || c.name == name;
    if (declared) continue;
    extra += (extra.empty() ? "" : ", ") + name;
    ++count;
  }
  r.passed = count == 0;
  r.observed = count == 0 ? "no extra columns"
                          : detail::count_of(count, "extra column", "extra columns") + ": " + extra;
  return r;
}

}  // namespace

Expectation::Expectation(std::string kind, std::vector<std::string> columns,
                         std::string description, Check check)
    : kind_(std::move(kind)),
      columns_(std::move(columns)),
      description_(std::move(description)),
      check_(std::move(check)) {
  if (!check_) {
    throw ValidationError("expectation '" + description_ + "' has no check function");
  }
}

ExpectationResult Expectation::evaluate(const Table& table,
                                        const ValidationOptions& options) const {
  ExpectationResult r;
  try {
    r = check_(table, options);
  } catch (const std::exception& e) {
    r = ExpectationResult{};
    r.passed = false;
    r.observed = std::string("the check threw: ") + e.what();
  }
  r.kind = kind_;
  r.columns = columns_;
  r.description = description_;
  return r;
}

ValidationReport validate(const Table& table, const TableSchema& schema,
                          const ValidationOptions& options) {
  std::vector<ExpectationResult> results;
  results.reserve(schema.columns.size() + schema.expectations.size() + 1);
  for (const auto& column : schema.columns) results.push_back(check_column(table, column, options));
  if (!schema.allow_extra_columns) results.push_back(check_no_extra_columns(table, schema));
  for (const auto& expectation : schema.expectations) {
    results.push_back(expectation.evaluate(table, options));
  }
  return ValidationReport(table.num_rows(), std::move(results));
}

}  // namespace cairn::ml
