#pragma once
// How commands print: aligned tables for people, JSON documents for scripts (--json).

#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/event.hpp"
#include "core/run_record.hpp"
#include "core/storage.hpp"

namespace cairn {

nlohmann::json to_json(const RunRecord& run);
nlohmann::json to_json(const Event& event);
nlohmann::json to_json(const MaterializationRecord& record);

/// "850 ms", "12.3 s", "4 min 02 s".
std::string format_duration(double seconds);

/// Metadata of a materialization payload as "label=value, ..." (values shortened).
std::string metadata_summary(const std::string& payload_json, std::size_t max_chars = 60);

/// Prints rows under headers, columns padded to their widest cell.
void print_table(std::ostream& out, const std::vector<std::string>& headers,
                 const std::vector<std::vector<std::string>>& rows);

}  // namespace cairn
