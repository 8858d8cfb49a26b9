#pragma once
// The whole content of a file, for tests that check what was written ("" if it cannot be read).

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace cairn::testing {

inline std::string file_contents(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace cairn::testing
