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
  return name;
}

}  // namespace cairn
