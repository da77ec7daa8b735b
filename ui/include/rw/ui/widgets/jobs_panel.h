// JobsPanel: every worker this window started, one row each: title, state, a progress bar with rate and
// ETA from the worker's `progress` events, the last log line (the whole tail as a tooltip), the error of a
// failed one, and Stop.
#pragma once
#include <QWidget>

class QVBoxLayout;
class QLabel;

namespace rw::ui {

class ProjectSession;
class WorkerProcess;

class JobsPanel : public QWidget {
  Q_OBJECT
 public:
  explicit JobsPanel(ProjectSession* session, QWidget* parent = nullptr);

 private:
  void add_row(WorkerProcess* job);

  QVBoxLayout* rows_;
  QLabel* empty_;
};

/// "12 / 40 steps · 3.1 steps/s · 9 s left" from a progress event.
QString progress_text(const WorkerProcess& job);

}  // namespace rw::ui
