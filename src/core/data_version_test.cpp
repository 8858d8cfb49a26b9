#include "core/data_version.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace cairn {
namespace {

bool is_hex32(const std::string& s) {
  return s.size() == 32 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST(DataVersion, IsThirtyTwoHexDigits) {
  EXPECT_TRUE(is_hex32(derive_data_version("", "", {})));
  std::vector<InputVersion> inputs{{"a", "", "v1"}};
  EXPECT_TRUE(is_hex32(derive_data_version("3", config_hash("{}"), inputs)));
}

// Versions are persisted: a change of the function would make every stored materialization
// stale. These values were produced by the first implementation, checked against an independent
// Python transcription of the layout in data_version.hpp, and must never change.
TEST(DataVersion, IsStableAcrossReleases) {
  std::vector<InputVersion> inputs{{"credit/raw", "2025-01-01", "v1"},
                                   {"credit/raw", "2025-01-02", "v2"}};
  EXPECT_EQ(derive_data_version("", "", {}), "9961aa5f4364d3050da187e3faf3a9f5");
  EXPECT_EQ(derive_data_version("3", "", inputs), "99de973a07d40db3ea22e03e5aa7dc30");
  EXPECT_EQ(config_hash(R"({"rate":0.1})"), "c81af333f01cc0be8e727f1973efab3a");
}

TEST(DataVersion, DoesNotDependOnInputOrder) {
  std::vector<InputVersion> forward{{"a", "1", "x"}, {"a", "2", "y"}, {"b", "", "z"}};
  std::vector<InputVersion> backward{{"b", "", "z"}, {"a", "2", "y"}, {"a", "1", "x"}};
  EXPECT_EQ(derive_data_version("1", "c", forward), derive_data_version("1", "c", backward));
}

TEST(DataVersion, ChangesWithEveryIngredient) {
  std::vector<InputVersion> inputs{{"a", "1", "x"}};
  std::set<std::string> versions;
  versions.insert(derive_data_version("1", "c", inputs));
  versions.insert(derive_data_version("2", "c", inputs));
  versions.insert(derive_data_version("1", "d", inputs));
  versions.insert(derive_data_version("1", "", inputs));
  std::vector<InputVersion> other_version{{"a", "1", "y"}};
  versions.insert(derive_data_version("1", "c", other_version));
  std::vector<InputVersion> other_partition{{"a", "2", "x"}};
  versions.insert(derive_data_version("1", "c", other_partition));
  std::vector<InputVersion> other_asset{{"b", "1", "x"}};
  versions.insert(derive_data_version("1", "c", other_asset));
  versions.insert(derive_data_version("1", "c", {}));
  EXPECT_EQ(versions.size(), 8u);
}

// Each field is framed by its length: moving bytes from one field to the next is a different
// version, as is a code version that happens to spell a config hash.
TEST(DataVersion, FieldsDoNotRunIntoEachOther) {
  std::vector<InputVersion> ab_c{{"ab", "c", "v"}};
  std::vector<InputVersion> a_bc{{"a", "bc", "v"}};
  EXPECT_NE(derive_data_version("", "", ab_c), derive_data_version("", "", a_bc));
  EXPECT_NE(derive_data_version("ab", "c", {}), derive_data_version("a", "bc", {}));
  EXPECT_NE(StableHash().add("abcdefgh").add("").hex(), StableHash().add("abcdefgh").hex());
  EXPECT_NE(StableHash().add(std::string(8, '\0')).hex(), StableHash().add("").hex());
}

TEST(DataVersion, ManyNearbyInputsDoNotCollide) {
  std::set<std::string> versions;
  for (int i = 0; i < 20000; ++i) {
    std::vector<InputVersion> inputs{{"asset", std::to_string(i), "v"}};
    versions.insert(derive_data_version("1", "", inputs));
  }
  EXPECT_EQ(versions.size(), 20000u);
}

TEST(ConfigHash, EmptyConfigHasNoHash) {
  EXPECT_EQ(config_hash(""), "");
  EXPECT_TRUE(is_hex32(config_hash("{}")));
  EXPECT_NE(config_hash(R"({"a":1})"), config_hash(R"({"a":2})"));
  // A config hash is not the data version of anything with the same bytes.
  EXPECT_NE(config_hash("x"), StableHash().add("x").hex());
}

}  // namespace
}  // namespace cairn
