#pragma once

#include <string>
#include <typeinfo>

namespace cairn {

/// The readable C++ name of a type ("std::vector<double>"), for messages and `list`.
std::string type_name(const std::type_info& type);

}  // namespace cairn
