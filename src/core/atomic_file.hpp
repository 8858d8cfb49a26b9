#pragma once
// Replacing a file atomically: the content goes to a temporary file beside the target (named
// after it, the process id and a counter, so concurrent writers never share one), which is then
// renamed over the target. A reader — or a crash — sees the old content or the new, never a mix.
// Files are not fsynced here: callers that promise durability sync once afterwards
// (Instance::sync()), instead of paying an fsync per file.
//
// Errors come back as std::error_code, the temporary file removed, so that each caller reports
// them in its own terms (a CsvError, a ModelError, a step failure naming the asset).

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string_view>
#include <system_error>

namespace cairn {

std::error_code write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

/// The same with the content streamed by `write`. An exception thrown by `write` propagates
/// after the temporary file is removed; a stream that ends up failed is an error.
std::error_code write_file_atomically(const std::filesystem::path& path,
                                      const std::function<void(std::ostream&)>& write);

}  // namespace cairn
