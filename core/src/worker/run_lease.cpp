// RunLease (see run_lease.h).
#include "rw/core/worker/run_lease.h"

#include <spdlog/spdlog.h>

#include "rw/core/util/error.h"
#include "rw/core/worker/stop_signal.h"
#include "rw/core/worker/worker_output.h"

namespace rw::core {
namespace {

/// The run `run_id`; Error naming it when it is of another kind than the worker's.
RunRecord run_of_kind(RunStore& store, std::int64_t run_id, std::string_view kind) {
  RunRecord run = store.run(run_id);
  if (run.kind != kind) fail("{}: run {} is a {} run, not a {} run", store.path().string(), run_id, run.kind, kind);
  return run;
}

}  // namespace

RunLease::RunLease(RunStore& store, std::int64_t run_id, const LeaseRequest& request)
    : store_(&store),
      run_id_(run_id),
      heartbeat_interval_ms_(request.heartbeat_interval_ms),
      last_heartbeat_(std::chrono::steady_clock::now()) {
  WorkerOutput::instance().started(run_id_);
}

RunLease::RunLease(RunLease&& other) noexcept
    : store_(other.store_),
      run_id_(other.run_id_),
      heartbeat_interval_ms_(other.heartbeat_interval_ms_),
      last_heartbeat_(other.last_heartbeat_),
      ended_(other.ended_) {
  other.ended_ = true;  // the moved-from lease no longer owns the run's end
}

RunLease RunLease::create(RunStore& store, const LeaseRequest& request) {
  const std::int64_t id = store.create_run(request.name, request.kind, request.config_json);
  store.set_state(id, RunState::Running);
  return RunLease(store, id, request);
}

RunLease RunLease::adopt(RunStore& store, std::int64_t run_id, const LeaseRequest& request) {
  const RunRecord run = run_of_kind(store, run_id, request.kind);
  if (run.state != RunState::Queued)
    rw::core::fail("{}: run {} is {}; --run-id takes a queued run (one the GUI created for this worker)",
         store.path().string(), run_id, to_string(run.state));
  if (request.config_json != "{}") store.set_config(run_id, request.config_json);
  store.set_state(run_id, RunState::Running);
  return RunLease(store, run_id, request);
}

RunLease RunLease::reopen(RunStore& store, std::int64_t run_id, const LeaseRequest& request) {
  const RunRecord run = run_of_kind(store, run_id, request.kind);
  if (run.state == RunState::Running && effective_state(run, now_ms(), 0) == RunState::Crashed)
    store.set_state(run_id, RunState::Crashed, "the worker process is gone");
  store.resume(run_id);
  return RunLease(store, run_id, request);
}

RunLease::~RunLease() {
  if (ended_) return;
  try {
    end(RunState::Failed, "the worker ended without recording an outcome");
  } catch (const std::exception& e) {
    spdlog::error("run {}: could not record the failure: {}", run_id_, e.what());
  }
}

void RunLease::heartbeat() {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_heartbeat_ < std::chrono::milliseconds(heartbeat_interval_ms_)) return;
  store_->heartbeat(run_id_);
  last_heartbeat_ = now;
}

bool RunLease::stop_requested() const { return rw::core::stop_requested(); }

void RunLease::end(RunState state, std::string_view text) {
  if (ended_) rw::core::fail("run {}: ended twice", run_id_);
  ended_ = true;
  if (!text.empty()) store_->add_event(run_id_, state == RunState::Failed ? "error" : "info", text);
  store_->set_state(run_id_, state, state == RunState::Failed ? text : std::string_view{});
}

void RunLease::finish(std::string_view note) { end(RunState::Finished, note); }
void RunLease::stop(std::string_view note) { end(RunState::Stopped, note); }
void RunLease::fail(std::string_view reason) { end(RunState::Failed, reason.empty() ? "failed" : reason); }

void fail_queued_run(RunStore& store, std::int64_t run_id, std::string_view kind, std::string_view reason) {
  RunLease::adopt(store, run_id, {.kind = std::string(kind)}).fail(reason);
}

RunState run_job(RunLease& lease, const std::function<RunState()>& job,
                 const std::function<std::string(const std::exception&)>& describe) {
  RunState state = RunState::Failed;
  try {
    state = job();
  } catch (const std::exception& e) {
    if (!lease.ended()) {
      try {
        lease.fail(describe ? describe(e) : std::string(e.what()));
      } catch (const std::exception& inner) {
        spdlog::error("run {}: could not record the failure: {}", lease.run_id(), inner.what());
      }
    }
    throw;
  }
  if (lease.ended()) return state;
  if (state == RunState::Stopped) {
    lease.stop();
  } else if (state == RunState::Finished) {
    lease.finish();
  } else {
    fail("run {}: a job ended in state {}; it must end finished or stopped", lease.run_id(), to_string(state));
  }
  return state;
}

}  // namespace rw::core
