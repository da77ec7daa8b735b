// ProjectSession: one open project in the GUI: its settings, the StoreFeed that follows its run store, and
// the workers this window started. Every long action goes through here and ends up as a ropewalk-cli
// worker against a run queued in the store (`--run-id`), so the jobs panel, the runs list and a later
// session all see the same run.
#pragma once
#include <QObject>
#include <QString>
#include <QStringList>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "rw/core/store/project.h"
#include "rw/ui/models/store_feed.h"
#include "rw/ui/process/worker_process.h"

namespace rw::ui {

/// What a `corpus add` worker imports and how; blank or 0 means the project's settings (project.ropewalk.json).
struct ImportRequest {
  QStringList paths;
  QString corpus;                ///< new or existing
  bool repositories = false;     ///< each folder is a repository that becomes one document (--repo)
  QString jsonl_field;           ///< the string field of .jsonl / .ndjson lines (--jsonl-field; blank: "text")
  QStringList include, exclude;  ///< globs on paths relative to each folder
  QString tokenizer;             ///< model folder whose tokenizer counts tokens and cuts chunks
  int chunk_tokens = 0;
  int chunk_overlap = -1;
  qint64 max_file_bytes = 0;
  /// The worker's command line after `ropewalk-cli`.
  QStringList arguments(const QString& project_dir) const;
};

class ProjectSession : public QObject {
  Q_OBJECT
 public:
  /// Opens the project (Error naming the folder when it is not one) and starts following its store.
  explicit ProjectSession(const std::filesystem::path& dir, QObject* parent = nullptr, int poll_interval_ms = 200);
  ~ProjectSession() override;

  const rw::core::Project& project() const { return project_; }
  StoreFeed& feed() { return feed_; }
  const std::vector<std::unique_ptr<WorkerProcess>>& jobs() const { return jobs_; }
  bool has_active_jobs() const;

  /// Reads `config_path` with the trainer's parser (a bad file: `error` gets the parser's message, with the
  /// file and JSON path), queues a training run for it and starts its worker. The store write happens off the UI
  /// thread; `error` (if set) gets why nothing was started. Returns at once.
  void launch_train(const QString& config_path, std::function<void(QString)> error = {});
  /// Reads `config_path` with the synthesizer's parser (a bad file: `error` gets its message), queues a synth
  /// run for it and starts its `synth run` worker; the jobs panel shows samples written and the rate.
  void launch_synth(const QString& config_path, std::function<void(QString)> error = {});
  /// Imports files or folders into a corpus (created when new) through a `corpus add` worker; the jobs
  /// panel shows its progress and its result is the import report. The worker checks the options (its
  /// message comes back as the job's error).
  void import_corpus(const ImportRequest& request, std::function<void(QString)> error = {});
  /// Continues a stopped, failed or crashed training run from its last checkpoint (train --resume).
  void resume_train(std::int64_t run_id, std::function<void(QString)> error = {});
  /// Asks a running run to stop: through its worker when this window started it, else SIGTERM to its pid
  /// when it runs on this host. "" when asked, else why not.
  QString stop_run(std::int64_t run_id);
  /// Stops every worker this window started (closing with "stop").
  void stop_all_jobs();
  /// Lets every worker run on after the window closes (closing with "leave running").
  void detach_all_jobs();

 Q_SIGNALS:
  void job_added(rw::ui::WorkerProcess* job);

 private:
  WorkerProcess* start_worker(const QString& title, const QStringList& arguments);
  /// Queues a run of `kind` off the UI thread, then starts `arguments` + `--run-id ID` as its worker.
  void queue_worker(const std::string& kind, const std::string& name, std::string config_json, const QString& title,
                    const QStringList& arguments, std::function<void(QString)> error);

  rw::core::Project project_;
  StoreFeed feed_;
  std::vector<std::unique_ptr<WorkerProcess>> jobs_;
};

}  // namespace rw::ui
