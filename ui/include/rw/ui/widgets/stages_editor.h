// StagesEditor: a run's stages as a table (name, sequence length, steps, learning rate, RoPE theta and
// scaling, document masking) over the selected stage's data mix (corpora and datasets with weights). It
// edits RunConfig stages in place, so the fields it has no column for (warmup, batch overrides, overflow…)
// survive a round trip through the launcher unchanged. Checking is the run config parser's job.
#pragma once
#include <QWidget>
#include <vector>

#include "rw/core/config/run_config.h"

class QTableWidget;
class QPushButton;

namespace rw::ui {

class StagesEditor : public QWidget {
  Q_OBJECT
 public:
  enum StageColumn { Name, SeqLen, Steps, Lr, Theta, Scaling, Factor, Masking, kStageColumns };
  enum DataColumn { Source, SourceName, Weight, MinTokens, kDataColumns };

  explicit StagesEditor(QWidget* parent = nullptr);

  void set_stages(std::vector<rw::core::StageConfig> stages);
  const std::vector<rw::core::StageConfig>& stages() const { return stages_; }
  /// Names offered in the data mix's name column.
  void set_known_sources(const QStringList& corpora, const QStringList& datasets);
  void select_stage(int index);
  int current_stage() const { return current_; }
  void add_stage();
  void remove_stage(int index);
  void add_source();

  QTableWidget* stage_table() const { return stage_table_; }
  QTableWidget* data_table() const { return data_table_; }

 Q_SIGNALS:
  void changed();
  void stage_selected(int index);

 private:
  void rebuild_stages();
  void rebuild_data();
  void edited();

  std::vector<rw::core::StageConfig> stages_;
  int current_ = -1;
  QStringList corpora_, datasets_;
  QTableWidget* stage_table_;
  QTableWidget* data_table_;
  QPushButton* remove_stage_;
  QPushButton* remove_source_;
};

}  // namespace rw::ui
