#include <gtest/gtest.h>

#include "cairn/ml/table.hpp"
#include "ml/table_ops_test_support.hpp"

namespace cairn::ml {
namespace {

Table loans() {
  Column state(DataType::kString);
  for (const char* s : {"CT", "MN", "OH", "CT"}) state.append_string(s);
  state.append_null();
  state.append_string("TX");
  Table t;
  t.add_column("loan", Column::from_int64({1, 2, 3, 4, 5, 6}));
  t.add_column("addr_state", std::move(state));
  t.add_column("amount", Column::from_float64({100, 200, 300, 400, 500, 600}));
  return t;
}

// MN appears twice (one loan matches two rows), TX not at all, WA has no loan; one null key.
Table states() {
  Column state(DataType::kString);
  for (const char* s : {"MN", "CT", "OH", "MN", "WA"}) state.append_string(s);
  state.append_null();
  Table t;
  t.add_column("addr_state", std::move(state));
  t.add_column("region", Column::from_strings({"north", "east", "mid", "north2", "west", "?"}));
  t.add_column("amount", Column::from_int64({7, 8, 9, 10, 11, 12}));
  return t;
}

using testing::cell_texts;

TEST(TableJoin, InnerKeepsLeftOrderAndRepeatsMultipleMatches) {
  Table j = loans().join(states(), {"addr_state"});
  EXPECT_EQ(j.column_names(),
            (std::vector<std::string>{"loan", "addr_state", "amount", "region", "amount_right"}));
  EXPECT_EQ(cell_texts(j, "loan"), (std::vector<std::string>{"1", "2", "2", "3", "4"}));
  EXPECT_EQ(cell_texts(j, "region"),
            (std::vector<std::string>{"east", "north", "north2", "mid", "east"}));
  EXPECT_EQ(cell_texts(j, "amount_right"), (std::vector<std::string>{"8", "7", "10", "9", "8"}));
  EXPECT_EQ(j.column("amount_right").type(), DataType::kInt64);
}

TEST(TableJoin, LeftFillsNullsAndNullKeysNeverMatch) {
  Table j = loans().join(states(), {"addr_state"}, JoinKind::kLeft);
  EXPECT_EQ(cell_texts(j, "loan"), (std::vector<std::string>{"1", "2", "2", "3", "4", "5", "6"}));
  EXPECT_EQ(cell_texts(j, "region"), (std::vector<std::string>{"east", "north", "north2", "mid",
                                                               "east", "<null>", "<null>"}));
  EXPECT_EQ(cell_texts(j, "addr_state"),
            (std::vector<std::string>{"CT", "MN", "MN", "OH", "CT", "<null>", "TX"}));
  EXPECT_EQ(j.column("amount_right").null_count(), 2u);
}

TEST(TableJoin, SeveralKeysOfDifferentTypes) {
  Table left;
  left.add_column("year", Column::from_int64({2015, 2016, 2016, 2017}));
  left.add_column("grade", Column::from_strings({"A", "A", "B", "A"}));
  Table right;
  right.add_column("grade", Column::from_strings({"A", "B", "A"}));
  right.add_column("year", Column::from_int64({2016, 2016, 2015}));
  right.add_column("default_rate", Column::from_float64({0.02, 0.05, 0.03}));
  Table j = left.join(right, {"year", "grade"}, JoinKind::kLeft);
  EXPECT_EQ(j.column_names(), (std::vector<std::string>{"year", "grade", "default_rate"}));
  EXPECT_EQ(cell_texts(j, "default_rate"),
            (std::vector<std::string>{"0.03", "0.02", "0.05", "<null>"}));
}

TEST(TableJoin, EmptySides) {
  Table none = loans().join(states().head(0), {"addr_state"});
  EXPECT_EQ(none.num_rows(), 0u);
  EXPECT_EQ(none.num_columns(), 5u);
  Table left = loans().join(states().head(0), {"addr_state"}, JoinKind::kLeft);
  EXPECT_EQ(left.num_rows(), 6u);
  EXPECT_EQ(left.column("region").null_count(), 6u);
  EXPECT_EQ(loans().head(0).join(states(), {"addr_state"}, JoinKind::kLeft).num_rows(), 0u);
}

std::string join_error(const Table& left, const Table& right, std::vector<std::string> keys) {
  try {
    left.join(right, keys);
  } catch (const TableError& e) {
    return e.what();
  }
  return "";
}

TEST(TableJoin, ErrorsNameTheKey) {
  EXPECT_NE(join_error(loans(), states(), {"addr_stat"})
                .find("key column 'addr_stat' is not in the left table (did you mean 'addr_state'"),
            std::string::npos);
  EXPECT_NE(join_error(loans(), states(), {"loan"}).find("'loan' is not in the right table"),
            std::string::npos);
  std::string mismatch = join_error(loans(), states(), {"amount"});
  EXPECT_NE(
      mismatch.find("key column 'amount' is float64 in the left table but int64 in the right"),
      std::string::npos)
      << mismatch;
  EXPECT_NE(join_error(loans(), states(), {}).find("at least one key"), std::string::npos);
}

TEST(TableJoin, ManyRowsMatchTheirKeys) {
  // Enough distinct keys to grow the hash table several times.
  constexpr std::int64_t kRows = 20000;
  std::vector<std::int64_t> left_keys;
  std::vector<std::int64_t> right_keys;
  std::vector<double> right_values;
  for (std::int64_t i = 0; i < kRows; ++i) {
    left_keys.push_back((i * 7919) % kRows);
    if (i % 2 == 0) {
      right_keys.push_back(i);
      right_values.push_back(static_cast<double>(i) * 0.5);
    }
  }
  Table left;
  left.add_column("k", Column::from_int64(left_keys));
  Table right;
  right.add_column("k", Column::from_int64(right_keys));
  right.add_column("v", Column::from_float64(right_values));
  Table j = left.join(right, {"k"});
  ASSERT_EQ(j.num_rows(), static_cast<std::size_t>(kRows / 2));
  auto k = j.column("k").int64_values();
  auto v = j.column("v").float64_values();
  for (std::size_t i = 0; i < j.num_rows(); ++i) {
    ASSERT_EQ(k[i] % 2, 0);
    ASSERT_EQ(v[i], static_cast<double>(k[i]) * 0.5);
  }
}

}  // namespace
}  // namespace cairn::ml
