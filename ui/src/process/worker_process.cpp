#include "rw/ui/process/worker_process.h"

#include <unistd.h>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include <csignal>

#include "rw/core/worker/stop_signal.h"

namespace rw::ui {

QString to_text(WorkerProcess::State state) {
  switch (state) {
    case WorkerProcess::State::Starting:
      return QObject::tr("starting");
    case WorkerProcess::State::Running:
      return QObject::tr("running");
    case WorkerProcess::State::Finished:
      return QObject::tr("finished");
    case WorkerProcess::State::Failed:
      return QObject::tr("failed");
    case WorkerProcess::State::Stopped:
      return QObject::tr("stopped");
  }
  return {};
}

QString worker_program() {
  const QString from_env = qEnvironmentVariable("ROPEWALK_CLI");
  if (!from_env.isEmpty()) return from_env;
  const QString sibling = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("ropewalk-cli"));
  if (QFileInfo(sibling).isExecutable()) return sibling;
  return QStringLiteral("ropewalk-cli");
}

QString worker_error_line(const QString& stderr_text) {
  static const QRegularExpression prefix(QStringLiteral("^\\[[^\\]]*\\] \\[[^\\]]*\\] \\[\\w+\\] "));
  return stderr_text.trimmed().section(QLatin1Char('\n'), -1).remove(prefix);
}

QProcess* run_cli_command(QObject* context, const QStringList& arguments,
                          std::function<void(int code, const QByteArray& out, const QString& error)> done) {
  auto* process = new QProcess(context);
  const auto finish = [process, done = std::move(done)](int code, const QString& error) {
    process->deleteLater();
    done(code, process->readAllStandardOutput(), error);
  };
  QObject::connect(process, &QProcess::finished, context, [process, finish](int code, QProcess::ExitStatus status) {
    finish(status == QProcess::NormalExit ? code : -1, worker_error_line(QString::fromUtf8(process->readAllStandardError())));
  });
  QObject::connect(process, &QProcess::errorOccurred, context, [process, finish](QProcess::ProcessError error) {
    if (error == QProcess::FailedToStart)
      finish(-1, QObject::tr("could not start %1: %2").arg(process->program(), process->errorString()));
  });
  process->start(worker_program(), arguments);
  return process;
}

WorkerProcess::WorkerProcess(QString title, QString program, QStringList arguments, QObject* parent)
    : QObject(parent),
      title_(std::move(title)),
      program_(std::move(program)),
      arguments_(std::move(arguments)),
      process_(new QProcess) {
  // Its own session: a Ctrl-C in the terminal that started the GUI does not reach the workers.
  process_->setChildProcessModifier([] { ::setsid(); });
  connect(process_, &QProcess::readyReadStandardOutput, this, &WorkerProcess::read_stdout);
  connect(process_, &QProcess::readyReadStandardError, this, &WorkerProcess::read_stderr);
  connect(process_, &QProcess::finished, this, &WorkerProcess::on_finished);
  connect(process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
    if (error != QProcess::FailedToStart) return;
    error_ = tr("could not start %1: %2").arg(program_, process_->errorString());
    state_ = State::Failed;
    Q_EMIT changed();
    Q_EMIT ended();
  });
}

WorkerProcess::~WorkerProcess() { delete process_; }  // kills a worker still running: detach() first to keep it

void WorkerProcess::detach() {
  if (!process_ || process_->state() == QProcess::NotRunning) return;
  process_->disconnect(this);
  process_ = nullptr;  // never deleted: ~QProcess would kill the worker
}

void WorkerProcess::start() {
  QStringList args = arguments_;
  args << QStringLiteral("--progress") << QStringLiteral("json");
  process_->start(program_, args);
}

void WorkerProcess::stop() {
  if (!active() || !process_) return;
  stop_requested_ = true;
  process_->terminate();
  append_log(tr("stop requested"));
  Q_EMIT changed();
}

void WorkerProcess::kill() {
  if (process_ && process_->state() != QProcess::NotRunning) process_->kill();
}

void WorkerProcess::append_log(const QString& line) {
  log_.push_back(line);
  if (log_.size() > kLogTail) log_.pop_front();
}

void WorkerProcess::read_stdout() {
  stdout_buffer_ += process_->readAllStandardOutput();
  for (qsizetype nl; (nl = stdout_buffer_.indexOf('\n')) >= 0;) {
    const QByteArray line = stdout_buffer_.left(nl);
    stdout_buffer_.remove(0, nl + 1);
    if (!line.trimmed().isEmpty()) handle_line(line);
  }
  Q_EMIT changed();
}

void WorkerProcess::read_stderr() {
  stderr_buffer_ += process_->readAllStandardError();
  for (qsizetype nl; (nl = stderr_buffer_.indexOf('\n')) >= 0;) {
    const QString line = QString::fromUtf8(stderr_buffer_.left(nl)).trimmed();
    stderr_buffer_.remove(0, nl + 1);
    if (!line.isEmpty()) append_log(line);
  }
  Q_EMIT changed();
}

void WorkerProcess::handle_line(const QByteArray& line) {
  rw::core::WorkerEvent event;
  try {
    event = rw::core::parse_worker_event(std::string_view(line.constData(), static_cast<size_t>(line.size())));
  } catch (const std::exception& e) {
    append_log(tr("not a worker event (%1): %2").arg(QString::fromUtf8(e.what()), QString::fromUtf8(line)));
    return;
  }
  using rw::core::WorkerEventType;
  switch (event.type) {
    case WorkerEventType::Started:
      state_ = State::Running;
      run_id_ = event.run_id;
      break;
    case WorkerEventType::Progress:
      progress_ = std::move(event);
      break;
    case WorkerEventType::Log:
      append_log(QString::fromStdString(event.text));
      break;
    case WorkerEventType::Result:
      got_final_event_ = true;
      result_json_ = QString::fromStdString(event.payload_json);
      break;
    case WorkerEventType::Error: {
      got_final_event_ = true;
      QString where = QString::fromStdString(event.file);
      if (!event.json_path.empty()) where += QStringLiteral(" at %1").arg(QString::fromStdString(event.json_path));
      error_ = QString::fromStdString(event.message);
      if (!where.isEmpty() && !error_.contains(where)) error_ += QStringLiteral(" (%1)").arg(where);
      break;
    }
  }
}

void WorkerProcess::on_finished(int exit_code, QProcess::ExitStatus status) {
  read_stdout();
  read_stderr();
  if (!stdout_buffer_.trimmed().isEmpty()) handle_line(stdout_buffer_);
  stdout_buffer_.clear();
  if (status == QProcess::CrashExit && !stop_requested_) {
    state_ = State::Failed;
    if (error_.isEmpty()) error_ = tr("the worker process died without reporting (killed by a signal, or crashed)");
  } else if (exit_code == rw::core::kStoppedExitCode || (stop_requested_ && status == QProcess::CrashExit)) {
    state_ = State::Stopped;
  } else if (exit_code == 0 && error_.isEmpty()) {
    state_ = State::Finished;
  } else {
    state_ = State::Failed;
    if (error_.isEmpty())
      error_ = got_final_event_ ? tr("the worker exited with code %1").arg(exit_code)
                                : tr("the worker exited with code %1 without saying why").arg(exit_code);
  }
  Q_EMIT changed();
  Q_EMIT ended();
}

}  // namespace rw::ui
