#include "core/suggest.hpp"

#include <gtest/gtest.h>

namespace cairn {
namespace {

TEST(Suggest, EditDistance) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("same", "same"), 0u);
}

TEST(Suggest, ClosestNamesPrefersSmallDistances) {
  std::vector<std::string> keys{"credit/raw_loans", "credit/features", "credit/model", "other"};
  auto close = closest_names("credit/featurs", keys);
  ASSERT_FALSE(close.empty());
  EXPECT_EQ(close.front(), "credit/features");
  EXPECT_TRUE(closest_names("zzzzzzzz", keys).empty());
}

TEST(Suggest, DidYouMeanFormatsAlternatives) {
  EXPECT_EQ(did_you_mean("modle", {"model", "xyz"}), " (did you mean 'model'?)");
  EXPECT_EQ(did_you_mean("qqqqqq", {"model"}), "");
}

}  // namespace
}  // namespace cairn
