// WorkerProcess: one ropewalk-cli worker (train, eval, synth, corpus add) started with QProcess under
// `--progress json`, its stdout read as the worker event protocol (core/worker/worker_protocol.h,
// docs/worker-protocol.md). Stop asks it to stop cleanly (SIGTERM: the worker checkpoints and ends its run
// in `stopped`). The GUI never trains in-process; this is how it runs anything long.
#pragma once
#include <QObject>
#include <QProcess>
#include <QStringList>
#include <deque>
#include <functional>
#include <optional>

#include "rw/core/worker/worker_protocol.h"

namespace rw::ui {

class WorkerProcess : public QObject {
  Q_OBJECT
 public:
  enum class State { Starting, Running, Finished, Failed, Stopped };
  static constexpr size_t kLogTail = 200;

  /// `title` is what the jobs panel calls it ("train tiny-1k", "import corpus demo").
  WorkerProcess(QString title, QString program, QStringList arguments, QObject* parent = nullptr);
  ~WorkerProcess() override;

  void start();
  /// Asks the worker to stop cleanly (SIGTERM); it ends with its run in `stopped`.
  void stop();
  /// SIGKILL: for tests that play a crash, and for a worker that ignores stop.
  void kill();
  /// Lets the worker run on after this object and the GUI are gone (closing the window with "leave
  /// running"): it keeps writing to the store, where the GUI finds it again. No more events arrive here.
  void detach();

  const QString& title() const { return title_; }
  State state() const { return state_; }
  bool active() const { return state_ == State::Starting || state_ == State::Running; }
  std::optional<std::int64_t> run_id() const { return run_id_; }
  qint64 pid() const { return process_ ? process_->processId() : 0; }
  /// The latest progress event (type Progress), if any came.
  const std::optional<rw::core::WorkerEvent>& progress() const { return progress_; }
  /// The `result` payload (JSON text) of a worker that finished.
  const QString& result_json() const { return result_json_; }
  /// Why it failed: the `error` event's message (with where in the input), or what went wrong with the
  /// process itself (could not start, died by a signal, broke the protocol).
  const QString& error() const { return error_; }
  /// Log events and stderr lines, newest last.
  const std::deque<QString>& log() const { return log_; }
  const QStringList& arguments() const { return arguments_; }

 Q_SIGNALS:
  void changed();
  void ended();

 private:
  void read_stdout();
  void read_stderr();
  void handle_line(const QByteArray& line);
  void on_finished(int exit_code, QProcess::ExitStatus status);
  void append_log(const QString& line);

  QString title_;
  QString program_;
  QStringList arguments_;
  QProcess* process_;  // owned; left alive on purpose by detach(), whose worker must not be killed
  QByteArray stdout_buffer_;
  QByteArray stderr_buffer_;
  State state_ = State::Starting;
  bool stop_requested_ = false;
  bool got_final_event_ = false;
  std::optional<std::int64_t> run_id_;
  std::optional<rw::core::WorkerEvent> progress_;
  QString result_json_;
  QString error_;
  std::deque<QString> log_;
};

/// "running", "finished", ... for the jobs panel.
QString to_text(WorkerProcess::State state);

/// The ropewalk-cli to start: $ROPEWALK_CLI, else the one next to this program, else "ropewalk-cli" on PATH.
QString worker_program();
/// Why a short ropewalk-cli command failed: the last line of its stderr without the log prefix
/// ("[time] [ropewalk] [error] "); empty when stderr is empty.
QString worker_error_line(const QString& stderr_text);

/// Runs a short ropewalk-cli command whose output the window reads once it ends (a preview, a regenerate;
/// not a job of the jobs panel). `done` runs on `context`'s thread with the exit code (-1 when it crashed,
/// was killed or could not start), its stdout, and why it failed (worker_error_line of its stderr, or why
/// it could not start). The process deletes itself after `done`; kill it to stop the command.
QProcess* run_cli_command(QObject* context, const QStringList& arguments,
                          std::function<void(int code, const QByteArray& out, const QString& error)> done);

}  // namespace rw::ui
