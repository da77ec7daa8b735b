// HeatmapsPage: NIAH heatmaps of the project's runs, filled in live as eval cells arrive: a run, a task and
// a checkpoint (slider; it follows the newest checkpoint until moved), optionally a baseline to show the
// difference against (another checkpoint of the run, or another run), the heatmap (its grid is the run's
// eval suite's, read off the UI thread, or without one every length and depth its cells use, so unscored
// entries show hatched and counted), the scored outputs behind an entry on click (its output and the
// rebuilt prompt with the needle highlighted); perplexity cells as a line chart of NLL by position instead;
// export to PNG/SVG/PDF through the core renderer.
#pragma once
#include <QWidget>
#include <map>
#include <optional>

#include "rw/core/config/eval_suite.h"
#include "rw/core/heatmap/heatmap_data.h"
#include "rw/ui/models/store_feed.h"

class QComboBox;
class QSlider;
class QLabel;
class QPushButton;
class QStackedWidget;

namespace rw::ui {

class CellPromptDialog;
class HeatmapView;
class PerplexityChart;
class StoreReader;
class ProjectSession;

class HeatmapsPage : public QWidget {
  Q_OBJECT
 public:
  explicit HeatmapsPage(ProjectSession* session, QWidget* parent = nullptr);
  HeatmapView* view() const { return view_; }
  PerplexityChart* perplexity() const { return ppl_; }
  /// Picks a task of the shown run ("niah", "passkey", "ruler/...", "ppl/nll_by_position"); false if absent.
  bool show_task(const QString& task);
  /// Shows a run (and its first task, newest checkpoint).
  void show_run(std::int64_t run_id);
  /// Shows the heatmap as a difference against another checkpoint of this run or another run's (run 0:
  /// none). False when that run and step have no cells of the shown task.
  bool compare_with(std::int64_t run_id, std::int64_t step);
  /// What a click on an entry opens: the scored cell with its output and the rebuilt prompt (nullptr when the
  /// entry has no cell at the shown checkpoint).
  CellPromptDialog* open_cell(std::int64_t length, double depth);
  /// The outputs behind an entry (an entry without a cell says "not scored yet").
  QString entry_details(std::int64_t length, double depth) const;

 private:
  void refresh_runs();
  void refresh_tasks();
  void refresh_steps();
  void refresh_compare();
  void redraw();
  void export_image();
  const RunData* current_run() const;
  /// The shown run's cells behind an entry, at the shown task and checkpoint (stored order, newest last).
  std::vector<const rw::core::EvalCell*> entry_cells(std::int64_t length, double depth) const;

  ProjectSession* session_;
  StoreReader* reader_;
  QComboBox* run_;
  QComboBox* task_;
  QComboBox* compare_;
  QSlider* step_;
  QLabel* step_label_;
  HeatmapView* view_;
  PerplexityChart* ppl_;
  QStackedWidget* views_;
  QPushButton* export_;
  std::vector<std::int64_t> steps_;
  /// Each run's recorded eval suite once read (nullopt: it records none or it could not be read); a run
  /// missing here is being read or not asked for yet.
  std::map<std::int64_t, std::optional<rw::core::EvalSuite>> suites_;
  const rw::core::EvalSuite* suite_of(const RunData& run);
  bool follow_newest_ = true;
};

/// The heatmap of one run, task and checkpoint step over the grid of all the run's cells of that task;
/// nullopt when the run has no cell of the task.
/// The heatmap of `run`'s `task` at checkpoint `step`. Its grid is the run's eval suite's when given (every
/// length and depth the suite asks for, scored or not), else every length and depth the run's cells use.
std::optional<rw::core::HeatmapData> run_heatmap(const RunData& run, const std::string& task, std::int64_t step,
                                                 const rw::core::EvalSuite* suite = nullptr);

}  // namespace rw::ui
