#include <CLI/CLI.hpp>
#include <charconv>
#include <ostream>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/progress_display.hpp"
#include "cli/tracking_output.hpp"

namespace cairn {

namespace {

struct ModelsOptions {
  std::string name;
  std::string version;  // "3" or "v3"
  std::string alias;
  std::string reason;
  bool json = false;
};

std::int64_t parse_version(const std::string& text) {
  const std::string_view digits = std::string_view(text).substr(text.starts_with('v') ? 1 : 0);
  std::int64_t version = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() ||
      version <= 0) {
    throw ConfigError("'" + text + "' is not a model version; give its number, such as 3 or v3");
  }
  return version;
}

std::string aliases_text(const std::map<std::string, std::int64_t>& aliases) {
  std::string text;
  for (const auto& [alias, version] : aliases) {
    text += (text.empty() ? "" : ", ") + alias + "=" + format_version(version);
  }
  return text.empty() ? "-" : text;
}

std::string metrics_text(const std::map<std::string, double>& metrics) {
  std::string text;
  for (const auto& [key, value] : metrics) {
    text += (text.empty() ? "" : ", ") + key + "=" + format_metric(value);
  }
  return text.empty() ? "-" : text;
}

std::string join(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : ", ") + word;
  return text.empty() ? "-" : text;
}

/// "production: v3 -> v4 (v3 archived)"
std::string describe_move(const tracking::AliasEvent& event) {
  std::string text = event.alias + ": " + format_version(event.from_version) + " -> " +
                     format_version(event.to_version);
  if (event.archived_version != 0) {
    text += " (" + format_version(event.archived_version) + " archived)";
  }
  return text;
}

void print_versions(std::ostream& out, const std::vector<tracking::ModelVersion>& versions) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& v : versions) {
    rows.push_back(
        {format_version(v.version), std::string(to_string(v.status)), join(v.aliases), v.flavor,
         metrics_text(v.metrics), v.tracking_run_id.empty() ? "-" : v.tracking_run_id.substr(0, 8),
         v.links.asset_key.empty() ? "-" : v.links.asset_key, format_timestamp(v.created_at)});
  }
  print_table(
      out,
      {"VERSION", "STATUS", "ALIASES", "FLAVOR", "METRICS", "TRACKING RUN", "ASSET", "CREATED"},
      rows);
}

int models_list(CliEnv& env, const ModelsOptions& o) {
  const auto models = open_tracker(env).models().list_models();
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& model : models) out.push_back(to_json(model));
    env.out() << out.dump(2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& model : models) {
    rows.push_back({model.name, format_version(model.latest_version), aliases_text(model.aliases),
                    format_timestamp(model.updated_at), model.description});
  }
  print_table(env.out(), {"MODEL", "LATEST", "ALIASES", "UPDATED", "DESCRIPTION"}, rows);
  return 0;
}

int models_show(CliEnv& env, const ModelsOptions& o) {
  const tracking::ModelRegistry registry = open_tracker(env).models();
  const tracking::RegisteredModel model = registry.get_model(o.name);
  const auto versions = registry.list_versions(o.name);
  const auto history = registry.alias_history(o.name);
  if (o.json) {
    nlohmann::json out = to_json(model);
    out["versions"] = nlohmann::json::array();
    for (const auto& version : versions) out["versions"].push_back(to_json(version));
    out["alias_history"] = nlohmann::json::array();
    for (const auto& event : history) out["alias_history"].push_back(to_json(event));
    env.out() << out.dump(2) << "\n";
    return 0;
  }
  auto& out = env.out();
  out << "model        " << model.name << "\n";
  if (!model.description.empty()) out << "description  " << model.description << "\n";
  out << "aliases      " << aliases_text(model.aliases) << "\n"
      << "created      " << format_timestamp(model.created_at) << "\n\n";
  print_versions(out, versions);
  out << "\nalias history:" << (history.empty() ? " none\n" : "\n");
  std::vector<std::vector<std::string>> rows;
  for (const auto& event : history) {
    rows.push_back({"  " + format_timestamp(event.timestamp), describe_move(event), event.reason});
  }
  if (!rows.empty()) print_table(out, {"  TIME", "MOVE", "REASON"}, rows);
  return 0;
}

