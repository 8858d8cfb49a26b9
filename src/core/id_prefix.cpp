#include "core/id_prefix.hpp"

#include "cairn/error.hpp"

namespace cairn {

namespace {
constexpr int kMaxAmbiguousShown = 5;
}  // namespace

std::string resolve_id_prefix(std::string_view id_or_prefix, const IdLookup& lookup) {
  const std::string id(id_or_prefix);
  const std::string what(lookup.what);
  if (lookup.exists(id)) return id;
  std::string hint;
  if (id.size() >= kMinIdPrefixLength) {
    const std::vector<std::string> matches = lookup.find(id, kMaxAmbiguousShown + 1);
    if (matches.size() == 1) return matches.front();
    if (matches.size() > 1) {
      std::string listed;
      for (std::size_t i = 0; i < matches.size() && i < kMaxAmbiguousShown; ++i) {
        listed += (i == 0 ? "" : ", ") + matches[i];
      }
      if (matches.size() > kMaxAmbiguousShown) listed += ", ...";
      throw NotFoundError(what + " id prefix '" + id + "' is ambiguous, matches: " + listed +
                          "; give more characters of the id");
    }
  } else {
    hint = " (a prefix needs at least " + std::to_string(kMinIdPrefixLength) + " characters)";
  }
  throw NotFoundError("no " + what + " with id '" + id + "'" + hint + "; " +
                      std::string(lookup.listing));
}

}  // namespace cairn
