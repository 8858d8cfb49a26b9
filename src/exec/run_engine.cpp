#include "exec/run_engine.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>

#include "cairn/error.hpp"
#include "cairn/tracking.hpp"
#include "exec/materialization_payload.hpp"
#include "exec/step_context.hpp"

namespace cairn {

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int next_attempt) {
  const int n = std::max(1, next_attempt - 1);  // retries so far, counting this one
  double ms = static_cast<double>(policy.delay.count());
  switch (policy.backoff) {
    case Backoff::kConstant:
      break;
    case Backoff::kLinear:
      ms *= n;
      break;
    case Backoff::kExponential:
      ms *= std::pow(2.0, n - 1);
      break;
  }
  ms = std::min(ms, static_cast<double>(policy.max_delay.count()));
  return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

namespace {

enum class StepState : std::uint8_t {
  kPending,
  kReady,
  kRunning,
  kStoring,  // compute returned; the value is being stored (no longer subject to the timeout)
  kWaitingRetry,
  kSucceeded,
  kFailed,
  kSkipped,
};

bool is_terminal(StepState s) {
  return s == StepState::kSucceeded || s == StepState::kFailed || s == StepState::kSkipped;
}

enum class FailureKind { kError, kTimeout, kCanceled };

struct Outcome {
  bool ok = false;
  FailureKind kind = FailureKind::kError;
  std::string error;
  AnyValue value;
  Metadata metadata;
  std::optional<tracking::TrackingRun> tracking_run;  // if the step started one
};

struct StepSlot {
  NodeId node = 0;
  StepState state = StepState::kPending;
  std::uint32_t waiting_on = 0;      // in-plan upstream steps not yet succeeded
  std::uint32_t consumers_left = 0;  // in-plan typed downstream steps that still need `value`
  int attempt = 0;
  TimePoint started_at;
  TimePoint deadline = TimePoint::max();
  TimePoint retry_at = TimePoint::max();
  AnyValue value;
};

struct StoredValue {
  StoredInput input;
  std::once_flag once;
  AnyValue value;
  std::exception_ptr error;
};

std::string attempt_payload(int attempt) {
  return "{\"attempt\":" + std::to_string(attempt) + "}";
}

// One execution of one plan. Not reusable.
class Execution {
 public:
  Execution(const AssetGraph& graph, const IOManagers& io,
            const std::map<std::string, Resource>& resources, EventSink& sink, Clock& clock,
            const EngineOptions& options, const RunRecord& run, const RunPlan& plan,
            const RunConfig& config)
      : graph_(graph),
        io_(io),
        resources_(resources),
        sink_(sink),
        clock_(clock),
        options_(options),
        run_(run),
        config_(config),
        rng_(options.jitter_seed),
        slot_of_(graph.size(), kNotInPlan),
        stops_(plan.steps.size()) {
    slots_.resize(plan.steps.size());
    for (std::size_t i = 0; i < plan.steps.size(); ++i) {
      slots_[i].node = plan.steps[i];
      slot_of_[plan.steps[i]] = static_cast<std::uint32_t>(i);
    }
    for (auto& slot : slots_) {
      for (NodeId up : graph_.upstream(slot.node)) {
        if (slot_of_[up] != kNotInPlan) ++slot.waiting_on;
      }
      for (NodeId up : graph_.typed_upstream(slot.node)) {
        if (slot_of_[up] != kNotInPlan) ++slots_[slot_of_[up]].consumers_left;
      }
    }
    for (const auto& input : plan.stored_inputs) {
      auto stored = std::make_unique<StoredValue>();
      stored->input = input;
      stored_.emplace(input.node, std::move(stored));
    }
  }

  RunStatus run() {
    emit_run(EventType::kRunStart, "run started: " + std::to_string(slots_.size()) + " steps");
    {
      std::lock_guard lock(mutex_);
      for (std::uint32_t i = 0; i < slots_.size(); ++i) {
        if (slots_[i].waiting_on == 0) make_ready(i);
      }
      check_finished();
    }
    int limit = options_.max_concurrent > 0 ? options_.max_concurrent
                                            : static_cast<int>(std::thread::hardware_concurrency());
    std::size_t workers = std::min<std::size_t>(std::max(1, limit), slots_.size());
    std::vector<std::thread> threads;
    threads.reserve(workers);
    for (std::size_t i = 0; i < workers; ++i) threads.emplace_back([this] { worker(); });
    coordinate();
    for (auto& t : threads) t.join();
    return finish();
  }

 private:
  static constexpr std::uint32_t kNotInPlan = 0xffffffffu;

  // ---- worker side ------------------------------------------------------------------------

  void worker() {
    std::unique_lock lock(mutex_);
    while (true) {
      work_cv_.wait(lock, [&] { return finished_ || !ready_.empty(); });
      if (ready_.empty()) return;  // finished
      std::uint32_t index = ready_.front();
      ready_.pop_front();
      StepSlot& slot = slots_[index];
      slot.state = StepState::kRunning;
      ++slot.attempt;
      slot.started_at = clock_.now();
      const AssetDefinition& def = graph_.definition(slot.node);
      if (def.timeout.count() > 0) {
        slot.deadline = slot.started_at + def.timeout;
        with_deadline_.insert(index);
        coordinator_cv_.notify_one();
      }
      ++running_;
      std::vector<AnyValue> inputs;
      std::vector<NodeId> to_load;
      inputs.reserve(graph_.typed_upstream(slot.node).size());
      for (NodeId up : graph_.typed_upstream(slot.node)) {
        std::uint32_t up_index = slot_of_[up];
        inputs.push_back(up_index != kNotInPlan ? slots_[up_index].value : AnyValue{});
        if (up_index == kNotInPlan) to_load.push_back(up);
      }
      const int attempt = slot.attempt;
      const TimePoint started_at = slot.started_at;
      lock.unlock();

      Outcome outcome = compute(index, def, attempt, inputs, to_load);
      if (!outcome.ok) end_tracking_run(def.key, outcome, /*succeeded=*/false);

      lock.lock();
      if (outcome.ok && slot.state == StepState::kRunning) {
        slot.state = StepState::kStoring;
        with_deadline_.erase(index);
        lock.unlock();
        store(def, attempt, started_at, outcome);
        end_tracking_run(def.key, outcome, outcome.ok);
        lock.lock();
      } else if (outcome.ok && outcome.tracking_run) {
        // Computed after its timeout had failed the step: the value is discarded.
        lock.unlock();
        end_tracking_run(def.key, outcome, /*succeeded=*/false);
        lock.lock();
      }
      --running_;
      complete(index, outcome);
    }
  }

  Outcome compute(std::uint32_t index, const AssetDefinition& def, int attempt,
                  std::vector<AnyValue>& inputs, const std::vector<NodeId>& to_load) {
    emit_step(EventType::kStepStart, def.key, "", attempt_payload(attempt));
    Outcome outcome;
    StepContext ctx(run_.run_id, run_.tags, def, attempt, stops_[index], resources_, sink_, clock_,
                    options_.tracker);
    try {
      for (std::size_t i = 0, j = 0; i < inputs.size(); ++i) {
        if (!inputs[i]) inputs[i] = load_stored(to_load[j++], def.key);
      }
      static const AnyValue kNoConfig;
      auto config = config_.by_asset.find(def.key);
      outcome.value =
          def.compute(ctx, config == config_.by_asset.end() ? kNoConfig : config->second, inputs);
      outcome.metadata = ctx.take_metadata();
      outcome.ok = true;
    } catch (const StepCanceled& e) {
      outcome.kind = FailureKind::kCanceled;
      outcome.error = e.what();
    } catch (const std::exception& e) {
      outcome.error = e.what();
    } catch (...) {
      outcome.error = "the compute function threw a non-standard exception";
    }
    outcome.tracking_run = ctx.take_tracking_run();
    return outcome;
  }

  // Ends the tracking run the step started, if it did and did not end it itself. A failure to
  // record the end is reported as a warning of the step: the step's own outcome stands.
  void end_tracking_run(const std::string& step, Outcome& outcome, bool succeeded) {
    if (!outcome.tracking_run) return;
    using tracking::TrackingRunStatus;
    const TrackingRunStatus status = succeeded ? TrackingRunStatus::kFinished
                                     : outcome.kind == FailureKind::kCanceled
                                         ? TrackingRunStatus::kKilled
                                         : TrackingRunStatus::kFailed;
    try {
      outcome.tracking_run->finish(status);
    } catch (const std::exception& e) {
      emit_step(EventType::kLog, step,
                "could not mark tracking run " + outcome.tracking_run->id() + " " +
                    std::string(to_string(status)) + ": " + e.what(),
                "", LogLevel::kWarning);
    }
  }

  // Stores a computed value and records its materialization; turns `outcome` into a failure
  // if the IO manager cannot store it.
  void store(const AssetDefinition& def, int attempt, TimePoint started_at, Outcome& outcome) {
    try {
      IOManager& io = *io_.at(def.io_manager);
      ValueRef ref{def.key, "", run_.run_id, &def.codec};
      MaterializationPayload payload;
      payload.uri = io.store(ref, outcome.value);
      payload.io_manager = def.io_manager;
      payload.codec = def.codec.name;
      payload.code_version = def.code_version;
      payload.metadata = std::move(outcome.metadata);
      emit_step(EventType::kAssetMaterialization, def.key, "", to_json(payload));
      double ms = std::chrono::duration<double, std::milli>(clock_.now() - started_at).count();
      emit_step(EventType::kStepSuccess, def.key, "",
                "{\"attempt\":" + std::to_string(attempt) +
                    ",\"duration_ms\":" + std::to_string(ms) + "}");
    } catch (const std::exception& e) {
      outcome.ok = false;
      outcome.value = AnyValue{};
      outcome.error = std::string("storing the value failed: ") + e.what();
    }
  }

  AnyValue load_stored(NodeId node, const std::string& for_step) {
    StoredValue& stored = *stored_.at(node);
    std::call_once(stored.once, [&] {
      try {
        const AssetDefinition& def = graph_.definition(node);
        const MaterializationRecord& m = stored.input.materialization;
        MaterializationPayload payload = materialization_payload_from_json(m.payload_json);
        auto io = io_.find(payload.io_manager);
        if (io == io_.end()) {
          throw Error("its value was stored by IO manager '" + payload.io_manager +
                      "', which this pipeline does not define");
        }
        ValueRef ref{def.key, m.partition_key, m.run_id, &def.codec};
        stored.value = io->second->load(ref, payload.uri);
        emit_step(EventType::kStepInputLoaded, for_step,
                  "loaded '" + def.key + "' from run " + m.run_id,
                  "{\"input\":\"" + def.key + "\",\"from_run\":\"" + m.run_id + "\"}");
      } catch (...) {
        stored.error = std::current_exception();
      }
    });
    if (stored.error) {
      try {
        std::rethrow_exception(stored.error);
      } catch (const std::exception& e) {
        throw Error("cannot load input '" + graph_.key(node) + "': " + e.what());
      }
    }
    return stored.value;
  }

  // ---- state transitions (mutex_ held) --------------------------------------------------

  void make_ready(std::uint32_t index) {
    slots_[index].state = StepState::kReady;
    ready_.push_back(index);
    work_cv_.notify_one();
  }

  void complete(std::uint32_t index, Outcome& outcome) {
    StepSlot& slot = slots_[index];
    if (is_terminal(slot.state)) {
      // Already failed by its timeout; the late result is discarded.
      check_finished();
      return;
    }
    with_deadline_.erase(index);
    const AssetDefinition& def = graph_.definition(slot.node);
    if (outcome.ok) {
      slot.state = StepState::kSucceeded;
      ++terminal_;
      if (slot.consumers_left > 0) slot.value = std::move(outcome.value);
      release_inputs(slot.node);
      for (NodeId down : graph_.downstream(slot.node)) {
        std::uint32_t d = slot_of_[down];
        if (d == kNotInPlan) continue;
        StepSlot& next = slots_[d];
        if (--next.waiting_on == 0 && next.state == StepState::kPending) make_ready(d);
      }
    } else if (outcome.kind == FailureKind::kError && !canceling_ &&
               slot.attempt < def.retry.max_attempts) {
      auto delay = retry_delay(def.retry, slot.attempt + 1);
      if (def.retry.jitter > 0) {
        std::uniform_real_distribution<double> fraction(0.0, def.retry.jitter);
        delay += std::chrono::milliseconds(
            static_cast<std::int64_t>(static_cast<double>(delay.count()) * fraction(rng_)));
      }
      slot.state = StepState::kWaitingRetry;
      slot.retry_at = clock_.now() + delay;
      waiting_retry_.insert(index);
      emit_step(EventType::kStepRetry, def.key, outcome.error,
                "{\"attempt\":" + std::to_string(slot.attempt) +
                    ",\"delay_ms\":" + std::to_string(delay.count()) + "}",
                LogLevel::kWarning);
      coordinator_cv_.notify_one();
    } else {
      fail(index, outcome.kind, outcome.error);
    }
    check_finished();
  }

  void fail(std::uint32_t index, FailureKind kind, const std::string& error) {
    StepSlot& slot = slots_[index];
    slot.state = StepState::kFailed;
    ++terminal_;
    failed_.push_back(slot.node);
    const char* kind_name = kind == FailureKind::kTimeout    ? "timeout"
                            : kind == FailureKind::kCanceled ? "canceled"
                                                             : "error";
    emit_step(EventType::kStepFailure, graph_.key(slot.node), error,
              "{\"attempt\":" + std::to_string(slot.attempt) + ",\"kind\":\"" + kind_name + "\"}",
              LogLevel::kError);
    release_inputs(slot.node);
    skip_downstream(slot.node, "upstream '" + graph_.key(slot.node) + "' failed");
  }

  void skip_downstream(NodeId failed, const std::string& why) {
    std::vector<NodeId> stack{failed};
    while (!stack.empty()) {
      NodeId node = stack.back();
      stack.pop_back();
      for (NodeId down : graph_.downstream(node)) {
        std::uint32_t d = slot_of_[down];
        if (d == kNotInPlan || slots_[d].state != StepState::kPending) continue;
        skip(d, why);
        stack.push_back(down);
      }
    }
  }

  void skip(std::uint32_t index, const std::string& why) {
    StepSlot& slot = slots_[index];
    if (slot.state == StepState::kWaitingRetry) waiting_retry_.erase(index);
    slot.state = StepState::kSkipped;
    ++terminal_;
    release_inputs(slot.node);
    emit_step(EventType::kStepSkipped, graph_.key(slot.node), why, "");
  }

  // A step that ended no longer needs its upstream values; drop them once nobody does.
  void release_inputs(NodeId node) {
    for (NodeId up : graph_.typed_upstream(node)) {
      std::uint32_t u = slot_of_[up];
      if (u == kNotInPlan) continue;
      if (slots_[u].consumers_left > 0 && --slots_[u].consumers_left == 0) {
        slots_[u].value = AnyValue{};
      }
    }
  }

  void begin_cancel() {
    canceling_ = true;
    emit_run(EventType::kRunCanceling, "cancellation requested; stopping running steps");
    ready_.clear();
    for (std::uint32_t i = 0; i < slots_.size(); ++i) {
      StepState s = slots_[i].state;
      if (s == StepState::kPending || s == StepState::kReady || s == StepState::kWaitingRetry) {
        skip(i, "run canceled");
      } else if (s == StepState::kRunning) {
        stops_[i].store(true);
      }
    }
    check_finished();
  }

  void check_finished() {
    if (terminal_ == slots_.size() && running_ == 0 && !finished_) {
      finished_ = true;
      work_cv_.notify_all();
      coordinator_cv_.notify_all();
    }
  }

  // ---- coordinator (the calling thread) -------------------------------------------------

  void coordinate() {
    std::unique_lock lock(mutex_);
    TimePoint next_poll = clock_.now();
    while (!finished_) {
      TimePoint now = clock_.now();
      TimePoint next = TimePoint::max();
      for (auto it = waiting_retry_.begin(); it != waiting_retry_.end();) {
        StepSlot& slot = slots_[*it];
        if (slot.retry_at <= now && !canceling_) {
          slot.retry_at = TimePoint::max();
          make_ready(*it);
          it = waiting_retry_.erase(it);
        } else {
          next = std::min(next, slot.retry_at);
          ++it;
        }
      }
      for (auto it = with_deadline_.begin(); it != with_deadline_.end();) {
        std::uint32_t index = *it;
        StepSlot& slot = slots_[index];
        if (slot.state == StepState::kRunning && slot.deadline <= now) {
          it = with_deadline_.erase(it);
          stops_[index].store(true);
          const auto& def = graph_.definition(slot.node);
          fail(index, FailureKind::kTimeout,
               "step exceeded its timeout of " + std::to_string(def.timeout.count()) +
                   " ms and was asked to stop");
        } else {
          next = std::min(next, slot.deadline);
          ++it;
        }
      }
      if (options_.should_cancel && !canceling_) {
        if (now >= next_poll) {
          lock.unlock();
          bool cancel = options_.should_cancel();
          lock.lock();
          if (cancel && !canceling_) begin_cancel();
          next_poll = now + options_.cancel_poll_interval;
        }
        next = std::min(next, next_poll);
      }
      check_finished();
      if (finished_) break;
      clock_.wait_until(lock, coordinator_cv_, next);
    }
  }

  RunStatus finish() {
    if (canceling_) {
      emit_run(EventType::kRunCanceled, "run canceled");
      return RunStatus::kCanceled;
    }
    if (!failed_.empty()) {
      std::string message =
          std::to_string(failed_.size()) + " step" + (failed_.size() == 1 ? "" : "s") + " failed: ";
      for (std::size_t i = 0; i < failed_.size() && i < 5; ++i) {
        message += (i ? ", " : "") + graph_.key(failed_[i]);
      }
      if (failed_.size() > 5) message += ", ...";
      emit_run(EventType::kRunFailure, message);
      return RunStatus::kFailure;
    }
    emit_run(EventType::kRunSuccess, "run succeeded: " + std::to_string(slots_.size()) + " steps");
    return RunStatus::kSuccess;
  }

  // ---- events ---------------------------------------------------------------------------

  void emit_run(EventType type, std::string message) {
    Event e;
    e.run_id = run_.run_id;
    e.timestamp = to_epoch_seconds(clock_.now());
    e.type = type;
    e.level = type == EventType::kRunFailure ? LogLevel::kError : LogLevel::kInfo;
    e.message = std::move(message);
    sink_.emit(std::move(e));
  }

  void emit_step(EventType type, const std::string& key, std::string message, std::string payload,
                 LogLevel level = LogLevel::kInfo) {
    Event e;
    e.run_id = run_.run_id;
    e.timestamp = to_epoch_seconds(clock_.now());
    e.type = type;
    e.step_key = key;
    e.asset_key = key;
    e.level = level;
    e.message = std::move(message);
    e.payload_json = std::move(payload);
    sink_.emit(std::move(e));
  }

  const AssetGraph& graph_;
  const IOManagers& io_;
  const std::map<std::string, Resource>& resources_;
  EventSink& sink_;
  Clock& clock_;
  const EngineOptions& options_;
  const RunRecord& run_;
  const RunConfig& config_;

  std::mutex mutex_;  // guards everything below except stops_ and stored_
  std::condition_variable work_cv_;
  std::condition_variable coordinator_cv_;
  std::mt19937_64 rng_;
  std::vector<StepSlot> slots_;
  std::vector<std::uint32_t> slot_of_;  // NodeId -> index in slots_ (immutable after the ctor)
  std::deque<std::uint32_t> ready_;
  std::set<std::uint32_t> waiting_retry_;
  std::set<std::uint32_t> with_deadline_;
  std::vector<NodeId> failed_;
  std::size_t terminal_ = 0;
  std::size_t running_ = 0;
  bool canceling_ = false;
  bool finished_ = false;

  std::vector<std::atomic<bool>> stops_;  // per slot: the step was asked to stop
  // Immutable after the constructor; each entry is initialized once (std::call_once).
  std::unordered_map<NodeId, std::unique_ptr<StoredValue>> stored_;
};

}  // namespace

RunEngine::RunEngine(const AssetGraph& graph, const IOManagers& io_managers,
                     const std::map<std::string, Resource>& resources, EventSink& sink,
                     Clock& clock, EngineOptions options)
    : graph_(graph),
      io_managers_(io_managers),
      resources_(resources),
      sink_(sink),
      clock_(clock),
      options_(std::move(options)) {}

RunStatus RunEngine::execute(const RunRecord& run, const RunPlan& plan, const RunConfig& config) {
  Execution execution(graph_, io_managers_, resources_, sink_, clock_, options_, run, plan, config);
  return execution.run();
}

}  // namespace cairn
