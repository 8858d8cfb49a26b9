// `backfill create|list|show|cancel|resume` (docs/backfills.md). Creating a backfill only
// records it with its QUEUED runs; the daemon's run queue launches them.

#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include "automation/backfill.hpp"
#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/output.hpp"
#include "cli/partition_args.hpp"
#include "cli/progress_display.hpp"
#include "cli/run_launcher.hpp"
#include "core/clock.hpp"
#include "core/suggest.hpp"
#include "graph/selection.hpp"

namespace cairn {

namespace {

struct BackfillOptions {
  std::string backfill;
  std::string select;
  std::string job;
  std::string partitions;
  bool single_run = false;
  int max_partitions_per_run = 1;
  std::string config_file;
  std::vector<std::string> tags;
  std::string status;
  int limit = 50;
  int offset = 0;
  bool json = false;
};

double now_seconds() {
  return to_epoch_seconds(std::chrono::system_clock::now());
}

nlohmann::json to_json(const BackfillRecord& backfill, const BackfillProgress& progress) {
  return {{"backfill_id", backfill.backfill_id},
          {"status", to_string(backfill.status)},
          {"selection", backfill.selection},
          {"job", backfill.job_name},
          {"tags", backfill.tags},
          {"single_run", backfill.single_run},
          {"max_partitions_per_run", backfill.max_partitions_per_run},
          {"created_at", backfill.created_at},
          {"ended_at", backfill.ended_at},
          {"partition_count", backfill.partition_count},
          {"progress",
           {{"queued", progress.queued},
            {"in_progress", progress.in_progress},
            {"succeeded", progress.succeeded},
            {"failed", progress.failed},
            {"canceled", progress.canceled}}}};
}

std::string progress_text(const BackfillProgress& p, std::int64_t total) {
  return std::to_string(p.succeeded) + "/" + std::to_string(total) + " succeeded, " +
         std::to_string(p.failed) + " failed, " + std::to_string(p.canceled) + " canceled, " +
         std::to_string(p.in_progress) + " in progress, " + std::to_string(p.queued) + " queued";
}

std::string what(const BackfillRecord& backfill) {
  return backfill.job_name.empty() ? backfill.selection : "job " + backfill.job_name;
}

BackfillRecord find_backfill(AutomationStore& store, const std::string& id) {
  std::optional<BackfillRecord> backfill = store.get_backfill(id);
  if (!backfill) {
    throw NotFoundError("no backfill '" + id +
                        "'; `backfill list` shows the backfills of this instance");
  }
  return *backfill;
}

int backfill_create(CliEnv& env, const BackfillOptions& o) {
  if (o.select.empty() == o.job.empty()) {
    throw ConfigError("give exactly one of --select EXPR or --job NAME");
  }
  if (o.single_run && o.max_partitions_per_run != 1) {
    throw ConfigError("give either --single-run or --max-partitions-per-run N, not both");
  }
  const AssetGraph& graph = env.graph();
  BackfillRequest request;
  std::vector<ConfigSource> sources;
  request.selection = o.select;
  if (!o.job.empty()) {
    const Job* job = graph.find_job(o.job);
    if (job == nullptr) {
      std::vector<std::string> names;
      for (const auto& j : env.definitions().jobs) names.push_back(j.name);
      throw NotFoundError("no job named '" + o.job + "'" + did_you_mean(o.job, names) +
                          "; `list` shows the jobs");
    }
    request.selection = job->selection;
    request.job_name = job->name;
    request.tags = job->tags;
    sources.push_back({"job '" + job->name + "'", job->config_json});
  }
  const std::vector<NodeId> selected = resolve_selection(graph, request.selection);
  if (selected.empty()) {
    throw SelectionError("selection '" + request.selection + "' matches no assets");
  }
  if (!o.config_file.empty()) {
    sources.push_back({o.config_file, read_config_file(o.config_file)});
  }
  std::vector<const AssetDefinition*> defs;
  for (NodeId n = 0; n < graph.size(); ++n) defs.push_back(&graph.definition(n));
  request.config_json = resolve_run_config(sources, defs).json_text;
  for (const auto& [k, v] : parse_tags(o.tags)) request.tags[k] = v;
  request.partition_keys =
      resolve_partition_args(env.partition_space(), selected, "", o.partitions);
  request.single_run = o.single_run;
  request.max_partitions_per_run = o.max_partitions_per_run;

  Storage& storage = env.instance().storage();
  const BackfillRecord backfill =
      create_backfill(storage.automation(), request, now_seconds(), new_run_id);
  const std::size_t runs =
      split_into_runs(request.partition_keys, request.single_run, request.max_partitions_per_run)
          .size();
  if (o.json) {
    nlohmann::json out =
        to_json(backfill, storage.automation().backfill_progress(backfill.backfill_id));
    out["run_count"] = runs;
    env.out() << out.dump(2) << "\n";
    return 0;
  }
  env.out() << "backfill " << backfill.backfill_id << " created: " << request.partition_keys.size()
            << " partitions (" << request.partition_keys.front() << " .. "
            << request.partition_keys.back() << ") in " << runs << (runs == 1 ? " run" : " runs")
            << ", queued\n"
            << "start `" << env.program() << " daemon` to launch them; `" << env.program()
            << " backfill show " << backfill.backfill_id << "` follows the progress\n";
  return 0;
}

int backfill_list(CliEnv& env, const BackfillOptions& o) {
  AutomationStore& store = env.instance().storage().automation();
  const std::vector<BackfillRecord> backfills = store.list_backfills(o.limit);
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& b : backfills)
      out.push_back(to_json(b, store.backfill_progress(b.backfill_id)));
    env.out() << out.dump(2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& b : backfills) {
    const BackfillProgress p = store.backfill_progress(b.backfill_id);
    rows.push_back({b.backfill_id, std::string(to_string(b.status)), format_timestamp(b.created_at),
                    std::to_string(b.partition_count),
                    std::to_string(p.succeeded) + " ok, " + std::to_string(p.failed) + " failed",
                    what(b)});
  }
  print_table(env.out(), {"BACKFILL", "STATUS", "CREATED", "PARTITIONS", "DONE", "WHAT"}, rows);
  return 0;
}

int backfill_show(CliEnv& env, const BackfillOptions& o) {
  AutomationStore& store = env.instance().storage().automation();
  const BackfillRecord backfill = find_backfill(store, o.backfill);
  const BackfillProgress progress = store.backfill_progress(backfill.backfill_id);
  std::optional<PartitionRunStatus> only;
  if (!o.status.empty()) {
    only = partition_run_status_from_string(o.status);
    if (!only) {
      throw ConfigError("unknown partition status '" + o.status +
                        "'; use QUEUED, IN_PROGRESS, SUCCESS, FAILURE or CANCELED");
    }
  }
  if (o.limit < 0 || o.offset < 0) throw ConfigError("--limit and --offset cannot be negative");
  std::vector<BackfillPartition> page;
  std::size_t matching = 0;
  for (BackfillPartition& p : store.backfill_partitions(backfill.backfill_id)) {
    if (only && p.status != *only) continue;
    if (matching >= static_cast<std::size_t>(o.offset) &&
        page.size() < static_cast<std::size_t>(o.limit)) {
      page.push_back(std::move(p));
    }
    ++matching;
  }
  if (o.json) {
    nlohmann::json out = to_json(backfill, progress);
    nlohmann::json partitions = nlohmann::json::array();
    for (const auto& p : page) {
      partitions.push_back(
          {{"partition", p.partition_key}, {"status", to_string(p.status)}, {"run_id", p.run_id}});
    }
    out["partitions"] = partitions;
    out["partitions_matching"] = matching;
    out["offset"] = o.offset;
    env.out() << out.dump(2) << "\n";
    return 0;
  }
  auto& out = env.out();
  out << "backfill   " << backfill.backfill_id << "\n"
      << "status     " << to_string(backfill.status) << "\n"
      << "what       " << what(backfill) << "\n"
      << "created    " << format_timestamp(backfill.created_at) << "\n";
  if (backfill.ended_at > 0) out << "ended      " << format_timestamp(backfill.ended_at) << "\n";
  out << "runs       "
      << (backfill.single_run
              ? std::string("one for every partition")
              : "one per " + std::to_string(backfill.max_partitions_per_run) + " partition(s)")
      << "\n"
      << "progress   " << progress_text(progress, backfill.partition_count) << "\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : page) {
    rows.push_back({p.partition_key, std::string(to_string(p.status)), p.run_id});
  }
  print_table(out, {"PARTITION", "STATUS", "RUN"}, rows);
  const std::size_t shown_to = static_cast<std::size_t>(o.offset) + page.size();
  if (shown_to < matching) {
    out << "(partitions " << o.offset + 1 << "-" << shown_to << " of " << matching << "; --offset "
        << shown_to << " shows the next ones)\n";
  }
  return 0;
}

