#include <algorithm>
#include <array>
#include <numeric>
#include <vector>

#include "cairn/ml/table.hpp"
#include "ml/table_keys.hpp"

namespace cairn::ml {

// Design: a comparison sort of row indices that reads the key columns through the indices
// (std::stable_sort with a multi-key comparator) was the first version; on 5 M rows it spent
// nearly all its time in cache misses, two per comparison. Instead each key becomes a 64-bit
// code whose unsigned order is the key's order (strings: the rank of the value among the
// column's distinct values), and the rows are sorted one key at a time, last key first, by a
// stable LSD radix sort of (code, row) pairs held contiguously. Stability of every pass makes
// the result ordered by all keys, and ties keep their input order. Missing values (nulls, NaN)
// are set apart in each pass and appended, so they are last whatever the direction, as pandas'
// na_position="last".

namespace {

// Sorts `rows` by `codes` (parallel arrays), stably, ascending. Digits that are the same in
// every code (the high bytes of small ranks or of nearby integers) cost no pass.
void radix_sort_pairs(std::vector<std::uint64_t>& codes, std::vector<std::size_t>& rows) {
  constexpr int kDigitBits = 8;
  constexpr int kPasses = 64 / kDigitBits;
  constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;
  std::size_t n = codes.size();
  if (n < 2) return;
  std::vector<std::array<std::size_t, kBuckets>> counts(kPasses);
  for (auto& c : counts) c.fill(0);
  for (std::uint64_t code : codes) {
    for (int p = 0; p < kPasses; ++p) ++counts[p][(code >> (p * kDigitBits)) & (kBuckets - 1)];
  }
  std::vector<std::uint64_t> code_buffer(n);
  std::vector<std::size_t> row_buffer(n);
  for (int p = 0; p < kPasses; ++p) {
    auto& count = counts[p];
    if (std::any_of(count.begin(), count.end(), [n](std::size_t c) { return c == n; })) continue;
    std::size_t offset = 0;
    for (auto& c : count) {
      std::size_t here = c;
      c = offset;
      offset += here;
    }
    int shift = p * kDigitBits;
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t at = count[(codes[i] >> shift) & (kBuckets - 1)]++;
      code_buffer[at] = codes[i];
      row_buffer[at] = rows[i];
    }
    codes.swap(code_buffer);
    rows.swap(row_buffer);
  }
}

// The rank of each row's string among the column's distinct values (missing rows: unspecified).
std::vector<std::uint64_t> string_ranks(const Table& table, std::size_t column) {
  detail::RowKeys keys(table, std::span<const std::size_t>(&column, 1));
  detail::KeyGroups groups(keys);
  const detail::KeyColumn& cells = keys.columns().front();
  const auto& first = groups.first_rows();
  std::vector<std::size_t> by_value(groups.num_groups());
  std::iota(by_value.begin(), by_value.end(), std::size_t{0});
  std::sort(by_value.begin(), by_value.end(), [&](std::size_t a, std::size_t b) {
    std::size_t ra = first[a];
    std::size_t rb = first[b];
    bool missing_a = cells.is_missing(ra);
    bool missing_b = cells.is_missing(rb);
    if (missing_a || missing_b) return !missing_a && missing_b;
    return cells.string(ra) < cells.string(rb);
  });
  std::vector<std::uint64_t> rank_of_group(groups.num_groups());
  for (std::size_t i = 0; i < by_value.size(); ++i) rank_of_group[by_value[i]] = i;
  std::vector<std::uint64_t> ranks(table.num_rows());
  const auto& ids = groups.group_ids();
  for (std::size_t r = 0; r < ranks.size(); ++r) ranks[r] = rank_of_group[ids[r]];
  return ranks;
}

}  // namespace

Table Table::sort(const std::vector<SortKey>& keys) const {
  std::vector<std::size_t> key_columns;
  for (const auto& key : keys) key_columns.push_back(column_index(key.column));

  std::vector<std::size_t> order(num_rows_);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::vector<std::uint64_t> codes;
  std::vector<std::size_t> present;
  std::vector<std::size_t> missing;
  for (std::size_t k = keys.size(); k-- > 0;) {
    detail::KeyColumn cells(columns_[key_columns[k]]);
    std::vector<std::uint64_t> ranks;
    if (cells.type() == DataType::kString) ranks = string_ranks(*this, key_columns[k]);
    // Descending: complemented codes sort in reverse, and equal codes stay in input order.
    std::uint64_t flip = keys[k].ascending ? 0 : ~std::uint64_t{0};
    codes.clear();
    present.clear();
    missing.clear();
    for (std::size_t row : order) {
      if (cells.is_missing(row)) {
        missing.push_back(row);
        continue;
      }
      std::uint64_t code = ranks.empty() ? cells.order_code(row) : ranks[row];
      codes.push_back(code ^ flip);
      present.push_back(row);
    }
    radix_sort_pairs(codes, present);
    std::copy(present.begin(), present.end(), order.begin());
    std::copy(missing.begin(), missing.end(),
              order.begin() + static_cast<std::ptrdiff_t>(present.size()));
  }
  return take(order);
}

}  // namespace cairn::ml
