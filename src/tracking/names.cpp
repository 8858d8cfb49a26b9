#include "tracking/names.hpp"

#include <string>

#include "cairn/tracking.hpp"

namespace cairn::tracking {

namespace {

constexpr std::size_t kMaxNameBytes = 256;

bool is_control(char c) {
  return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
}

bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

void check_text(std::string_view kind, std::string_view text) {
  if (text.empty()) throw TrackingError(std::string(kind) + " must not be empty");
  if (text.size() > kMaxNameBytes) {
    throw TrackingError(std::string(kind) + " '" + std::string(text.substr(0, 40)) +
                        "...' is longer than " + std::to_string(kMaxNameBytes) + " bytes");
  }
  for (char c : text) {
    if (is_control(c)) {
      throw TrackingError(std::string(kind) + " '" + std::string(text) +
                          "' contains a control character (tab, newline, ...); remove it");
    }
  }
}

}  // namespace

void check_name(std::string_view kind, std::string_view name) {
  const std::string what = std::string(kind) + " name";
  check_text(what, name);
  if (name.front() == ' ' || name.back() == ' ') {
    throw TrackingError(what + " '" + std::string(name) +
                        "' starts or ends with a space; remove it");
  }
}

void check_key(std::string_view kind, std::string_view key) {
  check_text(std::string(kind) + " key", key);
}

void check_alias(std::string_view alias) {
  check_text("alias", alias);
  bool valid = is_letter(alias.front());
  for (char c : alias) {
    valid = valid && (is_letter(c) || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.');
  }
  if (!valid) {
    throw TrackingError("alias '" + std::string(alias) +
                        "' is not valid: use letters, digits, '_', '-' and '.', starting with a "
                        "letter (e.g. 'production', 'staging')");
  }
}

}  // namespace cairn::tracking
