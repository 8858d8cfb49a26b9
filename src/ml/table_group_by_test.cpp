#include <gtest/gtest.h>

#include <cmath>

#include "cairn/ml/csv.hpp"
#include "cairn/ml/table.hpp"
#include "ml/table_ops_test_support.hpp"

namespace cairn::ml {
namespace {

Table loans() {
  Column grade(DataType::kString);
  for (const char* g : {"A", "B", "A"}) grade.append_string(g);
  grade.append_null();
  for (const char* g : {"B", "A", "C"}) grade.append_string(g);
  Column amount(DataType::kInt64);
  for (std::int64_t v : {10, 20}) amount.append_int64(v);
  amount.append_null();
  for (std::int64_t v : {40, 50, 60, 70}) amount.append_int64(v);
  Column rate(DataType::kFloat64);
  for (double v : {1.0, 2.0, 4.0, std::nan("")}) rate.append_float64(v);
  rate.append_null();
  for (double v : {7.0, 3.0}) rate.append_float64(v);
  Table t;
  t.add_column("grade", std::move(grade));
  t.add_column("amount", std::move(amount));
  t.add_column("rate", std::move(rate));
  t.add_column("flag", Column::from_bool({true, false, true, true, false, false, true}));
  t.add_column("state", Column::from_strings({"OH", "CT", "AL", "TX", "WA", "MN", "NY"}));
  return t;
}

using testing::cell_texts;

// The expected values are pandas' (groupby(dropna=False).agg) on the same data.
TEST(TableGroupBy, AggregatesSkipMissingValues) {
  Table g = loans().group_by({"grade"}, {{"amount", Aggregate::kCount},
                                         {"amount", Aggregate::kSum},
                                         {"rate", Aggregate::kMean},
                                         {"rate", Aggregate::kStd},
                                         {"amount", Aggregate::kMin},
                                         {"rate", Aggregate::kMax},
                                         {"flag", Aggregate::kSum, "flags"}});
  EXPECT_EQ(g.column_names(),
            (std::vector<std::string>{"grade", "amount_count", "amount_sum", "rate_mean",
                                      "rate_std", "amount_min", "rate_max", "flags"}));
  // One row per key in order of first appearance; null keys form their own group.
  EXPECT_EQ(cell_texts(g, "grade"), (std::vector<std::string>{"A", "B", "<null>", "C"}));
  EXPECT_EQ(cell_texts(g, "amount_count"), (std::vector<std::string>{"2", "2", "1", "1"}));
  EXPECT_EQ(cell_texts(g, "amount_sum"), (std::vector<std::string>{"70", "70", "40", "70"}));
  EXPECT_EQ(g.column("amount_sum").type(), DataType::kInt64);
  EXPECT_EQ(cell_texts(g, "rate_mean"), (std::vector<std::string>{"4", "2", "<null>", "3"}));
  // Sample standard deviation (ddof = 1): null below two values.
  EXPECT_EQ(cell_texts(g, "rate_std"),
            (std::vector<std::string>{"3", "<null>", "<null>", "<null>"}));
  EXPECT_EQ(cell_texts(g, "amount_min"), (std::vector<std::string>{"10", "20", "40", "70"}));
  EXPECT_EQ(g.column("amount_min").type(), DataType::kInt64);
  EXPECT_EQ(cell_texts(g, "rate_max"), (std::vector<std::string>{"7", "2", "<null>", "3"}));
  EXPECT_EQ(cell_texts(g, "flags"), (std::vector<std::string>{"2", "0", "1", "1"}));
}

TEST(TableGroupBy, MinAndMaxOfStringsKeepTheType) {
  Table g = loans().group_by({"grade"}, {{"state", Aggregate::kMin}, {"state", Aggregate::kMax}});
  EXPECT_EQ(g.column("state_min").type(), DataType::kString);
  EXPECT_EQ(cell_texts(g, "state_min"), (std::vector<std::string>{"AL", "CT", "TX", "NY"}));
  EXPECT_EQ(cell_texts(g, "state_max"), (std::vector<std::string>{"OH", "WA", "TX", "NY"}));
}

TEST(TableGroupBy, SeveralKeys) {
  Table g = loans().group_by({"flag", "grade"}, {{"amount", Aggregate::kSum}});
  EXPECT_EQ(cell_texts(g, "flag"),
            (std::vector<std::string>{"true", "false", "true", "false", "true"}));
  EXPECT_EQ(cell_texts(g, "grade"), (std::vector<std::string>{"A", "B", "<null>", "A", "C"}));
  EXPECT_EQ(cell_texts(g, "amount_sum"), (std::vector<std::string>{"10", "70", "40", "60", "70"}));
}

TEST(TableGroupBy, NoKeysAggregatesTheWholeTable) {
  Table g = loans().group_by({}, {{"rate", Aggregate::kMean}, {"grade", Aggregate::kCount}});
  ASSERT_EQ(g.num_rows(), 1u);
  EXPECT_DOUBLE_EQ(g.column("rate_mean").float64_values()[0], 17.0 / 5.0);
  EXPECT_EQ(g.column("grade_count").int64_values()[0], 6);
}

TEST(TableGroupBy, StdIsAccurateForLargeOffsets) {
  // A naive sum-of-squares would lose every digit here.
  std::vector<double> v{1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16};
  Table t;
  t.add_column("k", Column::from_int64({1, 1, 1, 1}));
  t.add_column("v", Column::from_float64(v));
  Table g = t.group_by({"k"}, {{"v", Aggregate::kStd}});
  EXPECT_NEAR(g.column("v_std").float64_values()[0], std::sqrt(30.0), 1e-9);
}

TEST(TableGroupBy, EmptyTable) {
  Table g = loans().head(0).group_by({"grade"}, {{"amount", Aggregate::kMean}});
  EXPECT_EQ(g.num_rows(), 0u);
  EXPECT_EQ(g.column_names(), (std::vector<std::string>{"grade", "amount_mean"}));
  EXPECT_EQ(g.column("amount_mean").type(), DataType::kFloat64);
}

TEST(TableGroupBy, ErrorsNameTheColumn) {
  try {
    loans().group_by({"grade"}, {{"state", Aggregate::kMean}});
    FAIL() << "expected TableError";
  } catch (const TableError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot compute the mean of column 'state', which is "
                                         "string"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(loans().group_by({"grad"}, {}), TableError);
  EXPECT_THROW(loans().group_by({"grade"}, {{"amont", Aggregate::kSum}}), TableError);
}

// Oracle: pandas groupby("Class", sort=False) on the same file.
TEST(TableGroupBy, LendingClubByClassMatchesPandas) {
  Table loans = read_csv(CAIRN_DATA_DIR "/lending_club.csv");
  Table g = loans.group_by({"Class"}, {{"funded_amnt", Aggregate::kCount},
                                       {"funded_amnt", Aggregate::kMean},
                                       {"funded_amnt", Aggregate::kStd},
                                       {"int_rate", Aggregate::kMean},
                                       {"int_rate", Aggregate::kStd},
                                       {"annual_inc", Aggregate::kMax}});
  ASSERT_EQ(g.num_rows(), 2u);
  EXPECT_EQ(g.column("Class").string_at(0), "good");
  EXPECT_EQ(g.column("Class").string_at(1), "bad");
  EXPECT_EQ(g.column("funded_amnt_count").int64_values()[0], 9340);
  EXPECT_EQ(g.column("funded_amnt_count").int64_values()[1], 517);
  auto near = [&](const char* column, std::size_t row, double expected) {
    EXPECT_NEAR(g.column(column).float64_values()[row], expected, std::abs(expected) * 1e-12)
        << column << " row " << row;
  };
  near("funded_amnt_mean", 0, 15639.898286937902);
  near("funded_amnt_mean", 1, 16472.292069632495);
  near("funded_amnt_std", 0, 8855.41532157287);
  near("funded_amnt_std", 1, 9270.263391650555);
  near("int_rate_mean", 0, 12.293215203426124);
  near("int_rate_mean", 1, 16.74166344294004);
  near("int_rate_std", 0, 4.7718310865495726);
  near("int_rate_std", 1, 5.156928426252067);
  near("annual_inc_max", 0, 960000.0);
  near("annual_inc_max", 1, 440000.0);
}

}  // namespace
}  // namespace cairn::ml
