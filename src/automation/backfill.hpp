#pragma once
// Backfills (docs/backfills.md): a durable request to materialize a selection for a range of
// partitions, split into QUEUED runs that the run queue launches. The backfill keeps a status
// per partition, pointing at the run that covers it:
//
//   QUEUED -> IN_PROGRESS (its run started) -> SUCCESS | FAILURE | CANCELED (its run ended)
//
// and the backfill is REQUESTED until no partition is QUEUED or IN_PROGRESS, then COMPLETED
// (every partition succeeded) or FAILED; `cancel` makes it CANCELED, `resume` requeues its
// failed and canceled partitions as new runs and makes it REQUESTED again.
//
// Creating one writes the backfill, its partitions and its runs in one AutomationStore call
// (one transaction): a backfill of 10 000 partitions is either all there or not at all. The
// partitions then follow their runs' events inside storage (Storage::append_events), in the
// transaction of RUN_START and of the run's final event, however the run ends: its process
// finishing, the monitor failing a lost run, a cancellation, a failed launch. Rejected: the run's
// process recording the outcome after the final event, which a crash in between turned into
// partitions in progress forever.

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/storage.hpp"

namespace cairn {

/// The tag naming the backfill a run belongs to.
inline constexpr const char* kBackfillTag = "cairn/backfill";

/// What to backfill; the partition keys are already validated against the selection's
/// partitions definition.
struct BackfillRequest {
  std::string selection{};  ///< the selection expression (a job's selection for a job)
  std::string job_name{};   ///< empty for an ad-hoc selection
  std::string config_json = "{}";
  std::map<std::string, std::string> tags{};  ///< given to every run, with kBackfillTag
  std::vector<std::string> partition_keys{};  ///< in definition order
  bool single_run = false;                    ///< one run for every partition
  int max_partitions_per_run = 1;             ///< otherwise: runs of at most this many
};

/// The partition keys of each run: one list for `single_run`, else consecutive chunks of at most
/// `max_partitions_per_run` keys. Throws ConfigError if max_partitions_per_run < 1.
std::vector<std::vector<std::string>> split_into_runs(std::span<const std::string> keys,
                                                      bool single_run, int max_partitions_per_run);

/// Records the backfill, its partitions and its QUEUED runs in one transaction and returns the
/// record. `new_id` makes the backfill id (its first 8 characters) and the run ids. Throws
/// ConfigError on an empty partition list or a bad chunk size (nothing is written), StorageError
/// if the store fails (nothing is written either).
///
/// @code
///   BackfillRecord b = create_backfill(storage.automation(),
///                                      {.selection = "credit/raw", .partition_keys = keys},
///                                      to_epoch_seconds(clock.now()), new_run_id);
/// @endcode
BackfillRecord create_backfill(AutomationStore& store, const BackfillRequest& request, double now,
                               const std::function<std::string()>& new_id);

/// What cancel_backfill() did.
struct BackfillCancelResult {
  std::int64_t canceled_runs = 0;          ///< QUEUED runs made CANCELED
  std::int64_t cancel_requested_runs = 0;  ///< running runs asked to stop
};

/// Marks the backfill CANCELED, cancels its QUEUED runs (each taken off the queue atomically
/// first, so no daemon launches it meanwhile; its partitions become CANCELED) and requests the
/// cancellation of its running ones (their partitions are recorded when they end). Throws
/// NotFoundError for an unknown id, Error for a backfill already finished.
BackfillCancelResult cancel_backfill(Storage& storage, std::string_view backfill_id, double now);

/// What resume_backfill() requeued.
struct BackfillResumeResult {
  std::int64_t partitions = 0;
  std::vector<std::string> run_ids;
};

/// Requeues the FAILURE and CANCELED partitions as new QUEUED runs (chunked like the backfill's
/// runs) and makes the backfill REQUESTED. Throws NotFoundError for an unknown id, Error when no
/// partition failed or was canceled.
BackfillResumeResult resume_backfill(Storage& storage, std::string_view backfill_id, double now,
                                     const std::function<std::string()>& new_run_id);

}  // namespace cairn
