#include <gtest/gtest.h>

#include <cmath>

#include "cairn/ml/table.hpp"

namespace cairn::ml {
namespace {

Table loans() {
  Column income(DataType::kFloat64);
  income.append_float64(50000);
  income.append_null();
  income.append_float64(0);
  Table t;
  t.add_column("funded_amnt", Column::from_int64({10000, 5000, 2000}));
  t.add_column("annual_inc", std::move(income));
  return t;
}

TEST(TableDerive, AddsAFloatColumnWithNullsForNaN) {
  Table t = loans();
  Table d = t.derive("loan_to_income", [](const Row& r) {
    double income = r.number("annual_inc");
    return income > 0 ? r.number("funded_amnt") / income : std::nan("");
  });
  ASSERT_EQ(d.num_columns(), 3u);
  EXPECT_EQ(d.column_names().back(), "loan_to_income");
  const Column& c = d.column("loan_to_income");
  EXPECT_EQ(c.type(), DataType::kFloat64);
  EXPECT_DOUBLE_EQ(c.float64_values()[0], 0.2);
  EXPECT_TRUE(c.is_null(1));  // null income: number() is NaN
  EXPECT_TRUE(c.is_null(2));  // the function returned NaN
  EXPECT_EQ(c.null_count(), 2u);
  EXPECT_EQ(t.num_columns(), 2u) << "derive returns a new table";
}

TEST(TableDerive, ReplacesAnExistingColumnInPlace) {
  Table t = loans();
  Table d = t.derive("funded_amnt", [](const Row& r) { return r.number(0) / 1000; });
  EXPECT_EQ(d.column_names(), t.column_names());
  EXPECT_EQ(d.column("funded_amnt").type(), DataType::kFloat64);
  EXPECT_FALSE(d.column("funded_amnt").has_nulls());
  EXPECT_DOUBLE_EQ(d.column("funded_amnt").float64_values()[2], 2.0);
}

TEST(TableDerive, EmptyTableAndErrors) {
  Table empty = loans().head(0);
  Table d = empty.derive("x", [](const Row&) { return 1.0; });
  EXPECT_EQ(d.num_rows(), 0u);
  EXPECT_TRUE(d.has_column("x"));
  EXPECT_THROW(loans().derive("x", [](const Row& r) { return r.number("nope"); }), TableError);
}

}  // namespace
}  // namespace cairn::ml
