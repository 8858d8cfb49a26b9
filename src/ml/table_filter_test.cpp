#include <gtest/gtest.h>

#include "cairn/ml/table.hpp"

namespace cairn::ml {
namespace {

Table events() {
  Column when(DataType::kTimestamp);
  for (const char* text : {"2024-01-01", "2024-01-02T12:00:00Z", "2024-01-03", "2024-01-05"}) {
    when.append_timestamp(*parse_timestamp(text));
  }
  when.append_null();
  Table t;
  t.add_column("when", std::move(when));
  t.add_column("amount", Column::from_int64({10, 20, 30, 40, 50}));
  t.add_column("who", Column::from_strings({"a", "b", "a", "c", "b"}));
  return t;
}

std::vector<std::int64_t> amounts(const Table& t) {
  auto v = t.column("amount").int64_values();
  return {v.begin(), v.end()};
}

TEST(TableFilter, ByMaskKeepsRowsInOrder) {
  Table t = events();
  Table kept = t.filter(std::vector<bool>{true, false, true, false, true});
  EXPECT_EQ(amounts(kept), (std::vector<std::int64_t>{10, 30, 50}));
  EXPECT_EQ(kept.column("who").string_at(2), "b");
  EXPECT_TRUE(kept.column("when").is_null(2));
  EXPECT_EQ(kept.column_names(), t.column_names());
}

TEST(TableFilter, MaskOfWrongLengthNamesBothSizes) {
  Table t = events();
  try {
    t.filter(std::vector<bool>{true, false});
    FAIL() << "expected TableError";
  } catch (const TableError& e) {
    EXPECT_NE(std::string(e.what()).find("the mask has 2 entries but the table has 5 rows"),
              std::string::npos)
        << e.what();
  }
}

TEST(TableFilter, ByPredicate) {
  Table t = events();
  Table kept = t.filter([](const Row& r) { return r.text("who") != "a" && r.number(1) < 45; });
  EXPECT_EQ(amounts(kept), (std::vector<std::int64_t>{20, 40}));
  Table none = t.filter([](const Row&) { return false; });
  EXPECT_EQ(none.num_rows(), 0u);
  EXPECT_EQ(none.num_columns(), 3u);
  EXPECT_EQ(none.column("who").type(), DataType::kString);
}

TEST(TableFilter, PredicateErrorsPropagate) {
  Table t = events();
  EXPECT_THROW(t.filter([](const Row& r) { return r.number("amont") > 0; }), TableError);
}

TEST(TableFilter, EmptyTable) {
  Table t = events().head(0);
  EXPECT_EQ(t.filter(std::vector<bool>{}).num_rows(), 0u);
  EXPECT_EQ(t.filter([](const Row&) { return true; }).num_rows(), 0u);
  EXPECT_EQ(t.slice_time("when", 0, 1).num_rows(), 0u);
}

TEST(TableFilter, SliceTimeIsHalfOpenAndSkipsNulls) {
  Table t = events();
  Table jan2to5 =
      t.slice_time("when", *parse_timestamp("2024-01-02"), *parse_timestamp("2024-01-05"));
  EXPECT_EQ(amounts(jan2to5), (std::vector<std::int64_t>{20, 30}));
  Table all = t.slice_time("when", std::numeric_limits<Timestamp>::min(),
                           std::numeric_limits<Timestamp>::max());
  EXPECT_EQ(amounts(all), (std::vector<std::int64_t>{10, 20, 30, 40}));
}

TEST(TableFilter, SliceTimeNeedsATimestampColumn) {
  Table t = events();
  try {
    t.slice_time("amount", 0, 1);
    FAIL() << "expected TableError";
  } catch (const TableError& e) {
    EXPECT_NE(std::string(e.what()).find("column 'amount' is int64, not timestamp"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(t.slice_time("wen", 0, 1), TableError);
}

}  // namespace
}  // namespace cairn::ml
