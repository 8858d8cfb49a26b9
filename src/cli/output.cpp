#include "cli/output.hpp"

#include <algorithm>
#include <ostream>

#include <fmt/format.h>

#include "cli/progress_display.hpp"

namespace cairn {

using nlohmann::json;

namespace {
json parse_or_null(const std::string& text) {
  if (text.empty()) return nullptr;
  return json::parse(text, nullptr, /*allow_exceptions=*/false);
}
json time_or_null(double t) {
  return t > 0 ? json(t) : json(nullptr);
}
}  // namespace

json to_json(const RunRecord& run) {
  json tags = json::object();
  for (const auto& [k, v] : run.tags) tags[k] = v;
  return {{"run_id", run.run_id},
          {"status", to_string(run.status)},
          {"job", run.job_name},
          {"selection", run.selection},
          {"config", parse_or_null(run.config_json)},
          {"tags", tags},
          {"parent_run_id", run.parent_run_id.empty() ? json(nullptr) : json(run.parent_run_id)},
          {"root_run_id", run.root_run_id},
          {"steps", run.step_keys},
          {"partitions", run.partition_keys},
          {"priority", run.priority},
          {"run_key", run.run_key.empty() ? json(nullptr) : json(run.run_key)},
          {"created_at", time_or_null(run.created_at)},
          {"started_at", time_or_null(run.started_at)},
          {"ended_at", time_or_null(run.ended_at)},
          {"failure_reason", run.failure_reason.empty() ? json(nullptr) : json(run.failure_reason)},
          {"cancel_requested", run.cancel_requested},
          {"host", run.host},
          {"pid", run.pid}};
}

json to_json(const Event& e) {
  return {{"id", e.id},
          {"run_id", e.run_id},
          {"timestamp", e.timestamp},
          {"type", to_string(e.type)},
          {"step", e.step_key.empty() ? json(nullptr) : json(e.step_key)},
          {"asset", e.asset_key.empty() ? json(nullptr) : json(e.asset_key)},
          {"partition", e.partition_key.empty() ? json(nullptr) : json(e.partition_key)},
          {"level", to_string(e.level)},
          {"message", e.message},
          {"payload", parse_or_null(e.payload_json)}};
}

json to_json(const MaterializationRecord& m) {
  return {{"asset", m.asset_key},
          {"partition", m.partition_key.empty() ? json(nullptr) : json(m.partition_key)},
          {"run_id", m.run_id},
          {"event_id", m.event_id},
          {"timestamp", m.timestamp},
          {"materialization", parse_or_null(m.payload_json)}};
}

std::string format_duration(double seconds) {
  if (seconds < 1) return fmt::format("{:.0f} ms", seconds * 1000);
  if (seconds < 60) return fmt::format("{:.1f} s", seconds);
  int whole = static_cast<int>(seconds);
  return fmt::format("{} min {:02d} s", whole / 60, whole % 60);
}

std::string metadata_summary(const std::string& payload_json, std::size_t max_chars) {
  json payload = parse_or_null(payload_json);
  if (!payload.is_object() || !payload.contains("metadata")) return "";
  std::string text;
  for (const auto& [label, entry] : payload["metadata"].items()) {
    const json& value = entry["value"];
    std::string shown = value.is_string() ? value.get<std::string>() : value.dump();
    if (shown.size() > 24) shown = shown.substr(0, 21) + "...";
    text += (text.empty() ? "" : ", ") + label + "=" + shown;
  }
  if (text.size() > max_chars) text = text.substr(0, max_chars - 3) + "...";
  return text;
}

void print_table(std::ostream& out, const std::vector<std::string>& headers,
                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths(headers.size());
  for (std::size_t c = 0; c < headers.size(); ++c) widths[c] = headers[c].size();
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      widths[c] = std::max(widths[c], row[c].size());
    }
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - row[c].size() + 2, ' ');
    }
    out << line << "\n";
  };
  print_row(headers);
  for (const auto& row : rows) print_row(row);
}

}  // namespace cairn
