#pragma once
// The pipeline's automation: which runs the daemon requests, and when.
//
// The replayed calendar (2016) is not the wall clock, so the daily predictions are driven by the
// replay itself rather than by a cron tick: the `predict_next_day` sensor runs once a day and
// requests the first replay day after the last one predicted (a cron schedule would ask for the
// day that ended at its tick, in 2026, which is not a partition). Retraining is a weekly
// schedule, and also what the drift sensor requests when a day's maximum PSI crosses the
// threshold.

#include <cairn/automation.hpp>

#include <string>

namespace credit {

inline constexpr const char* kPredictJob = "predict_day";
inline constexpr const char* kRetrainJob = "retrain";
/// A day whose maximum feature PSI is above this requests retraining (0.25: a major shift).
inline constexpr double kDriftThreshold = 0.25;

/// The instance directory the automation reads and writes: $CAIRN_HOME, else ./.cairn (the
/// pipeline CLI's default).
std::string instance_home();

/// A run of the retrain job: training_set, every variant of trained_model, evaluation and
/// deployment_decision.
cairn::RunRequest retrain_request(std::string run_key);

/// Requests the day after the last predicted one (batch_predictions' materializations, and the
/// days it already requested, kept in its cursor); skips once 2016-03-31 is predicted.
cairn::Sensor predict_next_day_sensor();

/// Reads the max_psi of each new feature_drift materialization (from its tracking run) and
/// requests one retraining per tick in which some day crossed kDriftThreshold. The run key names
/// the crossing (day and data version), so one crossing retrains once. Checks every 5 s.
cairn::Sensor retrain_on_drift_sensor();

/// Appends one JSON line per failed run to $CAIRN_HOME/alerts.jsonl, checking every 5 s.
cairn::Sensor failure_alert_sensor();

/// Retrains every Monday at 03:00 UTC.
cairn::Schedule weekly_retrain_schedule();

}  // namespace credit
