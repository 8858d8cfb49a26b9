#include "core/type_name.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cairn {
namespace {

TEST(TypeName, ReadsAsWritten) {
  EXPECT_EQ(type_name(typeid(int)), "int");
  EXPECT_EQ(type_name(typeid(std::string)), "std::string");
  EXPECT_EQ(type_name(typeid(std::vector<double>)), "std::vector<double>");
  EXPECT_EQ(type_name(typeid(std::vector<std::vector<std::string>>)),
            "std::vector<std::vector<std::string>>");
}

}  // namespace
}  // namespace cairn
