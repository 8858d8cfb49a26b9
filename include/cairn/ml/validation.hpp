#pragma once
/// @file validation.hpp
/// Data validation — the quality gate between raw data and training: a typed schema and
/// expectations, checked against a Table into a report that says what passed, what was
/// observed and which rows failed.
///
/// @code
///   using namespace cairn::ml;
///   TableSchema schema{
///       .columns = {{"funded_amnt", DataType::kInt64, false}, {"Class", DataType::kString}},
///       .expectations = {expect_between("funded_amnt", 0, 100000),
///                        expect_in_set("Class", {"good", "bad"}),
///                        expect_row_count_between(1000, 10000000)}};
///   ValidationReport report = validate(loans, schema);
///   ctx.add_metadata("validation", cairn::JsonText{report.to_json()});
///   report.throw_if_failed();  // a blocking gate
/// @endcode
///
/// Problems with the data — including a column an expectation names that does not exist, or
/// has the wrong type — are failed results in the report, never exceptions: a gate must report
/// everything that is wrong at once. Exceptions are for mistakes in the expectations themselves
/// (an invalid regular expression, min > max): ValidationError when they are built.
///
/// "Missing" means a null cell or a NaN in a float64 column, as in pandas. Row numbers are
/// 0-based data rows (with a CSV header, the file line is row + 2).

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cairn/check.hpp"
#include "cairn/error.hpp"
#include "cairn/ml/table.hpp"

namespace cairn::ml {

/// An expectation cannot be built (invalid regex, empty range), or throw_if_failed() found a
/// failed check.
class ValidationError : public Error {
 public:
  using Error::Error;
};

/// One column the schema requires: its name, its type, and whether it may hold missing values.
struct ColumnSchema {
  std::string name;
  DataType type = DataType::kString;
  bool nullable = true;
};

/// A row that failed a check, with the offending value as text (the whole row, abbreviated, for
/// predicates and duplicate rows).
struct FailingRow {
  std::size_t row = 0;
  std::string value;
};

/// The outcome of one schema check or expectation.
struct ExpectationResult {
  /// "schema", "not_null", "unique", "between", "in_set", "matches_regex", "row_count_between",
  /// "mean_between", "no_duplicate_rows", "predicate", or a custom expectation's kind.
  std::string kind;
  std::vector<std::string> columns;  // empty for table-level checks
  std::string description;           // what was expected, e.g. "funded_amnt between 0 and 1e5"
  bool passed = false;
  std::string observed;            // e.g. "3 nulls", "mean 0.42", "12 duplicates"
  std::size_t failing_rows = 0;    // rows that broke the expectation (0 for table-level ones)
  std::vector<FailingRow> sample;  // the first failing rows, up to ValidationOptions::max_samples
};

struct ValidationOptions {
  /// How many failing rows each result lists. Default 5.
  std::size_t max_samples = 5;
};

/// A named check of a table. Built by the expect_* functions below, or directly for a custom
/// table-level check. Copies are cheap and share the (immutable) check; evaluating is safe from
/// several threads when the check is.
class Expectation {
 public:
  /// Computes passed, observed, failing_rows and sample; evaluate() fills in the rest.
  using Check = std::function<ExpectationResult(const Table&, const ValidationOptions&)>;

  Expectation(std::string kind, std::vector<std::string> columns, std::string description,
              Check check);

  const std::string& kind() const { return kind_; }
  const std::vector<std::string>& columns() const { return columns_; }
  const std::string& description() const { return description_; }

  /// Runs the check. An exception from the check (e.g. a predicate reading a missing column)
  /// becomes a failed result whose observed value is the exception's message.
  ExpectationResult evaluate(const Table& table, const ValidationOptions& options = {}) const;

