#pragma once
// Ids typed by people: a full id or a unique prefix of it, as git takes commit hashes. Shared by
// runs and tracking runs, so that both accept and refuse prefixes with the same rules and words.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace cairn {

/// The shortest prefix accepted.
inline constexpr std::size_t kMinIdPrefixLength = 4;

struct IdLookup {
  std::string_view what;     // "run", "tracking run"
  std::string_view listing;  // "`runs list` shows the runs of this instance"
  std::function<bool(const std::string& id)> exists;
  /// At most `limit` ids starting with `prefix`, sorted.
  std::function<std::vector<std::string>(const std::string& prefix, int limit)> find;
};

/// The id named by `id_or_prefix`: itself if it exists, else the only id starting with it (a
/// prefix of at least kMinIdPrefixLength characters). Throws NotFoundError if nothing matches
/// ("no run with id 'x'; <listing>") or several do (the message lists the first of them).
std::string resolve_id_prefix(std::string_view id_or_prefix, const IdLookup& lookup);

}  // namespace cairn
