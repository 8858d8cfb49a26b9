#include <string>
#include <vector>

#include "cairn/ml/table.hpp"
#include "core/suggest.hpp"
#include "ml/table_keys.hpp"

namespace cairn::ml {

namespace {

std::size_t key_index(const Table& table, const std::string& key, const char* side) {
  if (auto index = table.find_column(key)) return *index;
  throw TableError("join(): key column '" + key + "' is not in the " + side + " table" +
                   did_you_mean(key, table.column_names()) +
                   "; join on columns both tables have (rename one side first if needed)");
}

}  // namespace

// A hash join: the right table's keys are grouped once (KeyGroups), its rows are listed group by
// group, and each left row probes the groups. The output keeps the left table's row order, and
// for one left row the right matches in the right table's order, as pandas' merge(how="left")
// does. Missing keys (null, NaN) never match, as in SQL; pandas matches NaN with NaN, which
// silently pairs rows whose keys are unknown.
Table Table::join(const Table& right, const std::vector<std::string>& keys, JoinKind kind) const {
  if (keys.empty()) {
    throw TableError("join() needs at least one key column present in both tables");
  }
  std::vector<std::size_t> left_keys;
  std::vector<std::size_t> right_keys;
  std::vector<bool> right_is_key(right.num_columns(), false);
  for (const auto& key : keys) {
    std::size_t l = key_index(*this, key, "left");
    std::size_t r = key_index(right, key, "right");
    DataType lt = columns_[l].type();
    DataType rt = right.column(r).type();
    if (lt != rt) {
      throw TableError("join(): key column '" + key + "' is " + std::string(to_string(lt)) +
                       " in the left table but " + std::string(to_string(rt)) +
                       " in the right table; convert one side so the key types match");
    }
    left_keys.push_back(l);
    right_keys.push_back(r);
    right_is_key[r] = true;
  }

  detail::RowKeys left_rows_keys(*this, left_keys);
  detail::RowKeys right_rows_keys(right, right_keys);
  detail::KeyGroups groups(right_rows_keys);

  // The right rows of each group, contiguous: a counting sort by group id.
  std::size_t num_groups = groups.num_groups();
  std::vector<std::size_t> group_start(num_groups + 1, 0);
  for (std::size_t g : groups.group_ids()) ++group_start[g + 1];
  for (std::size_t g = 0; g < num_groups; ++g) group_start[g + 1] += group_start[g];
  std::vector<std::size_t> grouped_rows(right.num_rows());
  {
    std::vector<std::size_t> next = group_start;
    const auto& ids = groups.group_ids();
    for (std::size_t r = 0; r < ids.size(); ++r) grouped_rows[next[ids[r]]++] = r;
  }

  std::vector<std::size_t> left_take;
  std::vector<std::size_t> right_take;
  left_take.reserve(num_rows_);
  right_take.reserve(num_rows_);
  std::vector<std::size_t> matches = groups.find_all(left_rows_keys);
  for (std::size_t row = 0; row < num_rows_; ++row) {
    std::size_t g = matches[row];
    if (g == detail::KeyGroups::kNoGroup) {
      if (kind == JoinKind::kLeft) {
        left_take.push_back(row);
        right_take.push_back(detail::kNoRow);
      }
      continue;
    }
    for (std::size_t i = group_start[g]; i < group_start[g + 1]; ++i) {
      left_take.push_back(row);
      right_take.push_back(grouped_rows[i]);
    }
  }

  Table out;
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    out.add_column(names_[c], columns_[c].take(left_take));
  }
  for (std::size_t c = 0; c < right.num_columns(); ++c) {
    if (right_is_key[c]) continue;
    std::string name = right.column_name(c);
    if (has_column(name)) name += "_right";
    out.add_column(std::move(name), detail::take_or_null(right.column(c), right_take));
  }
  return out;
}

}  // namespace cairn::ml
