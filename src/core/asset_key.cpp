#include <string>

#include "cairn/asset.hpp"
#include "cairn/error.hpp"

namespace cairn {

namespace {
bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}
}  // namespace

void validate_asset_key(const std::string& key) {
  auto fail = [&](const std::string& why) {
    throw DefinitionError("invalid asset key '" + key + "': " + why +
                          "; a key is one or more segments of letters, digits, '_' and '-' "
                          "joined by '/', e.g. 'credit/raw_loans'");
  };
  if (key.empty()) fail("it is empty");
  bool segment_empty = true;
  for (std::size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    if (c == '/') {
      if (segment_empty) fail("it has an empty segment at position " + std::to_string(i));
      segment_empty = true;
    } else if (is_key_char(c)) {
      segment_empty = false;
    } else {
      fail(std::string("character '") + c + "' at position " + std::to_string(i) +
           " is not allowed");
    }
  }
  if (segment_empty) fail("it ends with '/'");
}

}  // namespace cairn
