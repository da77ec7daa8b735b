// RunsPage: the runs list with live states, the selected run's config, events and failure reason, and the
// actions on runs: start one from a run config file (checked with the trainer's parser first), Stop, and
// Resume for a stopped, failed or crashed training run; Copy to new run (its config into the New run page);
// the config as a diff against another run's.
#pragma once
#include <QWidget>

class QTableView;
class QPlainTextEdit;
class QPushButton;
class QLabel;
class QComboBox;

namespace rw::ui {

class ProjectSession;
class RunsModel;

class RunsPage : public QWidget {
  Q_OBJECT
 public:
  explicit RunsPage(ProjectSession* session, QWidget* parent = nullptr);

  RunsModel* model() const { return model_; }
  QTableView* table() const { return table_; }
  /// Starts a run from a config file, as the "New run" button does after its file dialog. The message
  /// label shows why when it cannot start.
  void launch(const QString& config_path);
  /// Selects the run's row.
  void select_run(std::int64_t run_id);
  QPushButton* resume_button() const { return resume_; }
  QPushButton* copy_button() const { return copy_; }
  QPushButton* stop_button() const { return stop_; }
  QString message() const;
  /// Shows the selected run's config as a diff against this run's (0: the config itself).
  void compare_with(std::int64_t run_id);
  QString details_text() const;

 Q_SIGNALS:
  /// "Copy to new run": the selected training run's config, for the New run page.
  void copy_to_new_run(std::int64_t run_id);

 private:
  std::int64_t selected_run() const;
  void refresh_details();
  void show_message(const QString& text, bool error);

  ProjectSession* session_;
  RunsModel* model_;
  QTableView* table_;
  QPlainTextEdit* details_;
  QPushButton* stop_;
  QPushButton* resume_;
  QPushButton* copy_;
  QLabel* message_;
  QComboBox* compare_;
  bool picked_ = false;  // a row was selected once (then the user's choice stands)
};

}  // namespace rw::ui
