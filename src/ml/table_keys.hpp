#pragma once
// Rows compared by a set of key columns: hashing, equality, ordering and grouping of equal keys.
// Shared by join, group_by, sort, describe and the uniqueness expectations.
//
// Design: a key is never materialized (no tuple or string per row). Hashes, equality and order
// read the columns' buffers in place, and KeyGroups is a flat open-addressing table of group
// ids, so grouping millions of rows allocates a handful of vectors and nothing per row. A
// node-based std::unordered_map keyed by a copied key was rejected: one allocation per distinct
// key plus a string copy per row.
//
// Missing values: a null cell and a NaN in a float64 column are both "missing". Missing equals
// missing for grouping (group_by, duplicate detection); join refuses to match them (any_missing).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/ml/table.hpp"

namespace cairn::ml::detail {

/// Unchecked read access to one column's buffers.
class KeyColumn {
 public:
  explicit KeyColumn(const Column& column);

  DataType type() const { return type_; }
  bool is_missing(std::size_t row) const;
  std::uint64_t hash(std::size_t row) const;
  /// Both cells present and equal (types must match; the caller checks).
  bool equal(std::size_t row, const KeyColumn& other, std::size_t other_row) const;
  /// <0, 0, >0 comparing two present cells of this column.
  int compare(std::size_t a, std::size_t b) const;
  /// A key whose unsigned order is the order of the present numeric cell `row` (int64,
  /// timestamp, float64 with -0.0 equal to 0.0, bool). Not for strings.
  std::uint64_t order_code(std::size_t row) const;
  std::string_view string(std::size_t row) const {
    return {chars_ + offsets_[row], static_cast<std::size_t>(offsets_[row + 1] - offsets_[row])};
  }

 private:
  DataType type_;
  const std::int64_t* ints_ = nullptr;
  const double* doubles_ = nullptr;
  const std::uint8_t* bools_ = nullptr;
  const std::uint64_t* offsets_ = nullptr;
  const char* chars_ = nullptr;
  const std::uint8_t* validity_ = nullptr;  // null when the column has no nulls
};

/// The key columns of one table.
class RowKeys {
 public:
  RowKeys(const Table& table, std::span<const std::size_t> columns);

  std::size_t num_rows() const { return rows_; }
  const std::vector<KeyColumn>& columns() const { return columns_; }
  std::uint64_t hash(std::size_t row) const;
  /// Missing equals missing; types must match column by column (the caller checks).
  bool equal(std::size_t row, const RowKeys& other, std::size_t other_row) const;
  bool any_missing(std::size_t row) const;

 private:
  std::vector<KeyColumn> columns_;
  std::size_t rows_;
};

/// Dense ids for the distinct keys of all rows of a RowKeys, numbered in order of first
/// appearance. At most 2^32 - 2 distinct keys (TableError beyond).
class KeyGroups {
 public:
  static constexpr std::size_t kNoGroup = static_cast<std::size_t>(-1);

  explicit KeyGroups(const RowKeys& keys);

  std::size_t num_groups() const { return first_rows_.size(); }
  /// group_ids()[row] is the group of `row`.
  const std::vector<std::size_t>& group_ids() const { return group_ids_; }
  /// The first row of each group.
  const std::vector<std::size_t>& first_rows() const { return first_rows_; }
  /// For each row of `probe` (same column types), the group with an equal key, or kNoGroup
  /// when there is none or the row has a missing key cell (the join rule).
  std::vector<std::size_t> find_all(const RowKeys& probe) const;

 private:
  void grow();
  std::size_t find(const RowKeys& probe, std::size_t row, std::uint64_t hash) const;

  const RowKeys* keys_;
  std::vector<std::size_t> group_ids_;
  std::vector<std::size_t> first_rows_;
  std::vector<std::uint64_t> group_hashes_;  // read only to rehash when the table grows
  // Open addressing, linear probing, size a power of two. A slot is 0 (empty) or the high 32
  // bits of the key's hash over group id + 1: most probes of a different key are rejected
  // without touching the group's row, which is a cache miss away.
  std::vector<std::uint64_t> slots_;
};

/// Hash for unordered containers of std::string that look up by std::string_view without a copy.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

/// Column indices of `names` in `table`; throws TableError naming an unknown column.
std::vector<std::size_t> column_indices(const Table& table, const std::vector<std::string>& names);

/// The rows `rows` of `column`, with a null wherever rows[i] == kNoRow.
inline constexpr std::size_t kNoRow = static_cast<std::size_t>(-1);
Column take_or_null(const Column& column, std::span<const std::size_t> rows);

/// A float64 column from values and validity bytes (empty validity: no nulls).
Column float64_column(std::vector<double> values, std::vector<std::uint8_t> validity);

}  // namespace cairn::ml::detail
