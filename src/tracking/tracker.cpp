#include <algorithm>
#include <random>

#include "cairn/model_registry.hpp"
#include "cairn/tracking.hpp"
#include "core/id_prefix.hpp"
#include "core/suggest.hpp"
#include "tracking/names.hpp"
#include "tracking/run_query.hpp"
#include "tracking/tracking_backend.hpp"

namespace cairn::tracking {

namespace {

/// 128 random bits as 32 lowercase hex digits.
std::string new_tracking_run_id() {
  thread_local std::mt19937_64 rng([] {
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ device();
  }());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(32);
  for (int half = 0; half < 2; ++half) {
    std::uint64_t bits = rng();
    for (int i = 0; i < 16; ++i, bits >>= 4) id.push_back(kHex[bits & 0xf]);
  }
  return id;
}

}  // namespace

Tracker Tracker::open(std::string_view home) {
  return Tracker(open_instance(home));
}

Tracker::Tracker(std::shared_ptr<TrackingBackend> backend) : backend_(std::move(backend)) {}

Experiment Tracker::get_or_create_experiment(std::string_view name) {
  check_name("experiment", name);
  return backend_->store().get_or_create_experiment(name, TrackingBackend::now());
}

Experiment Tracker::get_experiment(std::string_view name) const {
  if (auto experiment = backend_->store().find_experiment(name)) return *experiment;
  std::vector<std::string> names;
  for (const Experiment& experiment : backend_->store().list_experiments()) {
    names.push_back(experiment.name);
  }
  throw NotFoundError("no experiment '" + std::string(name) + "'" + did_you_mean(name, names) +
                      "; `experiments list` shows the experiments of this instance");
}

std::vector<Experiment> Tracker::list_experiments() const {
  return backend_->store().list_experiments();
}

TrackingRun Tracker::start_run(std::string_view experiment, std::string_view name,
                               const RunLinks& links,
                               const std::map<std::string, std::string>& tags) {
  for (const auto& [key, value] : tags) check_key("tag", key);
  const Experiment target = get_or_create_experiment(experiment);
  NewTrackingRun run;
  run.id = new_tracking_run_id();
  run.experiment_id = target.id;
  run.name = std::string(name);
  run.start_time = TrackingBackend::now();
  run.links = links;
  run.tags = tags;
  backend_->store().add_tracking_run(run);
  return TrackingRun(backend_, std::move(run.id), target.id, target.name);
}

TrackingRun Tracker::resume_run(std::string_view id) const {
  const TrackingRunInfo run = get_run(id);
  return TrackingRun(backend_, run.id, run.experiment_id, run.experiment);
}

std::string Tracker::resolve_run_id(std::string_view id_or_prefix) const {
  TrackingStore& store = backend_->store();
  return resolve_id_prefix(
      id_or_prefix,
      {"tracking run", "`tracking runs list` shows the tracking runs of this instance",
       [&store](const std::string& id) { return store.get_tracking_run(id).has_value(); },
       [&store](const std::string& prefix, int limit) {
         return store.find_tracking_run_ids(prefix, limit);
       }});
}

TrackingRunInfo Tracker::get_run(std::string_view id_or_prefix) const {
  const std::string id = resolve_run_id(id_or_prefix);
  std::optional<TrackingRunInfo> run = backend_->store().get_tracking_run(id);
  if (!run) throw NotFoundError("tracking run " + id + " no longer exists");
  return std::move(*run);
}

std::vector<TrackingRunInfo> Tracker::search_runs(const RunQuery& query) const {
  RunSearch search;
  for (const std::string& name : query.experiments) {
    search.experiment_ids.push_back(get_experiment(name).id);
  }
  search.conditions = parse_run_filter(query.filter);
  search.order = parse_run_order(query.order_by);
  search.limit = query.limit;
  search.offset = std::max(0, query.offset);
  return backend_->store().search_tracking_runs(search);
}

ModelRegistry Tracker::models() const {
  return ModelRegistry(backend_);
}

std::string Tracker::artifact_root() const {
  return backend_->artifact_root().string();
}

}  // namespace cairn::tracking
