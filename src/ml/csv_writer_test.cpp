#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "cairn/ml/csv.hpp"
#include "scratch_dir.hpp"

namespace cairn::ml {
namespace {

std::string to_csv(const Table& t, const CsvWriteOptions& options = {}) {
  std::ostringstream out;
  write_csv(t, out, options);
  return out.str();
}

// Every type, with nulls, and strings that need quoting.
Table every_type() {
  Table t;
  Column ints(DataType::kInt64);
  ints.append_int64(std::numeric_limits<std::int64_t>::min());
  ints.append_null();
  ints.append_int64(42);
  t.add_column("ints", std::move(ints));
  Column floats(DataType::kFloat64);
  floats.append_float64(0.1);
  floats.append_float64(-2.0);
  floats.append_null();
  t.add_column("floats", std::move(floats));
  Column bools(DataType::kBool);
  bools.append_null();
  bools.append_bool(true);
  bools.append_bool(false);
  t.add_column("bools", std::move(bools));
  Column times(DataType::kTimestamp);
  times.append_timestamp(*parse_timestamp("2016-01-22"));
  times.append_timestamp(*parse_timestamp("1969-12-31T23:59:59.000001Z"));
  times.append_null();
  t.add_column("times", std::move(times));
  Column strings(DataType::kString);
  strings.append_string("a,b \"c\"\nnext line");
  strings.append_string("");
  strings.append_null();
  t.add_column("strings, quoted", std::move(strings));
  return t;
}

TEST(CsvWriter, WritesQuotingOnlyWhenNeeded) {
  EXPECT_EQ(to_csv(every_type()),
            "ints,floats,bools,times,\"strings, quoted\"\n"
            "-9223372036854775808,0.1,,2016-01-22,\"a,b \"\"c\"\"\nnext line\"\n"
            ",-2.0,true,1969-12-31T23:59:59.000001Z,\"\"\n"
            "42,,false,,\n");
}

TEST(CsvWriter, RoundTripsEveryTypeWithNulls) {
  Table t = every_type();
  CsvOptions options;
  options.schema = csv_schema(t);
  EXPECT_EQ(read_csv_string(to_csv(t), options), t);
  // Without a schema, inference finds the same types for these columns.
  EXPECT_EQ(read_csv_string(to_csv(t)), t);
}

TEST(CsvWriter, FloatsRoundTripExactly) {
  std::vector<double> values{
      0.1 + 0.2, 1e-300, 123456789.125, -0.0, 1e22, 5e-324, std::numeric_limits<double>::max()};
  Table t;
  t.add_column("x", Column::from_float64(values));
  Table back = read_csv_string(to_csv(t));
  ASSERT_EQ(back.column("x").type(), DataType::kFloat64);
  for (std::size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(back.column("x").float64_values()[i], values[i]);
    EXPECT_EQ(std::signbit(back.column("x").float64_values()[i]), std::signbit(values[i]));
  }
}

TEST(CsvWriter, OneColumnNullsAndOtherSeparators) {
  Table one;
  Column v(DataType::kInt64);
  v.append_int64(1);
  v.append_null();
  one.add_column("v", std::move(v));
  EXPECT_EQ(read_csv_string(to_csv(one)), one);

  CsvWriteOptions semicolons;
  semicolons.separator = ';';
  Table t;
  t.add_column("a;b", Column::from_strings({"x;y", "1,5"}));
  EXPECT_EQ(to_csv(t, semicolons), "\"a;b\"\n\"x;y\"\n1,5\n");
  CsvOptions read;
  read.separator = ';';
  read.schema = csv_schema(t);
  EXPECT_EQ(read_csv_string(to_csv(t, semicolons), read), t);
}

TEST(CsvWriter, WritesFilesAtomicallyAndReportsFailures) {
  cairn::testing::ScratchDir dir;
  Table t = every_type();
  auto path = dir.path() / "out.csv";
  write_csv(t, path);
  CsvOptions options;
  options.schema = csv_schema(t);
  EXPECT_EQ(read_csv(path, options), t);
  // Nothing but the file itself is left behind (no temporary file).
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
  try {
    write_csv(t, dir.path() / "missing-dir" / "out.csv");
    FAIL() << "expected CsvError";
  } catch (const CsvError& e) {
    EXPECT_NE(std::string(e.what()).find("missing-dir"), std::string::npos) << e.what();
  }
}

TEST(CsvWriter, RoundTripsTheLendingClubExtract) {
  Table t = read_csv(std::filesystem::path(CAIRN_SOURCE_DIR) / "data/lending_club.csv");
  EXPECT_EQ(read_csv_string(to_csv(t)), t);
}

}  // namespace
}  // namespace cairn::ml
