#pragma once
// Reading and atomically replacing model files (save/load of every model class).

#include <string>
#include <string_view>

namespace cairn::ml::detail {

/// The whole file; throws ModelError naming the path and the system's reason.
std::string read_model_file(const std::string& path);

/// Writes `bytes` to a temporary file beside `path` and renames it over `path`, so a reader sees
/// the old model or the new one, never half of one. Throws ModelError.
void write_model_file(const std::string& path, std::string_view bytes);

/// "json" for "dir/model.json"; empty when the file name has no extension.
std::string extension_of(const std::string& path);

}  // namespace cairn::ml::detail
