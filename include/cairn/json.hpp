#pragma once
/// @file json.hpp
/// Opt-in: nlohmann::json values as assets, stored as JSON text by the filesystem IO manager.
/// Not included by cairn.hpp, so pipelines that do not need it do not pay for the header; link
/// `nlohmann_json::nlohmann_json` when you include it.
/// @code
///   #include <cairn/json.hpp>
///   auto summary = cairn::asset<nlohmann::json>("summary").compute([](cairn::Context&) {
///     return nlohmann::json{{"rows", 1000}, {"auc", 0.91}};
///   });
/// @endcode

#include <nlohmann/json.hpp>

#include "cairn/codec.hpp"

namespace cairn {

template <>
struct Codec<nlohmann::json> {
  static constexpr const char* name = "json/text";
  static std::string encode(const nlohmann::json& value) { return value.dump(); }
  static nlohmann::json decode(std::string_view bytes) {
    nlohmann::json value = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) detail::throw_decode_error(name, "the stored text is not JSON");
    return value;
  }
};

}  // namespace cairn