int models_versions(CliEnv& env, const ModelsOptions& o) {
  const auto versions = open_tracker(env).models().list_versions(o.name);
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& version : versions) out.push_back(to_json(version));
    env.out() << out.dump(2) << "\n";
    return 0;
  }
  print_versions(env.out(), versions);
  return 0;
}

int models_promote(CliEnv& env, const ModelsOptions& o) {
  const std::int64_t version = parse_version(o.version);
  tracking::ModelRegistry registry = open_tracker(env).models();
  const tracking::AliasEvent event = registry.promote(
      o.name, version, o.alias, o.reason.empty() ? "promoted from the command line" : o.reason);
  if (o.json) {
    env.out() << to_json(event).dump(2) << "\n";
    return 0;
  }
  if (event.from_version == event.to_version) {
    env.out() << o.name << " " << format_version(version) << " already holds alias " << o.alias
              << "; nothing changed\n";
  } else {
    env.out() << o.name << " " << describe_move(event) << "\n";
  }
  return 0;
}

int models_archive(CliEnv& env, const ModelsOptions& o) {
  const std::int64_t version = parse_version(o.version);
  tracking::ModelRegistry registry = open_tracker(env).models();
  registry.archive(o.name, version);
  const tracking::ModelVersion archived = registry.get_version(o.name, version);
  if (o.json) {
    env.out() << to_json(archived).dump(2) << "\n";
    return 0;
  }
  env.out() << o.name << " " << format_version(version) << " archived\n";
  return 0;
}

}  // namespace

void add_models_command(CLI::App& app, CliEnv& env, CommandAction& action) {
  auto* models = app.add_subcommand("models", "The model registry: models, versions, aliases");
  models->require_subcommand(1);
  auto o = std::make_shared<ModelsOptions>();
  auto bind = [&env, &action, o](CLI::App* cmd, int (*fn)(CliEnv&, const ModelsOptions&)) {
    cmd->callback([&env, &action, o, fn] { action = [&env, o, fn] { return fn(env, *o); }; });
  };

  auto* list = models->add_subcommand("list", "Registered models with their aliases");
  list->add_flag("--json", o->json, "Print JSON for scripts");
  bind(list, models_list);

  auto* show = models->add_subcommand("show", "A model: aliases, versions, alias history");
  show->add_option("name", o->name, "Model name")->required();
  show->add_flag("--json", o->json, "Print JSON for scripts");
  bind(show, models_show);

  auto* versions = models->add_subcommand("versions", "A model's versions, oldest first");
  versions->add_option("name", o->name, "Model name")->required();
  versions->add_flag("--json", o->json, "Print JSON for scripts");
  bind(versions, models_versions);

  auto* promote = models->add_subcommand(
      "promote", "Point an alias at a version, archiving the version that held it");
  promote->add_option("name", o->name, "Model name")->required();
  promote->add_option("version", o->version, "Version number (3 or v3)")->required();
  promote->add_option("--alias", o->alias, "The alias, e.g. production")->required();
  promote->add_option("--reason", o->reason, "Why, recorded in the alias history");
  promote->add_flag("--json", o->json, "Print the recorded move as JSON");
  bind(promote, models_promote);

  auto* archive = models->add_subcommand("archive", "Mark a version ARCHIVED");
  archive->add_option("name", o->name, "Model name")->required();
  archive->add_option("version", o->version, "Version number (3 or v3)")->required();
  archive->add_flag("--json", o->json, "Print the archived version as JSON");
  bind(archive, models_archive);
}

}  // namespace cairn
