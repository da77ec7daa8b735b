// SampleInspector: one stored sample, opened. The text with its segments coloured by role and a legend, a
// minimap of the whole sample, and the token view: the sample as the trainer reads it under the dataset's
// tokenizer, token boundaries as alternating shades, trained tokens (the loss mask) in green, ids on hover.
// Beside it the provenance: every segment with its source document and byte range (double-click opens the
// document in the corpus view) and the generator's record, intermediate steps in order (prompts, raw
// outputs, retrieved documents with scores, summaries). Regenerate rebuilds the sample from its provenance
// with a `synth regenerate` worker and says whether it is identical. Store reads and tokenizing run on the
// inspector's own reader thread.
#pragma once
#include <QWidget>
#include <cstdint>
#include <memory>
#include <optional>

#include "rw/core/store/project.h"
#include "rw/ui/models/sample_document.h"

class QLabel;
class QPlainTextEdit;
class QProcess;
class QPushButton;
class QTextDocument;
class QTreeWidget;
class QButtonGroup;

namespace rw::ui {

class SampleMinimap;
class SpanTextView;
class StoreReader;
struct TokenizerCache;

class SampleInspector : public QWidget {
  Q_OBJECT
 public:
  enum class View { Segments, Tokens };

  /// Reads the project's store on its own thread; relative tokenizer folders resolve in the project.
  explicit SampleInspector(rw::core::Project project, QWidget* parent = nullptr);
  ~SampleInspector() override;

  /// Opens a stored sample; its token view is under `tokenizer_id` ("folder|format", the one the dataset's
  /// token counts are under), else under the default tokenizer.
  void show_sample(std::int64_t sample_id, std::string tokenizer_id = {});
  /// The tokenizer folder (relative: to the project) for datasets that record no token counts; the
  /// project's own tokenizer setting until set.
  void set_default_tokenizer(std::string folder) { default_tokenizer_ = std::move(folder); }
  /// Shows a sample that is not in the store (a preview of `dataset`), tokenized under `tokenizer_id`
  /// ("folder|format", as the synthesizer records token counts).
  void show_record(rw::core::SampleRecord sample, rw::core::DatasetRecord dataset, std::string tokenizer_id,
                   std::optional<std::int64_t> n_tokens);
  void set_view(View view);
  View view() const { return view_; }
  /// Starts the `synth regenerate` worker for the shown sample.
  void regenerate();

  std::int64_t sample_id() const { return sample_id_; }
  const SampleDocument& document() const { return document_; }
  /// The token view's layout once tokenized (nullptr before, or when it could not be).
  const TokenDocument* tokens() const { return tokens_ ? &*tokens_ : nullptr; }
  /// Per message, where its content starts in the token view's text (-1: not found there).
  const std::vector<int>& message_offsets() const { return message_offsets_; }
  /// The needle-to-question distance in tokens, when the sample has both and is tokenized.
  std::optional<int> needle_distance() const { return needle_distance_; }
  SpanTextView* text() const { return text_; }
  SampleMinimap* minimap() const { return minimap_; }
  QTreeWidget* provenance() const { return provenance_; }
  QLabel* summary() const { return summary_; }
  QLabel* token_status() const { return token_status_; }
  QLabel* regenerate_status() const { return regenerate_status_; }

 Q_SIGNALS:
  void loaded();         ///< the sample (or why it could not be read) is shown
  void tokens_loaded();  ///< the token view is ready, or why not is shown
  void regenerated();    ///< the regenerate worker ended; regenerate_status() says how
  /// Double-click on a segment with a source: the corpus view should open the document at these bytes.
  void open_document(std::int64_t document_id, std::int64_t byte_begin, std::int64_t byte_end);

 private:
  struct Loaded;
  struct Tokenized;
  int begin_request();
  static Loaded laid_out(Loaded loaded);
  void shown(Loaded loaded);
  void tokenized(Tokenized result);
  /// The end of the first needle and the start of the first question after it, among `spans`.
  std::optional<std::pair<int, int>> needle_to_question(const std::vector<TextSpan>& spans) const;
  void fill_legend();
  void apply_view();
  QString segment_tip(int position) const;
  QString token_tip(int position) const;

  rw::core::Project project_;
  StoreReader* reader_;
  std::shared_ptr<TokenizerCache> tokenizers_;  // touched only on the reader thread
  std::string default_tokenizer_;
  std::int64_t sample_id_ = 0;
  int request_ = 0;  // results of an earlier show_sample are dropped
  View view_ = View::Segments;
  SampleDocument document_;
  std::shared_ptr<QTextDocument> segments_text_, tokens_text_;  // what the text view shows, per view
  std::string dataset_name_;
  std::int64_t sample_idx_ = 0;
  std::optional<TokenDocument> tokens_;
  std::vector<int> message_offsets_;
  std::vector<TextSpan> token_segments_;  // stored segments as spans of the token view's text
  std::optional<int> needle_distance_;

  QLabel* summary_;
  QWidget* legend_;
  QButtonGroup* views_;
  QLabel* token_status_;
  QPushButton* regenerate_button_;
  QLabel* regenerate_status_;
  SpanTextView* text_;
  SampleMinimap* minimap_;
  QTreeWidget* provenance_;
  QPlainTextEdit* detail_;
  QProcess* regenerate_process_ = nullptr;
};

}  // namespace rw::ui
