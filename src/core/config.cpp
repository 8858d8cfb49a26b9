#include "cairn/config.hpp"

#include <array>

namespace cairn {

std::string config_type_name(std::size_t variant_index) {
  static constexpr std::array<const char*, 7> kNames{"bool",  "int",     "float",   "string",
                                                     "int[]", "float[]", "string[]"};
  return variant_index < kNames.size() ? kNames[variant_index] : "unknown";
}

ConfigField::ConfigField(std::string name_, std::string doc_, std::size_t type_index_,
                         ConfigData default_value_)
    : name(std::move(name_)),
      doc(std::move(doc_)),
      type_index(type_index_),
      default_value(std::move(default_value_)) {}
ConfigField::ConfigField(const ConfigField&) = default;
ConfigField::ConfigField(ConfigField&&) noexcept = default;
ConfigField& ConfigField::operator=(const ConfigField&) = default;
ConfigField& ConfigField::operator=(ConfigField&&) noexcept = default;
ConfigField::~ConfigField() = default;

ConfigSpec::ConfigSpec(std::string type_name_, std::vector<ConfigField> fields_, BuildFn build_)
    : type_name(std::move(type_name_)), fields(std::move(fields_)), build(std::move(build_)) {}
ConfigSpec::ConfigSpec(const ConfigSpec&) = default;
ConfigSpec::ConfigSpec(ConfigSpec&&) noexcept = default;
ConfigSpec& ConfigSpec::operator=(const ConfigSpec&) = default;
ConfigSpec& ConfigSpec::operator=(ConfigSpec&&) noexcept = default;
ConfigSpec::~ConfigSpec() = default;

}  // namespace cairn
