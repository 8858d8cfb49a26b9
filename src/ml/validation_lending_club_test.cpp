// The seeds' quality gate on real data: data/lending_club.csv passes it, and copies corrupted in
// known places fail it with exactly those rows.

#include <gtest/gtest.h>

#include <numeric>

#include "cairn/ml/csv.hpp"
#include "cairn/ml/validation.hpp"

namespace cairn::ml {
namespace {

// lending_club has no id column: number the rows, as a warehouse export would.
Table lending_club() {
  Table loans = read_csv(CAIRN_DATA_DIR "/lending_club.csv");
  std::vector<std::int64_t> ids(loans.num_rows());
  std::iota(ids.begin(), ids.end(), std::int64_t{1});
  loans.add_column("loan_id", Column::from_int64(std::move(ids)));
  return loans;
}

TableSchema gate() {
  return TableSchema{
      .columns = {{"loan_id", DataType::kInt64, false},
                  {"funded_amnt", DataType::kInt64, false},
                  {"int_rate", DataType::kFloat64, false},
                  {"sub_grade", DataType::kString, false},
                  {"annual_inc", DataType::kFloat64, false},
                  {"Class", DataType::kString, false}},
      .expectations = {
          expect_not_null("funded_amnt"), expect_unique("loan_id"),
          expect_between("funded_amnt", 0, 100000), expect_in_set("Class", {"good", "bad"}),
          expect_row_count_between(1000, 10000000), expect_matches_regex("sub_grade", "[A-G][1-5]"),
          expect_mean_between("int_rate", 5, 25), expect_no_duplicate_rows(),
          // Two loans in the extract declare an income of 0: not negative is what
          // the data supports.
          expect_predicate("income is not negative",
                           [](const Row& r) { return r.number("annual_inc") >= 0; })}};
}

const ExpectationResult& result(const ValidationReport& report, std::string_view description) {
  for (const auto& r : report.results()) {
    if (r.description == description) return r;
  }
  throw std::runtime_error("no result '" + std::string(description) + "'");
}

std::vector<std::size_t> rows(const ExpectationResult& r) {
  std::vector<std::size_t> out;
  for (const auto& s : r.sample) out.push_back(s.row);
  return out;
}

TEST(LendingClubGate, RealDataPasses) {
  ValidationReport report = validate(lending_club(), gate());
  EXPECT_TRUE(report.success()) << report.summary();
  EXPECT_EQ(report.results().size(), 15u);
  EXPECT_EQ(result(report, "row count between 1000 and 10000000").observed, "9857 rows");
  EXPECT_EQ(result(report, "funded_amnt between 0 and 100000").observed, "min 1000, max 40000");
  EXPECT_EQ(result(report, "mean of int_rate between 5 and 25").observed, "mean 12.5265");
  EXPECT_EQ(result(report, "no duplicate rows").observed, "0 duplicates");
}

// The custom table-level expectation of docs/ml-validation.md.
TEST(LendingClubGate, CustomTableLevelExpectation) {
  Expectation enough_bad("class_balance", {"Class"}, "at least 3% bad loans",
                         [](const Table& t, const ValidationOptions&) {
                           ExpectationResult r;
                           auto is_bad = [](const Row& row) { return row.text("Class") == "bad"; };
                           std::size_t bad = t.filter(is_bad).num_rows();
                           r.passed = bad * 100 >= 3 * t.num_rows();
                           r.observed =
                               std::to_string(bad) + " bad of " + std::to_string(t.num_rows());
                           return r;
                         });
  Table loans = lending_club();
  ExpectationResult r = enough_bad.evaluate(loans);
  EXPECT_TRUE(r.passed);
  EXPECT_EQ(r.kind, "class_balance");
  EXPECT_EQ(r.observed, "517 bad of 9857");
  Table good_only = loans.filter([](const Row& row) { return row.text("Class") == "good"; });
  EXPECT_FALSE(enough_bad.evaluate(good_only).passed);
}

TEST(LendingClubGate, CorruptedCopyFailsWithTheCorruptedRows) {
  Table loans = lending_club();
  // Three negative amounts.
  auto original = loans.column("funded_amnt").int64_values();
  std::vector<std::int64_t> amounts(original.begin(), original.end());
  std::int64_t amount_17 = amounts[17];
  for (std::size_t row : {17u, 4242u, 9000u}) amounts[row] = -amounts[row];
  loans.set_column("funded_amnt", Column::from_int64(amounts));
  // One label outside the set.
  Column label(DataType::kString);
  for (std::size_t i = 0; i < loans.num_rows(); ++i) {
    label.append_string(i == 5000 ? "unknown" : loans.column("Class").string_at(i));
  }
  loans.set_column("Class", std::move(label));
  // Row 42 exported twice, at the end.
  std::vector<std::size_t> order(loans.num_rows());
  std::iota(order.begin(), order.end(), std::size_t{0});
  order.push_back(42);
  loans = loans.take(order);

  ValidationReport report = validate(loans, gate());
  EXPECT_FALSE(report.success());
  EXPECT_EQ(report.num_failed(), 4u) << report.summary();

  const ExpectationResult& between = result(report, "funded_amnt between 0 and 100000");
  EXPECT_FALSE(between.passed);
  EXPECT_EQ(between.failing_rows, 3u);
  EXPECT_EQ(rows(between), (std::vector<std::size_t>{17, 4242, 9000}));
  EXPECT_EQ(between.sample[0].value, "-" + std::to_string(amount_17));

  const ExpectationResult& in_set = result(report, "Class in {good, bad}");
  EXPECT_EQ(rows(in_set), (std::vector<std::size_t>{5000}));
  EXPECT_EQ(in_set.sample[0].value, "unknown");

  const ExpectationResult& unique = result(report, "loan_id is unique");
  EXPECT_EQ(unique.observed, "1 duplicate");
  EXPECT_EQ(rows(unique), (std::vector<std::size_t>{9857}));
  EXPECT_EQ(unique.sample[0].value, "43 (first at row 42)");

  const ExpectationResult& duplicates = result(report, "no duplicate rows");
  EXPECT_EQ(rows(duplicates), (std::vector<std::size_t>{9857}));
  EXPECT_EQ(duplicates.sample[0].value, "duplicate of row 42");

  EXPECT_TRUE(result(report, "row count between 1000 and 10000000").passed);
  EXPECT_TRUE(result(report, "column 'Class' is string, not null").passed);
}

}  // namespace
}  // namespace cairn::ml
