#include "cairn/ml/table_codec.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "cairn/ml/csv.hpp"

namespace cairn::ml {
namespace {

Table every_type_with_nulls() {
  Table t;
  Column ints(DataType::kInt64);
  ints.append_int64(-5);
  ints.append_null();
  ints.append_int64(std::numeric_limits<std::int64_t>::max());
  t.add_column("ints", std::move(ints));
  Column floats(DataType::kFloat64);
  floats.append_null();
  floats.append_float64(std::nan(""));
  floats.append_float64(-0.0);
  t.add_column("floats", std::move(floats));
  t.add_column("bools", Column::from_bool({true, false, true}));
  Column times(DataType::kTimestamp);
  times.append_timestamp(*parse_timestamp("2016-01-22T10:00:00.5"));
  times.append_timestamp(-1);
  times.append_null();
  t.add_column("times", std::move(times));
  Column strings(DataType::kString);
  strings.append_string("");
  strings.append_null();
  strings.append_string("héllo, \"world\"\n");
  t.add_column("strings", std::move(strings));
  return t;
}

TEST(TableCodec, RoundTripsEveryTypeWithNulls) {
  Table t = every_type_with_nulls();
  std::string bytes = Codec<Table>::encode(t);
  Table back = Codec<Table>::decode(bytes);
  EXPECT_EQ(back, t);
  EXPECT_EQ(back.column("ints").validity(), t.column("ints").validity());
  EXPECT_TRUE(back.column("bools").validity().empty());
  EXPECT_TRUE(std::signbit(back.column("floats").float64_values()[2]));
  EXPECT_EQ(back.column("strings").string_at(2), "héllo, \"world\"\n");
}

TEST(TableCodec, RoundTripsEmptyTables) {
  EXPECT_EQ(Codec<Table>::decode(Codec<Table>::encode(Table())), Table());
  Table no_rows = every_type_with_nulls().head(0);
  Table back = Codec<Table>::decode(Codec<Table>::encode(no_rows));
  EXPECT_EQ(back, no_rows);
  EXPECT_EQ(back.column_names(), no_rows.column_names());
}

TEST(TableCodec, IsAnAssetCodec) {
  static_assert(HasCodec<Table>);
  ValueCodec codec = value_codec_for<Table>();
  EXPECT_EQ(codec.name, "table/v1");
  Table t = every_type_with_nulls();
  AnyValue back = codec.decode(codec.encode(AnyValue::of(t)));
  EXPECT_EQ(back.as<Table>(), t);
}

TEST(TableCodec, RejectsEveryTruncation) {
  std::string bytes = Codec<Table>::encode(every_type_with_nulls());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THROW(Codec<Table>::decode(std::string_view(bytes).substr(0, n)), Error) << n;
  }
  EXPECT_THROW(Codec<Table>::decode(bytes + "x"), Error);
}

TEST(TableCodec, RejectsEveryFlippedByte) {
  std::string bytes = Codec<Table>::encode(every_type_with_nulls());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string corrupt = bytes;
    corrupt[i] = static_cast<char>(corrupt[i] ^ 0x10);
    EXPECT_THROW(Codec<Table>::decode(corrupt), Error) << i;
  }
}

TEST(TableCodec, ErrorsSayWhatIsWrong) {
  try {
    Codec<Table>::decode("f64vec/v1 bytes");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("table header"), std::string::npos) << e.what();
  }
  std::string bytes = Codec<Table>::encode(every_type_with_nulls());
  bytes[8] = 9;  // the version
  try {
    Codec<Table>::decode(bytes);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("format version 9"), std::string::npos) << e.what();
  }
}

TEST(TableCodec, RoundTripsTheLendingClubExtract) {
  Table t = read_csv(std::filesystem::path(CAIRN_SOURCE_DIR) / "data/lending_club.csv");
  EXPECT_EQ(Codec<Table>::decode(Codec<Table>::encode(t)), t);
}

}  // namespace
}  // namespace cairn::ml
