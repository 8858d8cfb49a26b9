#include <gtest/gtest.h>

#include <cmath>

#include "cairn/ml/csv.hpp"
#include "cairn/ml/table.hpp"

namespace cairn::ml {
namespace {

// `id` records the original position, so every test can check stability.
Table grades() {
  Column rate(DataType::kFloat64);
  for (double v : {13.5, 7.0, 13.5, 0.0, 21.0}) rate.append_float64(v);
  rate.append_null();
  rate.append_float64(std::nan(""));
  rate.append_float64(7.0);
  Column grade(DataType::kString);
  for (const char* g : {"C", "A", "B", "A"}) grade.append_string(g);
  grade.append_null();
  for (const char* g : {"B", "A", "C"}) grade.append_string(g);
  Table t;
  t.add_column("id", Column::from_int64({0, 1, 2, 3, 4, 5, 6, 7}));
  t.add_column("int_rate", std::move(rate));
  t.add_column("grade", std::move(grade));
  return t;
}

std::vector<std::int64_t> ids(const Table& t) {
  auto v = t.column("id").int64_values();
  return {v.begin(), v.end()};
}

TEST(TableSort, AscendingIsStableWithMissingLast) {
  // Ties (13.5 at 0 and 2, 7.0 at 1 and 7) keep their order; null (5) and NaN (6) go last.
  EXPECT_EQ(ids(grades().sort({{"int_rate"}})),
            (std::vector<std::int64_t>{3, 1, 7, 0, 2, 4, 5, 6}));
}

TEST(TableSort, DescendingKeepsMissingLastAndTiesStable) {
  EXPECT_EQ(ids(grades().sort({{"int_rate", false}})),
            (std::vector<std::int64_t>{4, 0, 2, 1, 7, 3, 5, 6}));
}

TEST(TableSort, SeveralKeys) {
  // grade ascending (null last), then int_rate descending within a grade.
  Table s = grades().sort({{"grade"}, {"int_rate", false}});
  EXPECT_EQ(ids(s), (std::vector<std::int64_t>{1, 3, 6, 2, 5, 0, 7, 4}));
  EXPECT_EQ(s.column("grade").string_at(0), "A");
  EXPECT_TRUE(s.column("grade").is_null(7));
}

TEST(TableSort, StringsCompareBytewise) {
  Table t;
  t.add_column("s", Column::from_strings({"b", "B", "a", "", "ab"}));
  Table s = t.sort({{"s"}});
  std::vector<std::string> got;
  for (std::size_t i = 0; i < s.num_rows(); ++i) got.emplace_back(s.column("s").string_at(i));
  EXPECT_EQ(got, (std::vector<std::string>{"", "B", "a", "ab", "b"}));
}

TEST(TableSort, BoolsAndTimestamps) {
  Table t;
  t.add_column("flag", Column::from_bool({true, false, true, false}));
  t.add_column("when", Column::from_timestamp({40, 30, 20, 10}));
  Table s = t.sort({{"flag", false}, {"when"}});
  auto when = s.column("when").int64_values();
  EXPECT_EQ(std::vector<std::int64_t>(when.begin(), when.end()),
            (std::vector<std::int64_t>{20, 40, 10, 30}));
}

TEST(TableSort, NoKeysEmptyTableAndUnknownColumn) {
  EXPECT_EQ(grades().sort({}), grades());
  Table empty = grades().head(0);
  EXPECT_EQ(empty.sort({{"int_rate"}}).num_rows(), 0u);
  try {
    grades().sort({{"grad"}});
    FAIL() << "expected TableError";
  } catch (const TableError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'grade'"), std::string::npos) << e.what();
  }
}

TEST(TableSort, LendingClubMatchesPandasStableSort) {
  Table loans = read_csv(CAIRN_DATA_DIR "/lending_club.csv");
  std::vector<std::int64_t> row(loans.num_rows());
  for (std::size_t i = 0; i < row.size(); ++i) row[i] = static_cast<std::int64_t>(i);
  loans.add_column("id", Column::from_int64(row));
  // pandas: sort_values(["int_rate", "funded_amnt"], ascending=[False, True], kind="stable")
  Table s = loans.sort({{"int_rate", false}, {"funded_amnt"}});
  auto top = ids(s.head(5));
  EXPECT_EQ(top, (std::vector<std::int64_t>{758, 1507, 5429, 443, 9699}));
}

}  // namespace
}  // namespace cairn::ml
