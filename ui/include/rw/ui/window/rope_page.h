// RopePage: explains a RoPE setting before a run uses it. For a model folder (or a default shape), it plots
// each dimension pair's wavelength (tokens per full rotation, log scale) under the model's own RoPE and
// under a chosen one (default, linear, dynamic NTK, YaRN, llama3, or a theta raise), against the trained
// length and the target context, says how many pairs never complete a rotation within each, and warns
// where the chosen setting and the model disagree. The numbers come from core rope_spectrum, which a test
// ties to the model's own RoPE code.
#pragma once
#include <QWidget>
#include <optional>

#include "rw/core/config/model_config.h"

class QChartView;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace rw::ui {

class RopePage : public QWidget {
  Q_OBJECT
 public:
  explicit RopePage(QWidget* parent = nullptr);

  /// Reads a model folder's config.json; false with the reason shown on the page.
  bool load_model(const QString& dir);
  /// Takes `model` as the model's own RoPE, named `label`.
  void set_model(const rw::core::ModelConfig& model, const QString& label);
  /// A launcher stage: the run's base model against the RoPE the stage trains with, at its sequence length.
  void explain(const rw::core::ModelConfig& base, const QString& label, const rw::core::ModelConfig& stage,
               std::int64_t seq_len);
  /// The chosen setting as the page shows it.
  void choose(rw::core::RopeType type, double theta, double factor, std::int64_t target);
  /// What the page says under the plot (tests).
  QString summary() const;
  QChartView* chart() const { return chart_; }

 private:
  void refresh();
  rw::core::ModelConfig chosen_config() const;

  rw::core::ModelConfig model_;
  bool has_model_ = false;
  QLabel* model_label_;
  QComboBox* type_;
  QDoubleSpinBox* theta_;
  QDoubleSpinBox* factor_;
  QSpinBox* original_;
  QSpinBox* target_;
  QChartView* chart_;
  QLabel* summary_;
};

}  // namespace rw::ui
