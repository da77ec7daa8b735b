// LaunchPage: a training run set up field by field — base model folder (its facts shown) or from-scratch
// architecture and tokenizer; objective, precision and device; optimizer, schedule and batch; checkpoints
// and periodic evals; stages with their RoPE changes and data mixes. Every edit is checked as you type by the
// same parser, RoPE coverage check and store check as `ropewalk-cli train`, with the parser's message and the
// offending field marked; the estimated memory of the largest stage is shown as a stacked bar. Save writes
// the run config into the project (configs/NAME.run.json); Launch also starts it as a worker.
#pragma once
#include <QWidget>
#include <map>
#include <optional>

#include "rw/core/config/model_config.h"
#include "rw/core/config/run_config.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QRadioButton;
class QSpinBox;
class QTimer;

namespace rw::ui {

class MemoryBar;
class ProjectSession;
class StagesEditor;
class StoreReader;

class LaunchPage : public QWidget {
  Q_OBJECT
 public:
  explicit LaunchPage(ProjectSession* session, QWidget* parent = nullptr);

  /// Fills the form from a config (what "Open config…" does after reading the file).
  void set_config(const rw::core::RunConfig& config);
  /// Fills the form from a stored run's config, under a new name (`name`-copy); false with the reason shown
  /// when that config no longer parses.
  bool copy_run(const std::string& config_json, const std::string& name, std::int64_t run_id);
  /// The form as a run config, before any checking.
  rw::core::RunConfig form_config() const;
  /// Where Save writes: <project>/configs/<name>.run.json, other characters of the name as '_'.
  QString config_path() const;
  /// Writes the checked config; "" on success, else why not.
  QString save();
  /// Saves, then starts the run as a worker; "" when it was asked to start.
  QString launch();
  /// Runs the pending check now (tests; the form checks 150 ms after the last edit by itself).
  void check_now();

  /// Whether the form passed every check so far (the store check can still be under way).
  bool valid() const { return valid_; }
  /// Whether the store check of the current form is still running.
  bool checking_store() const { return store_check_pending_; }
  QString message() const;
  /// The field the last error points at, as a JSON path such as "optimizer.lr" or "stages[1].seq_len".
  QString error_path() const { return error_path_; }
  MemoryBar* memory_bar() const { return memory_; }
  StagesEditor* stages() const { return stages_; }
  QString preview_text() const;
  QLineEdit* model_edit() const { return model_dir_; }
  QLineEdit* name_edit() const { return name_; }
  QLineEdit* lr_edit() const { return lr_; }
  QString model_facts() const;
  QPushButton* explain_button() const { return explain_; }

 Q_SIGNALS:
  /// A run was started (the window shows the runs list).
  void launched();
  /// "Explain RoPE" for the selected stage: the run's base model and the model the stage trains (its RoPE).
  void explain_rope(const rw::core::ModelConfig& base, const QString& base_label,
                    const rw::core::ModelConfig& stage_model, std::int64_t seq_len);

 private:
  QWidget* build_model_box();
  QWidget* build_training_box();
  QWidget* build_optimizer_box();
  QWidget* build_output_box();
  void field(QWidget* widget, const QString& path);
  void schedule_check();
  void show_init_page(bool from_model);
  void read_model_dir();
  void refresh_sources();
  /// The base model the stages start from (the folder's config, or the scratch architecture).
  std::optional<rw::core::ModelConfig> base_model(const rw::core::RunConfig& config, QString& why_not) const;
  void show_result(const QString& text, bool error, const QString& path = {});
  void show_memory(const rw::core::RunConfig& config, const rw::core::ModelConfig& base);

  ProjectSession* session_;
  StoreReader* reader_;
  QTimer* check_timer_;
  rw::core::RunConfig loaded_;  ///< what the form started from: keeps the fields it has no widget for
  std::optional<rw::core::RunConfig> checked_;
  std::map<QString, QWidget*> fields_;  ///< JSON path -> widget, to mark the field an error names
  QString error_path_;
  bool valid_ = false;
  bool store_check_pending_ = false;
  bool launch_pending_ = false;  ///< Launch asked; the next job the session adds is this run's
  std::uint64_t generation_ = 0;  ///< drops store-check answers for an older form

  // Model
  QRadioButton* from_model_;
  QRadioButton* from_scratch_;
  QWidget* model_page_;
  QWidget* scratch_page_;
  QLineEdit* model_dir_;
  QLabel* model_facts_;
  std::optional<rw::core::ModelConfig> model_config_;
  QString model_error_;
  QString model_read_for_;
  QComboBox* family_;
  QSpinBox *hidden_, *intermediate_, *layers_, *heads_, *kv_heads_, *max_positions_, *vocab_;
  QDoubleSpinBox* rope_theta_;
  QCheckBox* tie_embeddings_;
  QSpinBox* tokenizer_vocab_;
  QComboBox* tokenizer_type_;
  QComboBox* tokenizer_corpus_;
  // Training
  QLineEdit* name_;
  QLineEdit* description_;
  QComboBox* objective_;
  QComboBox* chat_format_;
  QComboBox* loss_on_;
  QSpinBox* seed_;
  QComboBox* device_;
  QComboBox* precision_;
  QCheckBox* checkpointing_;
  QSpinBox* loss_rows_;
  // Optimizer, schedule, batch
  QLineEdit* lr_;
  QDoubleSpinBox* weight_decay_;
  QDoubleSpinBox* clip_;
  QComboBox* schedule_;
  QSpinBox* warmup_;
  QDoubleSpinBox* min_lr_ratio_;
  QSpinBox* micro_batch_;
  QSpinBox* grad_accumulation_;
  // Checkpoints and evals
  QSpinBox* checkpoint_every_;
  QSpinBox* keep_last_;
  QLineEdit* eval_suite_;
  QSpinBox* eval_every_;

  StagesEditor* stages_;
  MemoryBar* memory_;
  QLabel* memory_label_;
  QLabel* message_;
  QPlainTextEdit* preview_;
  QPushButton* save_;
  QPushButton* launch_;
  QPushButton* explain_;
};

}  // namespace rw::ui
