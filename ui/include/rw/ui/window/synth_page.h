// SynthPage: making a dataset from the window. Pick a generator (training tasks, CIP, SynL, the Bootstrap
// workflow); its synth config appears as a form with every setting and its default, checked as you type by
// the synthesizer's own parser (the message names the setting and the cause, as `ropewalk-cli synth` would).
// Preview makes one sample with the current settings (a `synth preview --json` worker, nothing stored) and
// opens it in the inspector beside the form; Run saves the config as synth/NAME.json in the project and
// launches `synth run` as a job (progress, samples per minute and ETA in the jobs panel). The Bootstrap
// workflow's prompt templates open in their own dialog (prompts_dialog.h).
#pragma once
#include <QWidget>
#include <memory>
#include <optional>

#include "rw/core/synth/synth_config.h"

class QComboBox;
class QLabel;
class QProcess;
class QPushButton;
class QSpinBox;
class QTemporaryFile;

namespace rw::ui {

class JsonForm;
class ProjectSession;
class SampleInspector;

class SynthPage : public QWidget {
  Q_OBJECT
 public:
  explicit SynthPage(ProjectSession* session, QWidget* parent = nullptr);
  ~SynthPage() override;

  /// The generator's settings with their defaults, keeping the name, sizes and tokenizer already entered.
  void set_generator(const QString& generator);
  /// A synth config file into the form; false with the parser's message in `error`.
  bool load(const QString& path, QString* error = nullptr);
  /// The form as a synth config (JSON text).
  QString config_json() const;
  /// True when the form parses; the status line says why not.
  bool validate();
  void preview();
  /// Ends a running preview (its button does this while it runs).
  void stop_preview();
  void run();

  QComboBox* generator() const { return generator_; }
  JsonForm* form() const { return form_; }
  QLabel* status() const { return status_; }
  QLabel* preview_status() const { return preview_status_; }
  QSpinBox* preview_index() const { return preview_index_; }
  QPushButton* preview_button() const { return preview_button_; }
  QPushButton* run_button() const { return run_button_; }
  SampleInspector* inspector() const { return inspector_; }

 Q_SIGNALS:
  void previewed();  ///< the preview sample is in the inspector, or preview_status() says why not
  void launched();   ///< Run saved the settings and asked for the job (launch_failed follows if it cannot start)
  void launch_failed(const QString& error);

 private:
  /// The form as a config, or nothing; either way the status line and buttons say so.
  std::optional<rw::core::SynthConfig> checked_config();

  ProjectSession* session_;
  QComboBox* generator_;
  JsonForm* form_;
  QLabel* status_;
  QSpinBox* preview_index_;
  QPushButton* preview_button_;
  QPushButton* run_button_;
  QPushButton* prompts_button_;
  QLabel* preview_status_;
  SampleInspector* inspector_;
  QProcess* preview_process_ = nullptr;
  bool preview_stopped_ = false;
  std::unique_ptr<QTemporaryFile> preview_file_;
};

}  // namespace rw::ui
