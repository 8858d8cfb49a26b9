#include "core/run_config.hpp"

#include <nlohmann/json.hpp>

#include "cairn/error.hpp"
#include "core/suggest.hpp"

namespace cairn {

namespace {

using nlohmann::json;

std::string line_column(std::string_view text, std::size_t byte) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

std::string kind_of(const json& value) {
  switch (value.type()) {
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "an integer";
    case json::value_t::number_float:
      return "a number";
    case json::value_t::string:
      return "a string";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    default:
      return "null";
  }
}

json config_data_json(const ConfigData& data) {
  return std::visit([](const auto& v) { return json(v); }, data);
}

// nlohmann::json objects keep their keys sorted, so the dump is canonical.
std::string canonical_config(const ConfigSpec& spec,
                             const std::vector<std::pair<std::string, ConfigData>>& given) {
  json out = json::object();
  for (const auto& field : spec.fields) out[field.name] = config_data_json(field.default_value);
  for (const auto& [name, value] : given) out[name] = config_data_json(value);
  return out.dump();
}

template <class Element>
std::vector<Element> to_list(const json& value, const std::function<bool(const json&)>& accepts) {
  if (!value.is_array()) throw std::invalid_argument(kind_of(value));
  std::vector<Element> out;
  for (const auto& item : value) {
    if (!accepts(item)) throw std::invalid_argument("an array holding " + kind_of(item));
    out.push_back(item.get<Element>());
  }
  return out;
}

ConfigData to_config_data(const json& value, std::size_t type_index) {
  auto is_int = [](const json& v) { return v.is_number_integer(); };
  auto is_number = [](const json& v) { return v.is_number(); };
  auto is_string = [](const json& v) { return v.is_string(); };
  switch (type_index) {
    case 0:
      if (value.is_boolean()) return value.get<bool>();
      break;
    case 1:
      if (value.is_number_integer()) return value.get<std::int64_t>();
      break;
    case 2:
      if (value.is_number()) return value.get<double>();
      break;
    case 3:
      if (value.is_string()) return value.get<std::string>();
      break;
    case 4:
      return to_list<std::int64_t>(value, is_int);
    case 5:
      return to_list<double>(value, is_number);
    case 6:
      return to_list<std::string>(value, is_string);
    default:
      break;
  }
  throw std::invalid_argument(kind_of(value));
}

json parse_document(const ConfigSource& source) {
  json doc;
  try {
    doc = json::parse(source.json_text);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    auto pos = what.find("parse error");
    throw ConfigError("config from " + source.origin + " is not valid JSON at " +
                      line_column(source.json_text, e.byte > 0 ? e.byte - 1 : 0) + ": " +
                      (pos == std::string::npos ? what : what.substr(pos)));
  }
  if (!doc.is_object()) {
    throw ConfigError("config from " + source.origin + " must be a JSON object like " +
                      R"({"assets": {"<asset key>": {"<field>": value}}}, not )" + kind_of(doc));
  }
  for (const auto& [key, value] : doc.items()) {
    if (key != "assets") {
      throw ConfigError("config from " + source.origin + ": unknown top-level key '" + key +
                        "'; the only top-level key is \"assets\"" + did_you_mean(key, {"assets"}));
    }
    if (!value.is_object()) {
      throw ConfigError("config from " + source.origin +
                        ": \"assets\" must be an object mapping asset keys to their config, not " +
                        kind_of(value));
    }
  }
  return doc;
}

}  // namespace

RunConfig resolve_run_config(std::span<const ConfigSource> sources,
                             std::span<const AssetDefinition* const> assets) {
  std::unordered_map<std::string_view, const AssetDefinition*> by_key;
  std::vector<std::string> keys;
  for (const auto* def : assets) {
    by_key.emplace(def->key, def);
    if (def->config) keys.push_back(def->key);
  }

  json merged = json::object();
  for (const auto& source : sources) {
    if (source.json_text.empty()) continue;
    json doc = parse_document(source);
    if (!doc.contains("assets")) continue;
    for (const auto& [asset_key, section] : doc["assets"].items()) {
      auto it = by_key.find(asset_key);
      std::string where = "config from " + source.origin + ", asset '" + asset_key + "'";
      if (it == by_key.end()) {
        std::vector<std::string> all;
        for (const auto* def : assets) all.push_back(def->key);
        throw ConfigError(where + ": no such asset" + did_you_mean(asset_key, all));
      }
      const AssetDefinition& def = *it->second;
      if (!def.config) {
        throw ConfigError(where + ": the asset declares no config; remove this section" +
                          (keys.empty() ? std::string() : did_you_mean(asset_key, keys)));
      }
      if (!section.is_object()) {
        throw ConfigError(where + ": must be an object of fields, not " + kind_of(section));
      }
      std::vector<std::string> field_names;
      for (const auto& f : def.config->fields) field_names.push_back(f.name);
      for (const auto& [field_name, value] : section.items()) {
        const ConfigField* field = nullptr;
        for (const auto& f : def.config->fields) {
          if (f.name == field_name) field = &f;
        }
        if (field == nullptr) {
          std::string declared;
          for (const auto& f : def.config->fields) {
            declared += (declared.empty() ? "" : ", ") + f.name + " (" +
                        config_type_name(f.type_index) + ")";
          }
          throw ConfigError(where + ": unknown field '" + field_name + "'" +
                            did_you_mean(field_name, field_names) +
                            "; declared fields: " + (declared.empty() ? "none" : declared));
        }
        try {
          to_config_data(value, field->type_index);
        } catch (const std::invalid_argument& got) {
          throw ConfigError(where + ": field '" + field_name + "' must be " +
                            config_type_name(field->type_index) + ", got " + got.what() + " (" +
                            value.dump() + ")");
        }
        merged["assets"][asset_key][field_name] = value;
      }
    }
  }

  RunConfig config;
  config.json_text = merged.dump();
  for (const auto* def : assets) {
    if (!def->config) continue;
    std::vector<std::pair<std::string, ConfigData>> given;
    if (merged.contains("assets") && merged["assets"].contains(def->key)) {
      for (const auto& [field_name, value] : merged["assets"][def->key].items()) {
        for (const auto& f : def->config->fields) {
          if (f.name == field_name)
            given.emplace_back(field_name, to_config_data(value, f.type_index));
        }
      }
    }
    config.canonical_by_asset.emplace(def->key, canonical_config(*def->config, given));
    config.by_asset.emplace(def->key, def->config->build(given));
  }
  return config;
}

std::string default_config_json(const ConfigSpec& spec) {
  return canonical_config(spec, {});
}

}  // namespace cairn
