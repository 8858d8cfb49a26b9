#include "core/type_name.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>

namespace cairn {

std::string type_name(const std::type_info& type) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(
      abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), std::free);
  if (status != 0 || !demangled) return type.name();
  std::string name = demangled.get();
  // The standard library's spelling of std::string is noise in every message.
  const std::string long_string =
      "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >";
  for (auto pos = name.find(long_string); pos != std::string::npos; pos = name.find(long_string)) {
    name.replace(pos, long_string.size(), "std::string");
  }
  // Default allocators are noise too: std::vector<double, std::allocator<double> > reads as
  // std::vector<double>.
  const std::string allocator = ", std::allocator<";
  for (auto pos = name.find(allocator); pos != std::string::npos; pos = name.find(allocator)) {
    std::size_t end = pos + allocator.size();
    for (int depth = 1; end < name.size() && depth > 0; ++end) {
      depth += name[end] == '<' ? 1 : name[end] == '>' ? -1 : 0;
    }
    name.erase(pos, end - pos);
    if (name.compare(pos, 2, " >") == 0) name.erase(pos, 1);
  }
  return name;
}

}  // namespace cairn
