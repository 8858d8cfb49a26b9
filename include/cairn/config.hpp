#pragma once
/// @file config.hpp
/// Typed per-asset config: a plain C++ struct whose fields are declared once, so that cairn can
/// read it from JSON, reject unknown keys and wrong types with a precise message, and show the
/// defaults (in `list --json` and the UI).
///
/// @code
///   struct TrainConfig {
///     double learning_rate = 0.1;
///     std::int64_t rounds = 200;
///     std::string objective = "binary:logistic";
///   };
///   // Found by argument-dependent lookup: put it in TrainConfig's namespace.
///   void describe_config(cairn::ConfigSchema<TrainConfig>& s) {
///     s.field("learning_rate", &TrainConfig::learning_rate, "shrinkage per boosting round");
///     s.field("rounds", &TrainConfig::rounds);
///     s.field("objective", &TrainConfig::objective);
///   }
/// @endcode
/// A run's config file then reads `{"assets": {"train": {"learning_rate": 0.05}}}`; fields not
/// given keep the struct's default member values.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "cairn/codec.hpp"

namespace cairn {

/// The value types a config field may have.
using ConfigData = std::variant<bool, std::int64_t, double, std::string, std::vector<std::int64_t>,
                                std::vector<double>, std::vector<std::string>>;

/// The name of a config type as shown to users: "bool", "int", "float", "string", "int[]", ...
std::string config_type_name(std::size_t variant_index);

// The special members of ConfigField and ConfigSpec are defined out of line (core/config.cpp):
// copying and destroying ConfigData's variant of vectors is a lot of code that every pipeline
// file declaring a config would otherwise compile again.

/// One declared field, with its type erased.
struct ConfigField {
  ConfigField(std::string name, std::string doc, std::size_t type_index, ConfigData default_value);
  ConfigField(const ConfigField&);
  ConfigField(ConfigField&&) noexcept;
  ConfigField& operator=(const ConfigField&);
  ConfigField& operator=(ConfigField&&) noexcept;
  ~ConfigField();

  std::string name;
  std::string doc;
  std::size_t type_index = 0;  ///< index into ConfigData
  ConfigData default_value;
};

/// The declared fields of a config type and how to build it, with the type erased.
struct ConfigSpec {
  using BuildFn = std::function<AnyValue(const std::vector<std::pair<std::string, ConfigData>>&)>;
  ConfigSpec(std::string type_name, std::vector<ConfigField> fields, BuildFn build);
  ConfigSpec(const ConfigSpec&);
  ConfigSpec(ConfigSpec&&) noexcept;
  ConfigSpec& operator=(const ConfigSpec&);
  ConfigSpec& operator=(ConfigSpec&&) noexcept;
  ~ConfigSpec();

  std::string type_name;
  std::vector<ConfigField> fields;
  /// Builds the config from values already checked against `fields` (name → value).
  BuildFn build;
};

namespace detail {
template <class F>
constexpr std::size_t config_index() {
  if constexpr (std::is_same_v<F, bool>)
    return 0;
  else if constexpr (std::is_integral_v<F>)
    return 1;
  else if constexpr (std::is_floating_point_v<F>)
    return 2;
  else if constexpr (std::is_same_v<F, std::string>)
    return 3;
  else if constexpr (std::is_same_v<F, std::vector<std::int64_t>>)
    return 4;
  else if constexpr (std::is_same_v<F, std::vector<double>>)
    return 5;
  else if constexpr (std::is_same_v<F, std::vector<std::string>>)
    return 6;
  else
    static_assert(sizeof(F) == 0,
                  "config fields must be bool, an integer, a floating-point number, "
                  "std::string, or a std::vector of int64_t, double or std::string");
}
}  // namespace detail

/// Collects the fields of config type T; filled in by the user's `describe_config`.
template <class T>
class ConfigSchema {
 public:
  template <class F>
  ConfigSchema& field(std::string name, F T::*member, std::string doc = {}) {
    constexpr std::size_t index = detail::config_index<F>();
    using Stored = std::variant_alternative_t<index, ConfigData>;
    T defaults{};
    // In-place construction: a converting assignment to the variant would make the compiler
    // resolve overloads across all seven alternatives, in every pipeline file.
    fields_.push_back(
        ConfigField(std::move(name), std::move(doc), index,
                    ConfigData(std::in_place_index<index>, static_cast<Stored>(defaults.*member))));
    setters_.push_back([member](T& target, const ConfigData& data) {
      target.*member = static_cast<F>(std::get<index>(data));
    });
    return *this;
  }

  ConfigSpec spec(std::string type_name) const {
    std::vector<std::string> names;
    for (const auto& f : fields_) names.push_back(f.name);
    return ConfigSpec(std::move(type_name), fields_,
                      [setters = setters_, names = std::move(names)](
                          const std::vector<std::pair<std::string, ConfigData>>& given) {
                        T value{};
                        for (const auto& [name, data] : given) {
                          for (std::size_t i = 0; i < names.size(); ++i) {
                            if (names[i] == name) setters[i](value, data);
                          }
                        }
                        return AnyValue::of<T>(std::move(value));
                      });
  }

 private:
  std::vector<ConfigField> fields_;
  std::vector<std::function<void(T&, const ConfigData&)>> setters_;
};

}  // namespace cairn
