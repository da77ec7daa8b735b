// Stop requests by signal (see stop_signal.h).
#include "rw/core/worker/stop_signal.h"

#include <atomic>
#include <csignal>

namespace rw::core {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int signal) {
  g_stop.store(true);
  std::signal(signal, SIG_DFL);  // the next one terminates
}

}  // namespace

void install_stop_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

bool stop_requested() { return g_stop.load(); }

void request_stop() { g_stop.store(true); }

}  // namespace rw::core
