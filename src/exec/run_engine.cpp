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

#include <nlohmann/json.hpp>

#include "cairn/error.hpp"
#include "cairn/tracking.hpp"
#include "core/data_version.hpp"
#include "exec/asset_checks.hpp"
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
  kWaitingPool,  // ready, but its concurrency pool is full
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

enum class FailureKind { kError, kTimeout, kCanceled, kCheck };

struct Outcome {
  bool ok = false;
  FailureKind kind = FailureKind::kError;
  std::string error;
  std::string skip_reason;  // for the downstream steps, when not "upstream failed"
  AnyValue value;
  Metadata metadata;
  std::string data_version;
  std::string config_hash;
  std::vector<InputVersion> inputs;
  std::optional<tracking::TrackingRun> tracking_run;  // if the step started one
  // Time spent in the user's own functions (observe, compute, checks), measured apart so that
  // what the orchestrator adds around them can be told from the asset's work.
  double user_code_ms = 0;
};

struct StepSlot {
  NodeId node = 0;
  StepState state = StepState::kPending;
  std::uint32_t waiting_on = 0;      // in-plan upstream steps not yet succeeded
  std::uint32_t consumers_left = 0;  // in-plan steps that still need `value`
  int attempt = 0;
  bool holds_pool_slot = false;
  TimePoint started_at;
  TimePoint deadline = TimePoint::max();
  TimePoint retry_at = TimePoint::max();
  AnyValue value;
  std::string data_version;  // once succeeded
};

struct StoredValue {
  std::once_flag once;
  AnyValue value;
  std::exception_ptr error;
  std::string data_version;  // from the materialization's payload
};

// One value a step reads, gathered under the lock; stored values are loaded outside it.
struct GatheredInput {
  const InputSource* source = nullptr;
  AnyValue value;
  std::string data_version;
  NodeId node = 0;
};

double milliseconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

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
        plan_(plan),
        config_(config),
        rng_(options.jitter_seed),
        slots_(plan.steps.size()),
        downstream_(plan.steps.size()),
        producers_(plan.steps.size()),
        stops_(plan.steps.size()) {
    for (std::size_t i = 0; i < plan.steps.size(); ++i) {
      StepSlot& slot = slots_[i];
      slot.node = plan.steps[i].node;
      const StepInputs& inputs = plan.inputs[i];
      slot.waiting_on = static_cast<std::uint32_t>(inputs.after.size());
      for (std::uint32_t up : inputs.after)
        downstream_[up].push_back(static_cast<std::uint32_t>(i));
      auto& producers = producers_[i];
      for (const auto& dependency : inputs.typed) {
        for (const auto& source : dependency) {
          if (source.from != InputSource::From::kStep) continue;
          if (std::find(producers.begin(), producers.end(), source.index) != producers.end()) {
            continue;
          }
          producers.push_back(source.index);
          ++slots_[source.index].consumers_left;
        }
      }
    }
    stored_.reserve(plan.stored_inputs.size());
    for (const auto& input : plan.stored_inputs) {
      auto stored = std::make_unique<StoredValue>();
      try {
        stored->data_version =
            materialization_payload_from_json(input.materialization.payload_json).data_version;
      } catch (const std::exception&) {
        // A payload that does not parse fails the step that loads it, with the reason.
      }
      stored_.push_back(std::move(stored));
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
  // ---- worker side ------------------------------------------------------------------------

  void worker() {
    std::unique_lock lock(mutex_);
    while (true) {
      work_cv_.wait(lock, [&] { return finished_ || !ready_.empty(); });
      if (ready_.empty()) return;  // finished
      std::uint32_t index = ready_.front();
      ready_.pop_front();
      StepSlot& slot = slots_[index];
      const AssetDefinition& def = graph_.definition(slot.node);
      if (!claim_pool(index, def, lock)) continue;
      slot.state = StepState::kRunning;
      ++slot.attempt;
      slot.started_at = clock_.now();
      if (def.timeout.count() > 0) {
        slot.deadline = slot.started_at + def.timeout;
        with_deadline_.insert(index);
        coordinator_cv_.notify_one();
      }
      ++running_;
      std::vector<std::vector<GatheredInput>> inputs = gather_inputs(index);
      const int attempt = slot.attempt;
      const TimePoint started_at = slot.started_at;
      lock.unlock();

      const PlannedStep& step = plan_.steps[index];
      StepContext ctx(run_.run_id, run_.tags, def, step.key, step.partition_key, attempt,
                      stops_[index], resources_, sink_, clock_, options_.tracker);
      Outcome outcome = compute(index, def, ctx, attempt, inputs);
      if (!outcome.ok) end_tracking_run(index, outcome, /*succeeded=*/false);

      lock.lock();
      if (outcome.ok && slot.state == StepState::kRunning) {
        slot.state = StepState::kStoring;
        with_deadline_.erase(index);
        lock.unlock();
        store(index, def, outcome);
        if (outcome.ok) run_checks(index, def, ctx, outcome);
        if (outcome.ok) emit_success(index, attempt, started_at, outcome.user_code_ms);
        end_tracking_run(index, outcome, outcome.ok);
        lock.lock();
      } else if (outcome.ok && outcome.tracking_run) {
        // Computed after its timeout had failed the step: the value is discarded.
        lock.unlock();
        end_tracking_run(index, outcome, /*succeeded=*/false);
        lock.lock();
      }
      release_pool(index, def, lock);
      --running_;
      complete(index, outcome);
    }
  }

  // Takes a slot of the step's pool (mutex_ held, released during the claim). False: the pool
  // is full and the step waits for the coordinator to make it ready again.
  bool claim_pool(std::uint32_t index, const AssetDefinition& def,
                  std::unique_lock<std::mutex>& lock) {
    StepSlot& slot = slots_[index];
    if (def.pool.empty() || !options_.claim_pool_slot || slot.holds_pool_slot) return true;
    slot.state = StepState::kWaitingPool;
    lock.unlock();
    bool claimed = false;
    std::string error;
    try {
      claimed = options_.claim_pool_slot(def.pool, plan_.steps[index].key);
    } catch (const std::exception& e) {
      error = e.what();
    }
    lock.lock();
    if (slot.state != StepState::kWaitingPool) {
      // Skipped by a cancellation meanwhile.
      if (claimed) {
        lock.unlock();
        options_.release_pool_slot(def.pool, plan_.steps[index].key);
        lock.lock();
      }
      check_finished();
      return false;
    }
    if (!error.empty()) {
      fail(index, FailureKind::kError, "cannot claim a slot of pool '" + def.pool + "': " + error);
      check_finished();
      return false;
    }
    if (!claimed) {
      waiting_pool_.push_back(index);
      if (pool_retry_at_ == TimePoint::max()) {
        pool_retry_at_ = clock_.now() + options_.pool_poll_interval;
      }
      coordinator_cv_.notify_one();
      return false;
    }
    slot.holds_pool_slot = true;
    return true;
  }

  void release_pool(std::uint32_t index, const AssetDefinition& def,
                    std::unique_lock<std::mutex>& lock) {
    StepSlot& slot = slots_[index];
    if (!slot.holds_pool_slot) return;
    slot.holds_pool_slot = false;
    lock.unlock();
    try {
      options_.release_pool_slot(def.pool, plan_.steps[index].key);
    } catch (const std::exception& e) {
      emit_step(EventType::kLog, index,
                "could not release the slot of pool '" + def.pool + "': " + e.what(), "",
                LogLevel::kWarning);
    }
    lock.lock();
  }

  // The values of the step's inputs that the run computed, and where to load the others from
  // (mutex_ held).
  std::vector<std::vector<GatheredInput>> gather_inputs(std::uint32_t index) const {
    const StepInputs& inputs = plan_.inputs[index];
    std::vector<std::vector<GatheredInput>> gathered(inputs.typed.size());
    for (std::size_t i = 0; i < inputs.typed.size(); ++i) {
      gathered[i].reserve(inputs.typed[i].size());
      for (const InputSource& source : inputs.typed[i]) {
        if (source.from == InputSource::From::kStep) {
          const StepSlot& producer = slots_[source.index];
          gathered[i].push_back({&source, producer.value, producer.data_version, producer.node});
        } else {
          gathered[i].push_back({&source, AnyValue{}, stored_[source.index]->data_version,
                                 plan_.stored_inputs[source.index].node});
        }
      }
    }
    return gathered;
  }

  Outcome compute(std::uint32_t index, const AssetDefinition& def, StepContext& ctx, int attempt,
                  std::vector<std::vector<GatheredInput>>& gathered) {
    emit_step(EventType::kStepStart, index, "", attempt_payload(attempt));
    const PlannedStep& step = plan_.steps[index];
    Outcome outcome;
    try {
      std::vector<AnyValue> inputs(gathered.size());
      for (std::size_t i = 0; i < gathered.size(); ++i) {
        for (GatheredInput& input : gathered[i]) {
          if (!input.value) input.value = load_stored(input.source->index, index);
          outcome.inputs.push_back(InputVersion{graph_.key(input.node), input.source->partition_key,
                                                input.data_version});
        }
        auto collect = i < def.dep_partitions.size() ? def.dep_partitions[i].collect : nullptr;
        if (collect != nullptr) {
          std::vector<std::pair<std::string, AnyValue>> parts;
          parts.reserve(gathered[i].size());
          for (auto& input : gathered[i]) {
            parts.emplace_back(input.source->partition_key, std::move(input.value));
          }
          inputs[i] = collect(std::move(parts));
        } else if (gathered[i].size() == 1) {
          inputs[i] = std::move(gathered[i][0].value);
        } else {
          throw Error("input " + std::to_string(i + 1) + " of '" + step.key + "' maps to " +
                      std::to_string(gathered[i].size()) +
                      " upstream partitions; read it with .all_partitions()");
        }
      }
      const auto user_code_started = std::chrono::steady_clock::now();
      if (def.observe) {
        std::string observed = def.observe(ctx);
        emit_step(EventType::kAssetObservation, index, "observed data version " + observed,
                  observation_payload(observed));
        outcome.inputs.push_back(InputVersion{def.key, step.partition_key, std::move(observed)});
      }
      static const AnyValue kNoConfig;
      auto config = config_.by_asset.find(def.key);
      outcome.value =
          def.compute(ctx, config == config_.by_asset.end() ? kNoConfig : config->second, inputs);
      outcome.user_code_ms += milliseconds_since(user_code_started);
      outcome.metadata = ctx.take_metadata();
      auto canonical = config_.canonical_by_asset.find(def.key);
      outcome.config_hash =
          canonical == config_.canonical_by_asset.end() ? "" : config_hash(canonical->second);
      outcome.data_version =
          ctx.data_version().empty()
              ? derive_data_version(def.code_version, outcome.config_hash, outcome.inputs)
              : ctx.data_version();
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
  void end_tracking_run(std::uint32_t index, Outcome& outcome, bool succeeded) {
    if (!outcome.tracking_run) return;
    using tracking::TrackingRunStatus;
    const TrackingRunStatus status = succeeded ? TrackingRunStatus::kFinished
                                     : outcome.kind == FailureKind::kCanceled
                                         ? TrackingRunStatus::kKilled
                                         : TrackingRunStatus::kFailed;
    try {
      outcome.tracking_run->finish(status);
    } catch (const std::exception& e) {
      emit_step(EventType::kLog, index,
                "could not mark tracking run " + outcome.tracking_run->id() + " " +
                    std::string(to_string(status)) + ": " + e.what(),
                "", LogLevel::kWarning);
    }
  }

  // Stores a computed value and records its materialization; turns `outcome` into a failure
  // if the IO manager cannot store it.
  void store(std::uint32_t index, const AssetDefinition& def, Outcome& outcome) {
    const PlannedStep& step = plan_.steps[index];
    try {
      IOManager& io = *io_.at(def.io_manager);
      ValueRef ref{def.key, step.partition_key, run_.run_id, &def.codec};
      MaterializationPayload payload;
      payload.uri = io.store(ref, outcome.value);
      payload.io_manager = def.io_manager;
      payload.codec = def.codec.name;
      payload.code_version = def.code_version;
      payload.data_version = outcome.data_version;
      payload.config_hash = outcome.config_hash;
      payload.inputs = std::move(outcome.inputs);
      payload.metadata = std::move(outcome.metadata);
      emit_step(EventType::kAssetMaterialization, index, "", to_json(payload));
    } catch (const std::exception& e) {
      outcome.ok = false;
      outcome.value = AnyValue{};
      outcome.error = std::string("storing the value failed: ") + e.what();
    }
  }

  // Runs the asset's checks on the stored value; a failed blocking check of severity error
  // fails the step (the value stays stored) and names itself to the skipped downstream steps.
  void run_checks(std::uint32_t index, const AssetDefinition& def, Context& ctx, Outcome& outcome) {
    if (def.checks.empty()) return;
    const auto checks_started = std::chrono::steady_clock::now();
    std::string blocking_failures = evaluate_checks(
        def, ctx, outcome.value, [&](std::string message, std::string payload, LogLevel level) {
          emit_step(EventType::kAssetCheckEvaluation, index, std::move(message), std::move(payload),
                    level);
        });
    outcome.user_code_ms += milliseconds_since(checks_started);
    if (blocking_failures.empty()) return;
    outcome.ok = false;
    outcome.kind = FailureKind::kCheck;
    outcome.value = AnyValue{};
    outcome.error = "blocking check " + blocking_failures + " failed";
    outcome.skip_reason =
        "blocking check " + blocking_failures + " of '" + plan_.steps[index].key + "' failed";
  }

  void emit_success(std::uint32_t index, int attempt, TimePoint started_at, double user_code_ms) {
    double ms = std::chrono::duration<double, std::milli>(clock_.now() - started_at).count();
    emit_step(EventType::kStepSuccess, index, "",
              "{\"attempt\":" + std::to_string(attempt) + ",\"duration_ms\":" + std::to_string(ms) +
                  ",\"user_code_ms\":" + std::to_string(user_code_ms) + "}");
  }

  AnyValue load_stored(std::uint32_t stored_index, std::uint32_t for_step) {
    StoredValue& stored = *stored_[stored_index];
    const StoredInput& input = plan_.stored_inputs[stored_index];
    const std::string& key = graph_.key(input.node);
    const std::string name =
        input.partition_key.empty() ? key : key + "[" + input.partition_key + "]";
    std::call_once(stored.once, [&] {
      try {
        const AssetDefinition& def = graph_.definition(input.node);
        const MaterializationRecord& m = input.materialization;
        MaterializationPayload payload = materialization_payload_from_json(m.payload_json);
        auto io = io_.find(payload.io_manager);
        if (io == io_.end()) {
          throw Error("its value was stored by IO manager '" + payload.io_manager +
                      "', which this pipeline does not define");
        }
        ValueRef ref{def.key, m.partition_key, m.run_id, &def.codec};
        stored.value = io->second->load(ref, payload.uri);
        nlohmann::json loaded{{"input", name}, {"from_run", m.run_id}};
        emit_step(EventType::kStepInputLoaded, for_step,
                  "loaded '" + name + "' from run " + m.run_id, loaded.dump());
      } catch (...) {
        stored.error = std::current_exception();
      }
    });
    if (stored.error) {
      try {
        std::rethrow_exception(stored.error);
      } catch (const std::exception& e) {
        throw Error("cannot load input '" + name + "': " + e.what());
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
      slot.data_version = std::move(outcome.data_version);
      release_inputs(index);
      for (std::uint32_t d : downstream_[index]) {
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
      emit_step(EventType::kStepRetry, index, outcome.error,
                "{\"attempt\":" + std::to_string(slot.attempt) +
                    ",\"delay_ms\":" + std::to_string(delay.count()) + "}",
                LogLevel::kWarning);
      coordinator_cv_.notify_one();
    } else {
      fail(index, outcome.kind, outcome.error, outcome.skip_reason);
    }
    check_finished();
  }

  void fail(std::uint32_t index, FailureKind kind, const std::string& error,
            const std::string& skip_reason = "") {
    StepSlot& slot = slots_[index];
    slot.state = StepState::kFailed;
    ++terminal_;
    failed_.push_back(index);
    const char* kind_name = kind == FailureKind::kTimeout    ? "timeout"
                            : kind == FailureKind::kCanceled ? "canceled"
                            : kind == FailureKind::kCheck    ? "check"
                                                             : "error";
    emit_step(EventType::kStepFailure, index, error,
              "{\"attempt\":" + std::to_string(slot.attempt) + ",\"kind\":\"" + kind_name + "\"}",
              LogLevel::kError);
    release_inputs(index);
    skip_downstream(index, skip_reason.empty() ? "upstream '" + plan_.steps[index].key + "' failed"
                                               : skip_reason);
  }

  void skip_downstream(std::uint32_t failed, const std::string& why) {
    std::vector<std::uint32_t> stack{failed};
    while (!stack.empty()) {
      std::uint32_t index = stack.back();
      stack.pop_back();
      for (std::uint32_t d : downstream_[index]) {
        if (slots_[d].state != StepState::kPending) continue;
        skip(d, why);
        stack.push_back(d);
      }
    }
  }

  void skip(std::uint32_t index, const std::string& why) {
    StepSlot& slot = slots_[index];
    if (slot.state == StepState::kWaitingRetry) waiting_retry_.erase(index);
    slot.state = StepState::kSkipped;
    ++terminal_;
    release_inputs(index);
    emit_step(EventType::kStepSkipped, index, why, "");
  }

  // A step that ended no longer needs its upstream values; drop them once nobody does.
  void release_inputs(std::uint32_t index) {
    for (std::uint32_t producer : producers_[index]) {
      StepSlot& up = slots_[producer];
      if (up.consumers_left > 0 && --up.consumers_left == 0) up.value = AnyValue{};
    }
  }

  void begin_cancel() {
    canceling_ = true;
    emit_run(EventType::kRunCanceling, "cancellation requested; stopping running steps");
    ready_.clear();
    waiting_pool_.clear();
    for (std::uint32_t i = 0; i < slots_.size(); ++i) {
      StepState s = slots_[i].state;
      if (s == StepState::kPending || s == StepState::kReady || s == StepState::kWaitingRetry ||
          s == StepState::kWaitingPool) {
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
      if (!waiting_pool_.empty()) {
        if (pool_retry_at_ <= now) {
          pool_retry_at_ = TimePoint::max();
          for (std::uint32_t index : waiting_pool_) {
            if (slots_[index].state == StepState::kWaitingPool) make_ready(index);
          }
          waiting_pool_.clear();
        } else {
          next = std::min(next, pool_retry_at_);
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
        message += (i ? ", " : "") + plan_.steps[failed_[i]].key;
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

  void emit_step(EventType type, std::uint32_t index, std::string message, std::string payload,
                 LogLevel level = LogLevel::kInfo) {
    const PlannedStep& step = plan_.steps[index];
    Event e;
    e.run_id = run_.run_id;
    e.timestamp = to_epoch_seconds(clock_.now());
    e.type = type;
    e.step_key = step.key;
    e.asset_key = graph_.key(step.node);
    e.partition_key = step.partition_key;
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
  const RunPlan& plan_;
  const RunConfig& config_;

  std::mutex mutex_;  // guards everything below except stops_ and stored_
  std::condition_variable work_cv_;
  std::condition_variable coordinator_cv_;
  std::mt19937_64 rng_;
  std::vector<StepSlot> slots_;                         // parallel to plan_.steps
  std::vector<std::vector<std::uint32_t>> downstream_;  // immutable after the constructor
  std::vector<std::vector<std::uint32_t>> producers_;   // in-plan steps whose value a step reads
  std::deque<std::uint32_t> ready_;
  std::set<std::uint32_t> waiting_retry_;
  std::set<std::uint32_t> with_deadline_;
  std::vector<std::uint32_t> waiting_pool_;
  TimePoint pool_retry_at_ = TimePoint::max();
  std::vector<std::uint32_t> failed_;
  std::size_t terminal_ = 0;
  std::size_t running_ = 0;
  bool canceling_ = false;
  bool finished_ = false;

  std::vector<std::atomic<bool>> stops_;  // per slot: the step was asked to stop
  // Immutable after the constructor; each entry is initialized once (std::call_once).
  std::vector<std::unique_ptr<StoredValue>> stored_;
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
