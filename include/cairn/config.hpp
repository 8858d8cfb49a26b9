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

/// One declared field, with its type erased.
struct ConfigField {
  std::string name;
  std::string doc;
  std::size_t type_index = 0;  ///< index into ConfigData
  ConfigData default_value;
};

/// The declared fields of a config type and how to build it, with the type erased.
struct ConfigSpec {
  std::string type_name;
  std::vector<ConfigField> fields;
  /// Builds the config from values already checked against `fields` (name → value).
  std::function<AnyValue(const std::vector<std::pair<std::string, ConfigData>>&)> build;
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
    T defaults{};
    ConfigData default_value;
    if constexpr (index == 1) {
      default_value = static_cast<std::int64_t>(defaults.*member);
    } else if constexpr (index == 2) {
      default_value = static_cast<double>(defaults.*member);
    } else {
      default_value = defaults.*member;
    }
    fields_.push_back(
        ConfigField{std::move(name), std::move(doc), index, std::move(default_value)});
    setters_.push_back([member](T& target, const ConfigData& data) {
      using Stored = std::variant_alternative_t<index, ConfigData>;
      target.*member = static_cast<F>(std::get<Stored>(data));
    });
    return *this;
  }

  ConfigSpec spec(std::string type_name) const {
    auto setters = setters_;
    auto fields = fields_;
    return ConfigSpec{
        std::move(type_name), fields,
        [setters, fields](const std::vector<std::pair<std::string, ConfigData>>& given) {
          T value{};
          for (const auto& [name, data] : given) {
            for (std::size_t i = 0; i < fields.size(); ++i) {
              if (fields[i].name == name) setters[i](value, data);
            }
          }
          return AnyValue::of<T>(std::move(value));
        }};
  }

 private:
  std::vector<ConfigField> fields_;
  std::vector<std::function<void(T&, const ConfigData&)>> setters_;
};

}  // namespace cairn
