#include <gtest/gtest.h>

#include <cmath>

#include "cairn/ml/csv.hpp"
#include "cairn/ml/table.hpp"

namespace cairn::ml {
namespace {

Table sample() {
  Column rate(DataType::kFloat64);
  for (double v : {2.0, 4.0, std::nan(""), 4.0, 5.0}) rate.append_float64(v);
  rate.append_null();
  Column grade(DataType::kString);
  for (const char* g : {"A", "B", "A"}) grade.append_string(g);
  grade.append_null();
  for (const char* g : {"C", ""}) grade.append_string(g);
  Table t;
  t.add_column("amount", Column::from_int64({5, 7, 9, 11, 13, 15}));
  t.add_column("rate", std::move(rate));
  t.add_column("grade", std::move(grade));
  t.add_column("flag", Column::from_bool({true, true, false, true, true, true}));
  return t;
}

// Expected values are pandas' describe() on the same data (std with ddof = 1).
TEST(TableDescribe, NumericColumns) {
  auto d = sample().describe();
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[0].name, "amount");
  EXPECT_EQ(d[0].type, DataType::kInt64);
  EXPECT_EQ(d[0].count, 6u);
  EXPECT_EQ(d[0].nulls, 0u);
  EXPECT_DOUBLE_EQ(d[0].mean, 10.0);
  EXPECT_NEAR(d[0].std, 3.7416573867739413, 1e-12);
  EXPECT_EQ(d[0].min, 5.0);
  EXPECT_EQ(d[0].max, 15.0);

  // NaN counts as missing, as in pandas.
  EXPECT_EQ(d[1].count, 4u);
  EXPECT_EQ(d[1].nulls, 2u);
  EXPECT_DOUBLE_EQ(d[1].mean, 3.75);
  EXPECT_NEAR(d[1].std, 1.2583057392117916, 1e-12);
  EXPECT_EQ(d[1].min, 2.0);
  EXPECT_EQ(d[1].max, 5.0);
}

TEST(TableDescribe, StringAndBoolColumnsCountDistinctValues) {
  auto d = sample().describe();
  EXPECT_EQ(d[2].count, 5u);
  EXPECT_EQ(d[2].nulls, 1u);
  EXPECT_EQ(d[2].distinct, 4u);  // A, B, C and the empty string; null is not a value
  EXPECT_TRUE(std::isnan(d[2].mean));
  EXPECT_EQ(d[3].distinct, 2u);
  EXPECT_NEAR(d[3].mean, 5.0 / 6.0, 1e-12);
}

TEST(TableDescribe, EmptyAndSingleRowTables) {
  auto empty = sample().head(0).describe();
  ASSERT_EQ(empty.size(), 4u);
  EXPECT_EQ(empty[0].count, 0u);
  EXPECT_TRUE(std::isnan(empty[0].mean));
  EXPECT_EQ(empty[2].distinct, 0u);
  auto one = sample().head(1).describe();
  EXPECT_EQ(one[0].mean, 5.0);
  EXPECT_TRUE(std::isnan(one[0].std)) << "one value has no sample standard deviation";
  EXPECT_TRUE(Table().describe().empty());
}

TEST(TableDescribe, LendingClubMatchesPandas) {
  auto d = read_csv(CAIRN_DATA_DIR "/lending_club.csv").describe();
  ASSERT_EQ(d.size(), 23u);
  const ColumnSummary& income = d[6];
  ASSERT_EQ(income.name, "annual_inc");
  EXPECT_EQ(income.count, 9857u);
  EXPECT_NEAR(income.mean, 80320.35632038146, 1e-7);
  EXPECT_NEAR(income.std, 53450.16583413864, 1e-7);
  const ColumnSummary& revol = d[10];
  ASSERT_EQ(revol.name, "revol_util");
  EXPECT_EQ(revol.min, 0.0);
  EXPECT_EQ(revol.max, 144.3);
  EXPECT_EQ(d[4].name, "addr_state");
  EXPECT_EQ(d[4].distinct, 50u);
  EXPECT_EQ(d[22].distinct, 2u);
}

}  // namespace
}  // namespace cairn::ml
