#pragma once
/// @file table.hpp
/// `cairn::ml::Table`: named, typed columns with nulls — the value ML assets pass around.
///
/// Storage is columnar and flat so that CSV loading, the binary codec and conversion to a
/// training matrix touch contiguous memory: numbers in one vector per column, strings as one
/// character buffer plus offsets (no allocation per cell), nulls as one validity byte per row
/// that is only allocated once a column has a null.
///
/// @code
///   using namespace cairn::ml;
///   Table t = read_csv("loans.csv");
///   Table small = t.select({"funded_amnt", "int_rate", "Class"})
///                  .filter([](const Row& r) { return r.number("funded_amnt") > 1000; });
///   Matrix x = small.to_matrix({"funded_amnt", "int_rate"});
/// @endcode
///
/// Errors (unknown column, type mismatch, length mismatch) throw cairn::ml::TableError whose
/// message names the column and, for unknown names, suggests close ones.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/error.hpp"
#include "cairn/ml/matrix.hpp"

namespace cairn::ml {

/// A table operation was given an unknown column, a wrong type or inconsistent lengths.
class TableError : public Error {
 public:
  using Error::Error;
};

enum class DataType { kInt64, kFloat64, kString, kBool, kTimestamp };

/// "int64", "float64", "string", "bool", "timestamp".
std::string_view to_string(DataType type);
/// The inverse of to_string; throws TableError naming the accepted names.
DataType parse_data_type(std::string_view name);

/// Timestamps are microseconds since 1970-01-01T00:00:00Z (UTC, no leap seconds).
using Timestamp = std::int64_t;

/// Parses "YYYY-MM-DD", "YYYY-MM-DD[T ]hh:mm[:ss[.ffffff]]" with an optional "Z" or "±hh:mm"
/// offset. Returns nullopt when `text` is not such a timestamp.
std::optional<Timestamp> parse_timestamp(std::string_view text);
/// ISO 8601 in UTC: "YYYY-MM-DD" when the time is midnight, otherwise
/// "YYYY-MM-DDThh:mm:ss[.ffffff]Z".
std::string format_timestamp(Timestamp t);

/// One column: a type, values and nulls. Values of null cells are unspecified (0 / "" / false).
class Column {
 public:
  explicit Column(DataType type = DataType::kFloat64);

  static Column from_int64(std::vector<std::int64_t> values);
  static Column from_float64(std::vector<double> values);
  static Column from_bool(std::vector<bool> values);
  static Column from_timestamp(std::vector<Timestamp> values);
  static Column from_strings(const std::vector<std::string>& values);

  DataType type() const { return type_; }
  std::size_t size() const { return size_; }
  bool is_null(std::size_t row) const { return !validity_.empty() && validity_[row] == 0; }
  std::size_t null_count() const;
  bool has_nulls() const { return null_count() > 0; }

  /// Typed access; each throws TableError if the column has another type. Timestamps are
  /// read with int64_values().
  std::span<const std::int64_t> int64_values() const;
  std::span<const double> float64_values() const;
  std::span<const std::uint8_t> bool_values() const;
  std::string_view string_at(std::size_t row) const;

  /// The cell as a number: int64, float64, bool (0/1) and timestamp (microseconds); NaN when
  /// null. Throws TableError for string columns.
  double number_at(std::size_t row) const;
  /// The cell as text, as CSV writes it; "" when null.
  std::string text_at(std::size_t row) const;

  /// Appending, for builders (CSV reader, derived columns). Each throws TableError if the value
  /// does not fit the column's type.
  void reserve(std::size_t rows);
  void append_int64(std::int64_t v);
  void append_float64(double v);
  void append_bool(bool v);
  void append_timestamp(Timestamp v);
  void append_string(std::string_view v);
  void append_null();
  /// Appends row `row` of `other` (same type) — used by take/filter/join.
  void append_from(const Column& other, std::size_t row);

  /// The rows at `rows`, in that order.
  Column take(std::span<const std::size_t> rows) const;

  /// Raw buffers for the binary codec and fast paths. string_offsets() has size()+1 entries
  /// (empty for non-string columns); validity() is empty when the column has no nulls.
  const std::vector<std::uint64_t>& string_offsets() const { return string_offsets_; }
  const std::string& string_data() const { return string_data_; }
  const std::vector<std::uint8_t>& validity() const { return validity_; }
  /// Builds a column from raw buffers (the codec's load path); validates sizes and offsets.
  static Column from_buffers(DataType type, std::size_t rows, std::vector<std::int64_t> ints,
                             std::vector<double> doubles, std::vector<std::uint8_t> bools,
                             std::vector<std::uint64_t> string_offsets, std::string string_data,
                             std::vector<std::uint8_t> validity);

  friend bool operator==(const Column& a, const Column& b);

 private:
  void require(DataType t, std::string_view what) const;
  void mark_valid();

