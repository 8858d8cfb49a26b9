#pragma once

#include <string>

namespace cairn {

/// The content of the JSON config file at `path` (`--config`). Throws ConfigError naming the
/// file and the system's reason if it cannot be read.
std::string read_config_file(const std::string& path);

}  // namespace cairn
