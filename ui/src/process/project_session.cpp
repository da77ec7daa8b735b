#include "rw/ui/process/project_session.h"

#include <QDir>
#include <QFile>
#include <QPointer>
#include <QThread>
#include <csignal>

#include "rw/core/config/run_config.h"
#include "rw/core/store/run_store.h"
#include "rw/core/synth/synth_config.h"
#include "rw/core/util/files.h"
#include "rw/core/worker/run_lease.h"

namespace rw::ui {

namespace {

// Runs `work` on a short-lived thread and `done` with its result on the UI thread: a store write may wait
// on another writer's lock, and the window must not wait with it.
template <typename Work, typename Done>
void in_background(QObject* context, Work work, Done done) {
  QThread* thread = QThread::create([context, work = std::move(work), done = std::move(done)]() mutable {
    auto result = work();
    QMetaObject::invokeMethod(
        context, [done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
  });
  QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
  thread->start();
}

// What a store write returns: the run id, or why there is none.
struct Queued {
  std::int64_t run_id = 0;
  QString error;
};

}  // namespace

ProjectSession::ProjectSession(const std::filesystem::path& dir, QObject* parent, int poll_interval_ms)
    : QObject(parent), project_(rw::core::Project::open(dir)) {
  feed_.open(project_.store_path(), poll_interval_ms);
}

ProjectSession::~ProjectSession() = default;

bool ProjectSession::has_active_jobs() const {
  return std::any_of(jobs_.begin(), jobs_.end(), [](const auto& job) { return job->active(); });
}

WorkerProcess* ProjectSession::start_worker(const QString& title, const QStringList& arguments) {
  jobs_.push_back(std::make_unique<WorkerProcess>(title, worker_program(), arguments));
  WorkerProcess* job = jobs_.back().get();
  job->start();
  feed_.poll_now();
  Q_EMIT job_added(job);
  return job;
}

void ProjectSession::queue_worker(const std::string& kind, const std::string& name, std::string config_json,
                                  const QString& title, const QStringList& arguments,
                                  std::function<void(QString)> error) {
  const std::filesystem::path store = project_.store_path();
  QPointer<ProjectSession> self(this);
  in_background(
      this,
      [store, kind, name, config_json = std::move(config_json)] {
        Queued queued;
        try {
          auto runs = rw::core::RunStore::open(store, rw::core::OpenMode::ReadWrite);
          queued.run_id = runs.create_run(name, kind, config_json);
        } catch (const std::exception& e) {
          queued.error = QString::fromUtf8(e.what());
        }
        return queued;
      },
      [self, kind, title, arguments, error](Queued queued) {
        if (!self) return;
        if (!queued.error.isEmpty()) {
          if (error) error(queued.error);
          return;
        }
        WorkerProcess* job =
            self->start_worker(title.arg(queued.run_id),
                               arguments + QStringList{QStringLiteral("--run-id"), QString::number(queued.run_id)});
        // A worker that never took its run (it could not start, or died first) leaves it queued for ever:
        // end it failed with the worker's error instead.
        connect(job, &WorkerProcess::ended, self, [self, job, kind, run_id = queued.run_id] {
          if (job->run_id() || job->state() != WorkerProcess::State::Failed) return;
          const std::filesystem::path store = self->project_.store_path();
          const std::string reason = job->error().toStdString();
          in_background(
              self.data(),
              [store, kind, run_id, reason] {
                try {
                  auto runs = rw::core::RunStore::open(store, rw::core::OpenMode::ReadWrite);
                  if (runs.run(run_id).state == rw::core::RunState::Queued)
                    rw::core::fail_queued_run(runs, run_id, kind, reason);
                } catch (const std::exception&) {
                  // The run moved on meanwhile (another process took it): nothing to correct.
                }
                return 0;
              },
              [](int) {});
        });
      });
}

void ProjectSession::launch_train(const QString& config_path, std::function<void(QString)> error) {
  // Read once, with the trainer's own parser: a bad file is refused with its message before anything starts.
  rw::core::RunConfig config;
  try {
    config = rw::core::read_run_config(config_path.toStdString());
  } catch (const std::exception& e) {
    if (error) error(QString::fromUtf8(e.what()));
    return;
  }
  queue_worker("train", config.name, rw::core::run_config_to_json(config), tr("train run %1"),
               {QStringLiteral("train"), QString::fromStdString(project_.dir().string()), config_path},
               std::move(error));
}

void ProjectSession::launch_synth(const QString& config_path, std::function<void(QString)> error) {
  rw::core::SynthConfig config;
  try {
    config = rw::core::read_synth_config(config_path.toStdString());
  } catch (const std::exception& e) {
    if (error) error(QString::fromUtf8(e.what()));
    return;
  }
  queue_worker("synth", config.name, rw::core::synth_config_to_json(config), tr("synth %1"),
               {QStringLiteral("synth"), QStringLiteral("run"), QString::fromStdString(project_.dir().string()), config_path},
               std::move(error));
}

QStringList ImportRequest::arguments(const QString& project_dir) const {
  QStringList args{QStringLiteral("corpus"), QStringLiteral("add"), project_dir};
  args << paths << QStringLiteral("--corpus") << corpus.trimmed();
  if (repositories) args << QStringLiteral("--repo");
  if (!jsonl_field.trimmed().isEmpty()) args << QStringLiteral("--jsonl-field") << jsonl_field.trimmed();
  for (const QString& glob : include) args << QStringLiteral("--include") << glob;
  for (const QString& glob : exclude) args << QStringLiteral("--exclude") << glob;
  if (!tokenizer.trimmed().isEmpty()) args << QStringLiteral("--tokenizer") << tokenizer.trimmed();
  if (chunk_tokens > 0) args << QStringLiteral("--chunk-tokens") << QString::number(chunk_tokens);
  if (chunk_overlap >= 0) args << QStringLiteral("--chunk-overlap") << QString::number(chunk_overlap);
  if (max_file_bytes > 0) args << QStringLiteral("--max-file-bytes") << QString::number(max_file_bytes);
  return args;
}

void ProjectSession::import_corpus(const ImportRequest& request, std::function<void(QString)> error) {
  if (request.paths.isEmpty() || request.corpus.trimmed().isEmpty()) {
    if (error) error(tr("choose what to import and a corpus name"));
    return;
  }
  const QString corpus = request.corpus.trimmed();
  queue_worker("import", "import into " + corpus.toStdString(), "{}",
               tr("import run %1 into %2").arg(QStringLiteral("%1"), corpus),
               request.arguments(QString::fromStdString(project_.dir().string())), std::move(error));
}

void ProjectSession::resume_train(std::int64_t run_id, std::function<void(QString)> error) {
  const RunData* run = feed_.run(run_id);
  if (!run || run->record.kind != "train") {
    if (error) error(tr("run %1 is not a training run this project knows").arg(run_id));
    return;
  }
  // The worker takes a config file: the run's own stored config, written into the project's configs/.
  const QDir configs(QString::fromStdString((project_.dir() / "configs").string()));
  const QString path = configs.filePath(QStringLiteral("run-%1.run.json").arg(run_id));
  try {
    std::filesystem::create_directories(configs.path().toStdString());
    rw::core::write_file_atomic(path.toStdString(), run->record.config_json);
  } catch (const std::exception& e) {
    if (error) error(QString::fromUtf8(e.what()));
    return;
  }
  start_worker(tr("resume run %1").arg(run_id),
               {QStringLiteral("train"), QString::fromStdString(project_.dir().string()), path,
                QStringLiteral("--resume"), QStringLiteral("--run"), QString::number(run_id)});
}

QString ProjectSession::stop_run(std::int64_t run_id) {
  for (const auto& job : jobs_) {
    if (job->active() && job->run_id() == run_id) {
      job->stop();
      return {};
    }
  }
  const RunData* run = feed_.run(run_id);
  if (!run || run->shown != rw::core::RunState::Running) return tr("run %1 is not running").arg(run_id);
  if (!run->record.pid || run->record.host != rw::core::this_host())
    return tr("run %1 runs on %2; stop it there").arg(run_id).arg(QString::fromStdString(run->record.host));
  if (::kill(static_cast<pid_t>(*run->record.pid), SIGTERM) != 0)
    return tr("could not signal process %1 of run %2").arg(*run->record.pid).arg(run_id);
  return {};
}

void ProjectSession::stop_all_jobs() {
  for (const auto& job : jobs_) job->stop();
}

void ProjectSession::detach_all_jobs() {
  for (const auto& job : jobs_) job->detach();
}

}  // namespace rw::ui