  DataType type_;
  std::size_t size_ = 0;
  std::vector<std::int64_t> ints_;  // kInt64 and kTimestamp
  std::vector<double> doubles_;
  std::vector<std::uint8_t> bools_;
  std::vector<std::uint64_t> string_offsets_;  // kString: size_+1 entries, first is 0
  std::string string_data_;
  std::vector<std::uint8_t> validity_;  // empty, or size_ bytes: 1 valid, 0 null
};

class Table;

/// One row of a table, for predicates and derived columns. Looking a column up by name costs a
/// hash lookup; use the index overloads in hot loops.
class Row {
 public:
  Row(const Table& table, std::size_t index) : table_(&table), index_(index) {}
  std::size_t index() const { return index_; }
  bool is_null(std::string_view column) const;
  double number(std::string_view column) const;
  std::string_view text(std::string_view column) const;
  double number(std::size_t column) const;
  std::string_view text(std::size_t column) const;

 private:
  const Table* table_;
  std::size_t index_;
};

enum class Aggregate { kCount, kSum, kMean, kMin, kMax, kStd };

/// One output column of group_by: `op` over `column`, named `name` (default "<column>_<op>").
struct Aggregation {
  std::string column;
  Aggregate op = Aggregate::kCount;
  std::string name = {};
};

enum class JoinKind { kInner, kLeft };

struct SortKey {
  std::string column;
  bool ascending = true;
};

/// Summary statistics of one column, as describe() returns them.
struct ColumnSummary {
  std::string name;
  DataType type = DataType::kFloat64;
  std::size_t count = 0;  // non-null cells
  std::size_t nulls = 0;
  double mean = std::numeric_limits<double>::quiet_NaN();  // numeric columns only
  double std = std::numeric_limits<double>::quiet_NaN();
  double min = std::numeric_limits<double>::quiet_NaN();
  double max = std::numeric_limits<double>::quiet_NaN();
  std::size_t distinct = 0;  // string and bool columns only
};

class Table {
 public:
  Table() = default;

  std::size_t num_rows() const { return num_rows_; }
  std::size_t num_columns() const { return columns_.size(); }
  bool empty() const { return num_rows_ == 0; }

  /// Adds a column; throws TableError on a duplicate name or a length that differs from the
  /// other columns'.
  void add_column(std::string name, Column column);
  /// Adds or replaces.
  void set_column(std::string name, Column column);

  bool has_column(std::string_view name) const;
  std::optional<std::size_t> find_column(std::string_view name) const;
  /// Throws TableError naming the column and suggesting close names.
  std::size_t column_index(std::string_view name) const;
  const Column& column(std::string_view name) const;
  const Column& column(std::size_t index) const { return columns_[index]; }
  const std::string& column_name(std::size_t index) const { return names_[index]; }
  const std::vector<std::string>& column_names() const { return names_; }

  // --- the operations pipelines need -------------------------------------------------------

  Table select(const std::vector<std::string>& columns) const;
  Table drop(const std::vector<std::string>& columns) const;
  /// Renames `from` to `to`; throws if `from` is unknown or `to` already exists.
  Table rename(std::string_view from, std::string_view to) const;

  /// Rows where keep[i] is true; keep.size() must equal num_rows().
  Table filter(const std::vector<bool>& keep) const;
  Table filter(const std::function<bool(const Row&)>& predicate) const;
  /// The rows at `rows`, in that order.
  Table take(std::span<const std::size_t> rows) const;
  Table head(std::size_t n) const;

  /// A new float64 column computed per row (NaN becomes null), added or replaced.
  Table derive(std::string name, const std::function<double(const Row&)>& compute) const;

  /// Stable sort; nulls last.
  Table sort(const std::vector<SortKey>& keys) const;

  /// Joins on equal values of `keys` (present in both tables, same types). Non-key columns of
  /// `right` that clash with `left` get the suffix "_right".
  Table join(const Table& right, const std::vector<std::string>& keys,
             JoinKind kind = JoinKind::kInner) const;

  /// One row per distinct combination of `keys`, in order of first appearance.
  Table group_by(const std::vector<std::string>& keys,
                 const std::vector<Aggregation>& aggregations) const;

  /// Rows whose timestamp column is in [from, to).
  Table slice_time(std::string_view column, Timestamp from, Timestamp to) const;

  std::vector<ColumnSummary> describe() const;

  /// The chosen numeric/bool/timestamp columns as a row-major float matrix, NaN for nulls.
  /// Throws TableError for an unknown or string column.
  Matrix to_matrix(const std::vector<std::string>& columns) const;

  friend bool operator==(const Table& a, const Table& b);

 private:
  std::vector<std::string> names_;
  std::vector<Column> columns_;
  std::size_t num_rows_ = 0;
};

}  // namespace cairn::ml
