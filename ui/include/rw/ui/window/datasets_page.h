// DatasetsPage: the project's training datasets (imported or synthesized). A dataset's facts, its samples in a
// table filtered by token length and by text in a message (of a role), the filtered samples' token-length
// histogram against the generator's targets, and the sample inspector on the selected sample. Export writes
// the dataset in the LLaMA-Factory and Axolotl layouts. While a synth worker this window started runs, the
// list refreshes so samples appear as they are written. Every store read runs on the StoreReader thread.
#pragma once
#include <QAbstractTableModel>
#include <QWidget>
#include <cstdint>
#include <vector>

#include "rw/core/store/dataset_store.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableView;
class QTimer;

namespace rw::ui {

class LengthHistogram;
class ProjectSession;
class SampleInspector;
class StoreReader;

/// The sample table's rows: index, id, tokens, target, bytes, messages and the start of the text.
class SampleTableModel : public QAbstractTableModel {
 public:
  enum Column { Index, Id, Tokens, Target, Bytes, Messages, Text, kColumns };
  using QAbstractTableModel::QAbstractTableModel;
  void set_rows(std::vector<rw::core::SampleSummary> rows);
  const rw::core::SampleSummary& row(int r) const { return rows_.at(static_cast<size_t>(r)); }
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

 private:
  std::vector<rw::core::SampleSummary> rows_;
};

class DatasetsPage : public QWidget {
  Q_OBJECT
 public:
  explicit DatasetsPage(ProjectSession* session, QWidget* parent = nullptr);

  /// Re-reads the dataset list (and the selected dataset's samples).
  void reload();
  /// Lists the selected dataset's samples under the current filters.
  void list_samples();
  /// Selects the dataset by name; false when there is none.
  bool select_dataset(const QString& name);
  /// Opens the sample in the inspector.
  void open_sample(std::int64_t sample_id);
  /// Exports the selected dataset into `folder` (the Export button asks for it).
  void export_to(const QString& folder);

  QComboBox* datasets() const { return dataset_; }
  QLabel* facts() const { return facts_; }
  QSpinBox* min_tokens() const { return min_tokens_; }
  QSpinBox* max_tokens() const { return max_tokens_; }
  QComboBox* role() const { return role_; }
  QLineEdit* search() const { return search_; }
  QTableView* table() const { return table_; }
  SampleTableModel* samples() const { return model_; }
  LengthHistogram* histogram() const { return histogram_; }
  SampleInspector* inspector() const { return inspector_; }
  QLabel* listing() const { return listing_; }
  QLabel* export_report() const { return export_report_; }

 Q_SIGNALS:
  void loaded();    ///< a dataset list or a sample listing arrived (tests wait on this)
  void exported();  ///< an export finished; export_report() says how

 private:
  ProjectSession* session_;
  StoreReader* reader_;
  QComboBox* dataset_;
  QLabel* facts_;
  QSpinBox* min_tokens_;
  QSpinBox* max_tokens_;
  QComboBox* role_;
  QLineEdit* search_;
  QLabel* listing_;
  LengthHistogram* histogram_;
  QTableView* table_;
  SampleTableModel* model_;
  SampleInspector* inspector_;
  QLabel* export_report_;
  QTimer* follow_;
  std::vector<rw::core::DatasetRecord> records_;
  std::string tokenizer_id_;
  int listing_request_ = 0;
};

}  // namespace rw::ui
