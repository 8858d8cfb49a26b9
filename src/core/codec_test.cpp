#include "cairn/codec.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "cairn/error.hpp"

namespace cairn {
namespace {

template <class T>
T round_trip(const T& v) {
  return Codec<T>::decode(Codec<T>::encode(v));
}

TEST(Codec, IntegersAreDecimalTextThatRoundTrips) {
  EXPECT_EQ(Codec<int>::encode(-42), "-42");
  EXPECT_EQ(round_trip<std::int64_t>(std::numeric_limits<std::int64_t>::min()),
            std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(round_trip<std::uint64_t>(std::numeric_limits<std::uint64_t>::max()),
            std::numeric_limits<std::uint64_t>::max());
}

TEST(Codec, DoublesRoundTripExactly) {
  for (double v : {0.1, -1e300, 3.141592653589793, 5e-324}) EXPECT_EQ(round_trip(v), v);
}

TEST(Codec, VectorsAndStringsRoundTrip) {
  std::vector<double> d{1.5, -2.25, 1e10};
  EXPECT_EQ(round_trip(d), d);
  std::vector<std::int64_t> i{1, -2, 3};
  EXPECT_EQ(round_trip(i), i);
  std::vector<std::string> s{"", "a,b", std::string("nul\0in", 6)};
  EXPECT_EQ(round_trip(s), s);
  EXPECT_EQ(round_trip(std::string("raw\nbytes")), "raw\nbytes");
  EXPECT_TRUE(round_trip(false) == false);
}

TEST(Codec, CorruptBytesGiveAnErrorNamingTheCodec) {
  try {
    Codec<int>::decode("12x");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("int/text"), std::string::npos) << e.what();
  }
  std::string truncated = Codec<std::vector<double>>::encode({1.0, 2.0});
  truncated.pop_back();
  EXPECT_THROW(Codec<std::vector<double>>::decode(truncated), Error);
  EXPECT_THROW(Codec<std::vector<std::string>>::decode("garbage"), Error);
}

TEST(Codec, ErasedCodecRoundTripsThroughAnyValue) {
  ValueCodec codec = value_codec_for<std::vector<double>>();
  EXPECT_EQ(codec.name, "f64vec/v1");
  AnyValue v = AnyValue::of(std::vector<double>{4, 5});
  AnyValue back = codec.decode(codec.encode(v));
  EXPECT_EQ(back.as<std::vector<double>>(), (std::vector<double>{4, 5}));
  struct NoCodec {};
  EXPECT_EQ(value_codec_for<NoCodec>().encode, nullptr);
}

}  // namespace
}  // namespace cairn

#include "cairn/json.hpp"

namespace cairn {
namespace {

TEST(Codec, JsonValuesAreStoredAsJsonText) {
  nlohmann::json doc{{"rows", 3}, {"names", {"a", "b"}}, {"auc", 0.5}};
  std::string text = Codec<nlohmann::json>::encode(doc);
  EXPECT_EQ(nlohmann::json::parse(text), doc);
  EXPECT_EQ(Codec<nlohmann::json>::decode(text), doc);
  EXPECT_THROW(Codec<nlohmann::json>::decode("{broken"), Error);
}

}  // namespace
}  // namespace cairn