int backfill_cancel(CliEnv& env, const BackfillOptions& o) {
  Storage& storage = env.instance().storage();
  const BackfillCancelResult result = cancel_backfill(storage, o.backfill, now_seconds());
  env.out() << "backfill " << o.backfill << " CANCELED: " << result.canceled_runs
            << " queued run(s) canceled, cancellation requested for "
            << result.cancel_requested_runs << " running run(s)\n";
  return 0;
}

int backfill_resume(CliEnv& env, const BackfillOptions& o) {
  Storage& storage = env.instance().storage();
  const BackfillResumeResult result =
      resume_backfill(storage, o.backfill, now_seconds(), new_run_id);
  env.out() << "backfill " << o.backfill << " resumed: " << result.partitions
            << " failed or canceled partition(s) queued again in " << result.run_ids.size()
            << " run(s); start `" << env.program() << " daemon` to launch them\n";
  return 0;
}

}  // namespace

void add_backfill_command(CLI::App& app, CliEnv& env, CommandAction& action) {
  auto* backfill =
      app.add_subcommand("backfill", "Materialize a range of partitions as queued runs");
  backfill->require_subcommand(1);
  auto o = std::make_shared<BackfillOptions>();
  auto bind = [&env, &action, o](CLI::App* cmd, int (*fn)(CliEnv&, const BackfillOptions&)) {
    cmd->callback([&env, &action, o, fn] { action = [&env, o, fn] { return fn(env, *o); }; });
  };

  auto* create = backfill->add_subcommand(
      "create", "Queue runs materializing the selection for every partition of a range");
  create->add_option("--select,-s", o->select,
                     "Assets to backfill, in the selection language (docs/selection.md)");
  create->add_option("--job,-j", o->job, "Backfill a job's selection with its config and tags");
  create->add_option("--partitions", o->partitions, "The partitions: FROM..TO (inclusive)")
      ->required();
  create->add_flag("--single-run", o->single_run, "One run for all the partitions");
  create->add_option("--max-partitions-per-run", o->max_partitions_per_run,
                     "Partitions per run (default 1: one run per partition)");
  create->add_option("--config,-c", o->config_file,
                     "JSON config file: {\"assets\": {\"<asset>\": {\"<field>\": value}}}");
  create->add_option("--tag", o->tags, "Tag every run: KEY=VALUE (repeatable)");
  create->add_flag("--json", o->json, "Print the backfill as JSON");
  bind(create, backfill_create);

  auto* list = backfill->add_subcommand("list", "Backfills of this instance, newest first");
  list->add_option("--limit", o->limit, "At most this many backfills")->capture_default_str();
  list->add_flag("--json", o->json, "Print JSON for scripts");
  bind(list, backfill_list);

  auto* show = backfill->add_subcommand("show", "A backfill's status, progress and partitions");
  show->add_option("backfill", o->backfill, "Backfill id")->required();
  show->add_option("--status", o->status, "Only partitions with this status (e.g. FAILURE)");
  show->add_option("--limit", o->limit, "Partitions per page")->capture_default_str();
  show->add_option("--offset", o->offset, "Skip this many partitions (paging)");
  show->add_flag("--json", o->json, "Print JSON for scripts");
  bind(show, backfill_show);

  auto* cancel = backfill->add_subcommand(
      "cancel", "Cancel a backfill: its queued runs never start, its running ones are stopped");
  cancel->add_option("backfill", o->backfill, "Backfill id")->required();
  bind(cancel, backfill_cancel);

  auto* resume = backfill->add_subcommand(
      "resume", "Queue the failed and canceled partitions of a backfill again");
  resume->add_option("backfill", o->backfill, "Backfill id")->required();
  bind(resume, backfill_resume);
}

}  // namespace cairn
