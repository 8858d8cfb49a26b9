#include "exec/materialization_payload.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "cairn/error.hpp"

namespace cairn {

namespace {
using nlohmann::json;

json metadata_entry(const MetadataValue& value) {
  return std::visit(
      [](const auto& v) -> json {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::int64_t>) {
          return {{"type", "int"}, {"value", v}};
        } else if constexpr (std::is_same_v<V, double>) {
          return {{"type", "float"}, {"value", v}};
        } else if constexpr (std::is_same_v<V, bool>) {
          return {{"type", "bool"}, {"value", v}};
        } else if constexpr (std::is_same_v<V, std::string>) {
          return {{"type", "text"}, {"value", v}};
        } else if constexpr (std::is_same_v<V, JsonText>) {
          return {{"type", "json"}, {"value", json::parse(v.text)}};
        } else {
          return {{"type", "path"}, {"value", v.path}};
        }
      },
      value);
}

MetadataValue metadata_from_entry(const json& entry) {
  const std::string type = entry.at("type").get<std::string>();
  const json& v = entry.at("value");
  if (type == "int") return v.get<std::int64_t>();
  if (type == "float") return v.get<double>();
  if (type == "bool") return v.get<bool>();
  if (type == "text") return v.get<std::string>();
  if (type == "json") return JsonText{v.dump()};
  return PathValue{v.get<std::string>()};
}
}  // namespace

// Written by hand rather than through a json object: this runs once per step on the engine's
// hot path, and most steps carry no metadata.
std::string to_json(const MaterializationPayload& payload) {
  auto quoted = [](const std::string& text) { return json(text).dump(); };
  std::string out =
      "{\"uri\":" + quoted(payload.uri) + ",\"io_manager\":" + quoted(payload.io_manager) +
      ",\"codec\":" + quoted(payload.codec) + ",\"code_version\":" + quoted(payload.code_version) +
      ",\"data_version\":" + quoted(payload.data_version) +
      ",\"config_hash\":" + quoted(payload.config_hash) + ",\"inputs\":[";
  for (std::size_t i = 0; i < payload.inputs.size(); ++i) {
    const InputVersion& input = payload.inputs[i];
    out += (i ? ",[" : "[") + quoted(input.asset_key) + "," + quoted(input.partition_key) + "," +
           quoted(input.data_version) + "]";
  }
  out += "],\"metadata\":";
  if (payload.metadata.empty()) return out + "{}}";
  json metadata = json::object();
  for (const auto& [label, value] : payload.metadata) metadata[label] = metadata_entry(value);
  return out + metadata.dump() + "}";
}

MaterializationPayload materialization_payload_from_json(const std::string& text) {
  json doc = json::parse(text);
  MaterializationPayload p;
  p.uri = doc.value("uri", "");
  p.io_manager = doc.value("io_manager", "");
  p.codec = doc.value("codec", "");
  p.code_version = doc.value("code_version", "");
  p.data_version = doc.value("data_version", "");
  p.config_hash = doc.value("config_hash", "");
  if (doc.contains("inputs")) {
    for (const auto& input : doc["inputs"]) {
      p.inputs.push_back(InputVersion{input.at(0).get<std::string>(),
                                      input.at(1).get<std::string>(),
                                      input.at(2).get<std::string>()});
    }
  }
  if (doc.contains("metadata")) {
    for (const auto& [label, entry] : doc["metadata"].items()) {
      p.metadata.emplace(label, metadata_from_entry(entry));
    }
  }
  return p;
}

std::string check_evaluation_payload(const std::string& check_name, bool blocking,
                                     const CheckResult& result) {
  json metadata = json::object();
  for (const auto& [label, value] : result.metadata) metadata[label] = metadata_entry(value);
  return json{{"check", check_name},
              {"passed", result.passed},
              {"severity", result.severity == CheckSeverity::kError ? "error" : "warn"},
              {"blocking", blocking},
              {"description", result.description},
              {"metadata", std::move(metadata)}}
      .dump();
}

std::string observation_payload(const std::string& data_version) {
  return json{{"data_version", data_version}}.dump();
}

std::string dynamic_partitions_payload(std::string_view name,
                                       const std::vector<std::string>& keys) {
  return json{{"name", name}, {"keys", keys}}.dump();
}

void check_metadata_value(const std::string& label, const MetadataValue& value) {
  if (const auto* j = std::get_if<JsonText>(&value)) {
    if (!json::accept(j->text)) {
      throw Error("metadata '" + label + "' is not valid JSON: " + j->text.substr(0, 80));
    }
  }
  if (const auto* d = std::get_if<double>(&value); d && !std::isfinite(*d)) {
    // JSON has no NaN/Infinity; say so here rather than corrupt the event.
    throw Error("metadata '" + label + "' is " + std::to_string(*d) +
                "; only finite numbers can be recorded (record it as text instead)");
  }
}

}  // namespace cairn
