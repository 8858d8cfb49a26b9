#include <gtest/gtest.h>

#include <cmath>

#include "cairn/ml/table.hpp"

namespace cairn::ml {
namespace {

TEST(Column, BuildsFromVectorsOfEachType) {
  Column ints = Column::from_int64({1, -2, 3});
  EXPECT_EQ(ints.type(), DataType::kInt64);
  EXPECT_EQ(ints.size(), 3u);
  EXPECT_EQ(ints.int64_values()[1], -2);
  EXPECT_FALSE(ints.has_nulls());
  EXPECT_TRUE(ints.validity().empty());

  Column doubles = Column::from_float64({0.5, 1e300});
  EXPECT_EQ(doubles.float64_values()[1], 1e300);

  Column bools = Column::from_bool({true, false, true});
  EXPECT_EQ(bools.bool_values()[0], 1);
  EXPECT_EQ(bools.bool_values()[1], 0);
  EXPECT_EQ(bools.number_at(2), 1.0);

  Column times = Column::from_timestamp({0, 86'400'000'000});
  EXPECT_EQ(times.type(), DataType::kTimestamp);
  EXPECT_EQ(times.int64_values()[1], 86'400'000'000);
  EXPECT_EQ(times.text_at(1), "1970-01-02");

  Column strings = Column::from_strings({"a", "", "héllo"});
  EXPECT_EQ(strings.string_at(0), "a");
  EXPECT_EQ(strings.string_at(1), "");
  EXPECT_EQ(strings.string_at(2), "héllo");
  EXPECT_EQ(strings.string_offsets(), (std::vector<std::uint64_t>{0, 1, 1, 7}));
  EXPECT_EQ(strings.string_data(), "ahéllo");
}

TEST(Column, NullsAllocateValidityOnlyWhenNeeded) {
  Column c(DataType::kFloat64);
  c.append_float64(1.5);
  c.append_float64(2.5);
  EXPECT_TRUE(c.validity().empty());
  c.append_null();
  c.append_float64(3.5);
  EXPECT_EQ(c.validity(), (std::vector<std::uint8_t>{1, 1, 0, 1}));
  EXPECT_EQ(c.null_count(), 1u);
  EXPECT_TRUE(c.is_null(2));
  EXPECT_FALSE(c.is_null(3));
  EXPECT_TRUE(std::isnan(c.number_at(2)));
  EXPECT_EQ(c.text_at(2), "");
  EXPECT_EQ(c.number_at(3), 3.5);
}

TEST(Column, NullStringsKeepOffsetsConsistent) {
  Column c(DataType::kString);
  c.append_string("ab");
  c.append_null();
  c.append_string("cd");
  EXPECT_EQ(c.string_offsets(), (std::vector<std::uint64_t>{0, 2, 2, 4}));
  EXPECT_EQ(c.string_at(2), "cd");
  EXPECT_TRUE(c.is_null(1));
}

TEST(Column, TextAtIsWhatCsvWrites) {
  EXPECT_EQ(Column::from_int64({-42}).text_at(0), "-42");
  EXPECT_EQ(Column::from_float64({0.1}).text_at(0), "0.1");
  EXPECT_EQ(Column::from_float64({1.0 / 3.0}).text_at(0), "0.3333333333333333");
  EXPECT_EQ(Column::from_float64({2.0}).text_at(0), "2");
  EXPECT_EQ(Column::from_bool({false}).text_at(0), "false");
}

TEST(Column, WrongTypeAccessThrows) {
  Column ints = Column::from_int64({1});
  EXPECT_THROW(ints.float64_values(), TableError);
  EXPECT_THROW(ints.string_at(0), TableError);
  EXPECT_THROW(ints.append_float64(1.0), TableError);
  EXPECT_THROW(ints.append_timestamp(1), TableError);
  Column strings = Column::from_strings({"x"});
  EXPECT_THROW(strings.number_at(0), TableError);
  EXPECT_THROW(strings.append_int64(1), TableError);
  try {
    Column::from_timestamp({1}).append_int64(2);
    FAIL() << "expected TableError";
  } catch (const TableError& e) {
    EXPECT_NE(std::string(e.what()).find("timestamp"), std::string::npos);
  }
}

TEST(Column, TakeAndAppendFromCopyValuesAndNulls) {
  Column c(DataType::kString);
  c.append_string("zero");
  c.append_null();
  c.append_string("two");
  std::vector<std::size_t> rows{2, 1, 0, 2};
  Column t = c.take(rows);
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t.string_at(0), "two");
  EXPECT_TRUE(t.is_null(1));
  EXPECT_EQ(t.string_at(2), "zero");
  EXPECT_EQ(t.string_at(3), "two");

  Column ints(DataType::kInt64);
  EXPECT_THROW(ints.append_from(c, 0), TableError);
  std::vector<std::size_t> out_of_range{3};
  EXPECT_THROW(c.take(out_of_range), TableError);
}

TEST(Column, EqualityComparesValuesNotNullPadding) {
  Column a(DataType::kFloat64);
  a.append_float64(1.0);
  a.append_null();
  a.append_float64(std::nan(""));
  Column b = Column::from_buffers(DataType::kFloat64, 3, {}, {1.0, 99.0, std::nan("")}, {}, {}, "",
                                  {1, 0, 1});
  EXPECT_EQ(a, b);
  EXPECT_EQ(Column::from_int64({1, 2}),
            Column::from_buffers(DataType::kInt64, 2, {1, 2}, {}, {}, {}, "", {1, 1}));
  EXPECT_FALSE(Column::from_int64({1, 2}) == Column::from_int64({1, 3}));
  EXPECT_FALSE(Column::from_int64({1}) == Column::from_timestamp({1}));
}

TEST(Column, FromBuffersValidates) {
  EXPECT_THROW(Column::from_buffers(DataType::kInt64, 2, {1}, {}, {}, {}, "", {}), TableError);
  EXPECT_THROW(Column::from_buffers(DataType::kBool, 1, {}, {}, {2}, {}, "", {}), TableError);
  EXPECT_THROW(Column::from_buffers(DataType::kString, 1, {}, {}, {}, {0, 5}, "abc", {}),
               TableError);
  EXPECT_THROW(Column::from_buffers(DataType::kString, 2, {}, {}, {}, {0, 3, 1}, "abc", {}),
               TableError);
  EXPECT_THROW(Column::from_buffers(DataType::kFloat64, 1, {}, {1.0}, {}, {}, "", {1, 1}),
               TableError);
  Column s = Column::from_buffers(DataType::kString, 2, {}, {}, {}, {0, 1, 3}, "abc", {});
  EXPECT_EQ(s.string_at(1), "bc");
}

}  // namespace
}  // namespace cairn::ml