 private:
  std::string kind_;
  std::vector<std::string> columns_;
  std::string description_;
  Check check_;
};

/// No missing values in `column`.
Expectation expect_not_null(std::string column);
/// No two rows share a value of `column`; missing values are ignored. A row whose value
/// appeared in an earlier row fails.
Expectation expect_unique(std::string column);
/// No two rows share the combination of values of `columns`; rows with a missing value in any
/// of them are ignored.
Expectation expect_unique_combination(std::vector<std::string> columns);
/// Every present value of the numeric (int64, float64, bool, timestamp) `column` is in
/// [min, max]; an absent bound is unbounded. NaN fails. Throws ValidationError if min > max.
/// @code
///   expect_between("funded_amnt", 0, 100000);
///   expect_between("annual_inc", 0, std::nullopt);  // at least 0
/// @endcode
Expectation expect_between(std::string column, std::optional<double> min,
                           std::optional<double> max);
/// Every present value of `column` is one of `values`. For a non-string column the members are
/// read as its type: int64 "42", bool "true"/"false", timestamps as parse_timestamp() accepts
/// ("2024-01-31"); a member that does not parse matches nothing. float64 columns are refused
/// (exact float equality is not a useful check; use expect_between).
Expectation expect_in_set(std::string column, std::vector<std::string> values);
/// Every present value of the string `column` matches `pattern` (ECMAScript syntax) as a
/// whole. The pattern is compiled once, here; throws ValidationError if it is invalid.
Expectation expect_matches_regex(std::string column, std::string pattern);
/// The table has between min and max rows, inclusive.
Expectation expect_row_count_between(std::size_t min, std::size_t max);
/// The mean of the present values of the numeric `column` is in [min, max]; fails when there is
/// no present value.
Expectation expect_mean_between(std::string column, double min, double max);
/// No row equals an earlier row in every column (missing equals missing).
Expectation expect_no_duplicate_rows();
/// `predicate` holds for every row; `name` describes it in the report.
/// @code
///   expect_predicate("installment fits income", [](const Row& r) {
///     return r.number("funded_amnt") < 0.5 * r.number("annual_inc");
///   });
/// @endcode
Expectation expect_predicate(std::string name, std::function<bool(const Row&)> predicate);

/// What a table must look like: the columns it must have (others are allowed unless
/// allow_extra_columns is false) and the expectations it must meet.
struct TableSchema {
  std::vector<ColumnSchema> columns = {};
  std::vector<Expectation> expectations = {};
  bool allow_extra_columns = true;
};

/// The results of validate(), one per schema column (kind "schema"), one for the extra-columns
/// rule when it applies, then one per expectation, in that order.
class ValidationReport {
 public:
  ValidationReport(std::size_t rows, std::vector<ExpectationResult> results);

  bool success() const;
  std::size_t num_rows() const { return rows_; }
  std::size_t num_failed() const;
  const std::vector<ExpectationResult>& results() const { return results_; }

  /// The report as JSON text, for asset-check metadata (format in docs/ml-validation.md).
  std::string to_json() const;
  /// A multi-line summary for people: one line per check, failing rows under failed checks.
  std::string summary() const;
  /// Throws ValidationError listing the failed checks, if any.
  void throw_if_failed() const;

 private:
  std::size_t rows_;
  std::vector<ExpectationResult> results_;
};

/// Checks `table` against `schema`. Never throws for problems with the data.
ValidationReport validate(const Table& table, const TableSchema& schema,
                          const ValidationOptions& options = {});

/// The report as an asset check's result (cairn/check.hpp): passed when every expectation
/// passed; the description names the failed ones; metadata holds the row count, the number of
/// failed expectations and the whole report as JSON ("report").
CheckResult to_check_result(const ValidationReport& report,
                            CheckSeverity severity = CheckSeverity::kError);

/// A check function validating a Table asset against `schema`:
///
/// @code
///   auto loans = cairn::asset<Table>("credit/validated")
///       .check("schema", cairn::ml::validation_check(schema), cairn::blocking)
///       .compute(...);
/// @endcode
std::function<CheckResult(Context&, const Table&)> validation_check(
    TableSchema schema, ValidationOptions options = {},
    CheckSeverity severity = CheckSeverity::kError);

}  // namespace cairn::ml
