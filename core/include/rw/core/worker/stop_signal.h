// How a worker is asked to stop: SIGINT (Ctrl-C) or SIGTERM (the GUI's Stop, a job scheduler) set a flag
// that jobs poll at safe points (between training steps, eval batches, imported files); they then end
// cleanly (train checkpoints first) in state `stopped`. A second signal ends the process at once.
#pragma once

namespace rw::core {

/// Installs the handlers for SIGINT and SIGTERM (idempotent).
void install_stop_signal_handlers();
/// True once a stop was asked for (by a signal or request_stop).
bool stop_requested();
/// Asks for a stop from inside the process (tests, a max-steps limit reached elsewhere).
void request_stop();

/// The exit status of a worker that stopped on request (128 + SIGINT, as shells report Ctrl-C).
inline constexpr int kStoppedExitCode = 130;

}  // namespace rw::core
