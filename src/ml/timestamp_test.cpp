#include <gtest/gtest.h>

#include "cairn/ml/table.hpp"

namespace cairn::ml {
namespace {

constexpr Timestamp kSecond = 1'000'000;
constexpr Timestamp kDay = 86'400 * kSecond;

TEST(Timestamp, ParsesDatesAsMidnightUtc) {
  EXPECT_EQ(parse_timestamp("1970-01-01"), 0);
  EXPECT_EQ(parse_timestamp("1970-01-02"), kDay);
  EXPECT_EQ(parse_timestamp("1969-12-31"), -kDay);
  // 2000-03-01 is day 11 017 since the epoch (2000 is a leap year).
  EXPECT_EQ(parse_timestamp("2000-03-01"), 11'017 * kDay);
  EXPECT_EQ(parse_timestamp("2016-08-28"), 17'041 * kDay);
}

TEST(Timestamp, ParsesTimesFractionsAndOffsets) {
  Timestamp base = *parse_timestamp("2016-01-22");
  EXPECT_EQ(parse_timestamp("2016-01-22T13:45"), base + (13 * 3600 + 45 * 60) * kSecond);
  EXPECT_EQ(parse_timestamp("2016-01-22 13:45:07"), base + (13 * 3600 + 45 * 60 + 7) * kSecond);
  EXPECT_EQ(parse_timestamp("2016-01-22T00:00:00.5Z"), base + 500'000);
  EXPECT_EQ(parse_timestamp("2016-01-22T00:00:00.000001"), base + 1);
  EXPECT_EQ(parse_timestamp("2016-01-22T00:00:00.123456789"), base + 123'456);
  EXPECT_EQ(parse_timestamp("2016-01-22T02:00:00+02:00"), base);
  EXPECT_EQ(parse_timestamp("2016-01-21T22:30:00-01:30"), base);
}

TEST(Timestamp, RejectsWhatIsNotATimestamp) {
  for (const char* text :
       {"", "2016", "2016-1-22", "2016-13-01", "2016-02-30", "2015-02-29", "2016-01-22X",
        "2016-01-22T24:00", "2016-01-22T12:60", "2016-01-22T12:00:61", "2016-01-22T12:00:00.",
        "2016-01-22T12", "2016-01-22T12:00+0200", "2016-01-22T12:00Z ", "20160122", "abc",
        "2016-01-22T12:00:00.1234567890"}) {
    EXPECT_FALSE(parse_timestamp(text).has_value()) << text;
  }
  EXPECT_TRUE(parse_timestamp("2016-02-29").has_value());
}

TEST(Timestamp, FormatsIso8601InUtc) {
  EXPECT_EQ(format_timestamp(0), "1970-01-01");
  EXPECT_EQ(format_timestamp(-kDay), "1969-12-31");
  EXPECT_EQ(format_timestamp(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(format_timestamp(*parse_timestamp("2016-01-22T13:45:07")), "2016-01-22T13:45:07Z");
  EXPECT_EQ(format_timestamp(*parse_timestamp("2016-01-22T13:45:07.25")),
            "2016-01-22T13:45:07.250000Z");
}

TEST(Timestamp, FormatThenParseRoundTrips) {
  for (Timestamp t : {Timestamp{0}, Timestamp{1}, Timestamp{-1}, 951'782'400 * kSecond + 17,
                      -5'000 * kDay + 3'600 * kSecond, 2'932'896 * kDay - 1}) {
    EXPECT_EQ(parse_timestamp(format_timestamp(t)), t) << format_timestamp(t);
  }
}

TEST(DataTypeNames, RoundTripAndRejectUnknown) {
  for (DataType t : {DataType::kInt64, DataType::kFloat64, DataType::kString, DataType::kBool,
                     DataType::kTimestamp}) {
    EXPECT_EQ(parse_data_type(to_string(t)), t);
  }
  EXPECT_EQ(to_string(DataType::kFloat64), "float64");
  try {
    parse_data_type("double");
    FAIL() << "expected TableError";
  } catch (const TableError& e) {
    EXPECT_NE(std::string(e.what()).find("'double'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("float64"), std::string::npos);
  }
}

}  // namespace
}  // namespace cairn::ml
