// One life cycle for every worker job (train, eval, synth, corpus import): the run row that tells the GUI
// and other processes what the job is doing. A lease creates the run, adopts one the GUI queued (--run-id),
// or reopens a stopped/crashed/failed one; records pid and host; heartbeats; answers whether a stop was
// asked for (stop_signal.h); and is the only code that ends a run: finished, stopped, or failed with the
// reason. It also announces the run on the worker protocol (`started`, worker_output.h).
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "rw/core/store/run_store.h"

namespace rw::core {

struct LeaseRequest {
  std::string kind;                 ///< train | eval | synth | import
  std::string name;                 ///< of a new run
  std::string config_json = "{}";   ///< of a new run
  std::int64_t heartbeat_interval_ms = 2000;
};

class RunLease {
 public:
  /// A new run of request.kind, moved to running.
  static RunLease create(RunStore& store, const LeaseRequest& request);
  /// The queued run `run_id` (created by the GUI before it started this worker), moved to running. Error
  /// naming the run when it is missing, of another kind, or not queued. Its stored config is replaced by
  /// request.config_json unless that is "{}".
  static RunLease adopt(RunStore& store, std::int64_t run_id, const LeaseRequest& request);
  /// A stopped, crashed or failed run continued (train --resume, an eval filling its missing cells); a
  /// running run whose process is gone is first marked crashed. Error naming the run otherwise.
  static RunLease reopen(RunStore& store, std::int64_t run_id, const LeaseRequest& request);

  RunLease(RunLease&& other) noexcept;
  RunLease& operator=(RunLease&&) = delete;
  RunLease(const RunLease&) = delete;
  /// A lease that is still running when destroyed (its job threw past run_job) marks the run failed.
  ~RunLease();

  std::int64_t run_id() const { return run_id_; }
  RunStore& store() { return *store_; }

  /// "I am alive", at most once per heartbeat interval. Error when the run was ended by someone else
  /// (reaped as crashed), which ends the job.
  void heartbeat();
  /// True once SIGINT/SIGTERM asked this process to stop.
  bool stop_requested() const;

  /// The end of the run: the only writers of its final state. `note` is logged as an event.
  void finish(std::string_view note = {});
  void stop(std::string_view note = {});
  void fail(std::string_view reason);
  bool ended() const { return ended_; }

 private:
  RunLease(RunStore& store, std::int64_t run_id, const LeaseRequest& request);
  void end(RunState state, std::string_view text);

  RunStore* store_;
  std::int64_t run_id_;
  std::int64_t heartbeat_interval_ms_;
  std::chrono::steady_clock::time_point last_heartbeat_;
  bool ended_ = false;
};

/// For a worker that fails before its job could start (its run config does not parse): ends the queued run
/// `run_id` failed with `reason`, as adopting it and failing would. Error as adopt() for a run that is not a
/// queued run of `kind`.
void fail_queued_run(RunStore& store, std::int64_t run_id, std::string_view kind, std::string_view reason);

/// Runs `job` under `lease`: a job that returns Finished or Stopped ends the run so; an exception fails
/// it with `describe(exception)` as the reason (default: what()) and is rethrown. Returns the final state.
RunState run_job(RunLease& lease, const std::function<RunState()>& job,
                 const std::function<std::string(const std::exception&)>& describe = {});

}  // namespace rw::core
