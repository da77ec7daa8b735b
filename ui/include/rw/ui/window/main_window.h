// MainWindow: the workbench. Without a project it shows the welcome page (new, open, recent projects);
// with one, a side bar of the project's parts (Corpus, Synthesize, Datasets, Runs, New run, Charts, Heatmaps, RoPE) over their pages and the jobs
// panel below. Closing while workers run asks whether to stop them or leave them running; a reopened
// project finds running jobs again in the store.
#pragma once
#include <QMainWindow>
#include <QMessageBox>
#include <filesystem>
#include <functional>
#include <memory>

class QListWidget;
class QStackedWidget;
class QLabel;

namespace rw::ui {

class ProjectSession;
class CorpusPage;
class DatasetsPage;
class SynthPage;
class RunsPage;
class LaunchPage;
class ChartsPage;
class HeatmapsPage;
class RopePage;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  enum class Page { Corpus, Synthesize, Datasets, Runs, NewRun, Charts, Heatmaps, Rope };
  /// What to do with running workers when the window closes (asked unless set, for tests).
  using CloseChoice = std::function<QMessageBox::StandardButton()>;

  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  /// Opens a project; false with a message box (or `error`) naming the cause when it cannot.
  bool open_project(const std::filesystem::path& dir, QString* error = nullptr);
  /// What happens to workers this window started when the project closes: detached ones run on.
  enum class JobsOnClose { Detach, Kill };
  void close_project(JobsOnClose jobs = JobsOnClose::Detach);
  ProjectSession* session() const { return session_.get(); }
  void show_page(Page page);
  Page current_page() const;
  /// The run's config in the New run page (the Runs page's "Copy to new run"); false when it is not a training run.
  bool copy_run_to_launcher(std::int64_t run_id);
  CorpusPage* corpus_page() const { return corpus_page_; }
  SynthPage* synth_page() const { return synth_page_; }
  DatasetsPage* datasets_page() const { return datasets_page_; }
  RunsPage* runs_page() const { return runs_page_; }
  LaunchPage* launch_page() const { return launch_page_; }
  ChartsPage* charts_page() const { return charts_page_; }
  HeatmapsPage* heatmaps_page() const { return heatmaps_page_; }
  RopePage* rope_page() const { return rope_page_; }
  void set_close_choice(CloseChoice choice) { close_choice_ = std::move(choice); }

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  QWidget* make_welcome();
  void new_project();
  void choose_project();
  void refresh_recent();
  void remember(const std::filesystem::path& dir);

  std::unique_ptr<ProjectSession> session_;
  QStackedWidget* stack_;
  QWidget* welcome_;
  QListWidget* recent_;
  QWidget* workbench_ = nullptr;
  QListWidget* sidebar_ = nullptr;
  QStackedWidget* pages_ = nullptr;
  CorpusPage* corpus_page_ = nullptr;
  SynthPage* synth_page_ = nullptr;
  DatasetsPage* datasets_page_ = nullptr;
  RunsPage* runs_page_ = nullptr;
  LaunchPage* launch_page_ = nullptr;
  ChartsPage* charts_page_ = nullptr;
  HeatmapsPage* heatmaps_page_ = nullptr;
  RopePage* rope_page_ = nullptr;
  QLabel* store_status_;
  CloseChoice close_choice_;
};

}  // namespace rw::ui
