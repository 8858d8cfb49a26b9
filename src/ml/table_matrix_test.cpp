#include <gtest/gtest.h>

#include <cmath>

#include "cairn/ml/table.hpp"

namespace cairn::ml {
namespace {

Table features() {
  Column rate(DataType::kFloat64);
  rate.append_float64(0.12);
  rate.append_null();
  rate.append_float64(0.2);
  Column term(DataType::kInt64);
  term.append_int64(36);
  term.append_int64(60);
  term.append_null();
  Table t;
  t.add_column("int_rate", std::move(rate));
  t.add_column("term", std::move(term));
  t.add_column("verified", Column::from_bool({true, false, true}));
  t.add_column("issued", Column::from_timestamp({0, 1000000, 2000000}));
  t.add_column("grade", Column::from_strings({"A", "B", "C"}));
  return t;
}

TEST(TableMatrix, RowMajorWithNaNForNulls) {
  Matrix m = features().to_matrix({"term", "int_rate", "verified", "issued"});
  EXPECT_EQ(m.rows, 3u);
  EXPECT_EQ(m.cols, 4u);
  EXPECT_EQ(m.column_names, (std::vector<std::string>{"term", "int_rate", "verified", "issued"}));
  ASSERT_EQ(m.values.size(), 12u);
  EXPECT_EQ(m.at(0, 0), 36.0f);
  EXPECT_EQ(m.at(0, 1), 0.12f);
  EXPECT_EQ(m.at(0, 2), 1.0f);
  EXPECT_EQ(m.at(0, 3), 0.0f);
  EXPECT_EQ(m.at(1, 0), 60.0f);
  EXPECT_TRUE(std::isnan(m.at(1, 1)));
  EXPECT_EQ(m.at(1, 2), 0.0f);
  EXPECT_EQ(m.at(1, 3), 1e6f);
  EXPECT_TRUE(std::isnan(m.at(2, 0)));
  EXPECT_EQ(m.values[2 * 4 + 1], 0.2f);
}

TEST(TableMatrix, ManyRowsCrossBlockBoundaries) {
  std::vector<std::int64_t> a(2500);
  std::vector<double> b(2500);
  for (std::size_t i = 0; i < a.size(); ++i) {
    a[i] = static_cast<std::int64_t>(i);
    b[i] = -static_cast<double>(i) / 2;
  }
  Table t;
  t.add_column("a", Column::from_int64(a));
  t.add_column("b", Column::from_float64(b));
  Matrix m = t.to_matrix({"b", "a"});
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(m.at(i, 0), static_cast<float>(b[i]));
    ASSERT_EQ(m.at(i, 1), static_cast<float>(a[i]));
  }
}

TEST(TableMatrix, EmptyTableAndNoColumns) {
  Matrix m = features().head(0).to_matrix({"term"});
  EXPECT_EQ(m.rows, 0u);
  EXPECT_EQ(m.cols, 1u);
  EXPECT_TRUE(m.values.empty());
  Matrix none = features().to_matrix({});
  EXPECT_EQ(none.rows, 3u);
  EXPECT_EQ(none.cols, 0u);
}

TEST(TableMatrix, StringOrUnknownColumnsAreErrors) {
  try {
    features().to_matrix({"term", "grade"});
    FAIL() << "expected TableError";
  } catch (const TableError& e) {
    EXPECT_NE(std::string(e.what()).find("column 'grade' is string; encode it first"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(features().to_matrix({"trem"}), TableError);
}

}  // namespace
}  // namespace cairn::ml
