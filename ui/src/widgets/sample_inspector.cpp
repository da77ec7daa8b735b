#include "rw/ui/widgets/sample_inspector.h"

#include <QButtonGroup>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSplitter>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <map>
#include <span>
#include <nlohmann/json.hpp>

#include "rw/core/data/sample_stream.h"
#include "rw/core/tokenizer/tokenizer.h"
#include "rw/ui/models/store_reader.h"
#include "rw/ui/process/worker_process.h"
#include "rw/ui/widgets/sample_minimap.h"
#include "rw/ui/widgets/span_text_view.h"

namespace rw::ui {

using rw::core::Database;
using rw::core::DatasetStore;

struct TokenizerCache {
  std::map<std::filesystem::path, std::unique_ptr<rw::core::Tokenizer>> loaded;
};

struct SampleInspector::Loaded {
  int request = 0;
  rw::core::SampleRecord sample;
  rw::core::DatasetRecord dataset;
  SampleDocument document;
  std::shared_ptr<QTextDocument> text;  // document.text, laid out for the view
  std::string tokenizer_id;
  std::optional<std::int64_t> n_tokens;
};

struct SampleInspector::Tokenized {
  int request = 0;
  std::optional<TokenDocument> document;
  std::shared_ptr<QTextDocument> text;
  std::vector<int> message_offsets;
  QString tokenizer;
};

namespace {

constexpr int kDetailRole = Qt::UserRole;      // the full text of a provenance value
constexpr int kSegmentRole = Qt::UserRole + 1;  // a segment item's index into the sample's segments
constexpr int kPreviewChars = 90;

const QColor kTrained[2] = {QColor(0xc7, 0xe9, 0xc0), QColor(0xa1, 0xd9, 0x9b)};
const QColor kContext[2] = {QColor(0xff, 0xff, 0xff), QColor(0xe6, 0xe6, 0xe6)};

QString shown_piece(QString piece) {
  piece.replace(QLatin1Char('\n'), QStringLiteral("⏎")).replace(QLatin1Char(' '), QStringLiteral("·"));
  return piece.replace(QLatin1Char('\t'), QStringLiteral("⇥"));
}

QString one_line(const QString& text) {
  QString line = text.simplified();
  return line.size() > kPreviewChars ? line.left(kPreviewChars) + QStringLiteral("…") : line;
}

// A JSON value as tree items: objects by key, arrays by position, scalars as the item's value. nlohmann
// keeps 64-bit integers exact (a seed read as a double would show other digits).
void add_json(QTreeWidgetItem* parent, const QString& name, const nlohmann::ordered_json& value) {
  auto* item = new QTreeWidgetItem(parent, {name});
  if (value.is_object()) {
    item->setText(1, QStringLiteral("{%1}").arg(value.size()));
    for (auto it = value.begin(); it != value.end(); ++it) add_json(item, QString::fromStdString(it.key()), it.value());
  } else if (value.is_array()) {
    item->setText(1, QStringLiteral("[%1]").arg(value.size()));
    for (size_t i = 0; i < value.size(); ++i) {
      // A step is named by its "step" field, so the Bootstrap record reads as the workflow did.
      const auto& v = value[i];
      const QString step = v.is_object() && v.contains("step") && v["step"].is_string()
                               ? QString::fromStdString(v["step"].get<std::string>())
                               : QString();
      add_json(item, step.isEmpty() ? QStringLiteral("[%1]").arg(i) : QStringLiteral("%1. %2").arg(i + 1).arg(step), v);
    }
  } else {
    const QString text = QString::fromStdString(value.is_string() ? value.get<std::string>() : value.dump());
    item->setText(1, one_line(text));
    item->setData(0, kDetailRole, text);
    item->setToolTip(1, text.left(2000));
  }
}

// The part of [from, to) inside [begin, end) as a format range, if any.
std::optional<QTextLayout::FormatRange> clipped(int begin, int end, int from, int to) {
  QTextLayout::FormatRange r;
  r.start = std::max(begin, from);
  r.length = std::min(end, to) - r.start;
  if (r.length <= 0) return std::nullopt;
  return r;
}

// The spans (disjoint, in position order) that reach into [begin, end).
std::span<const TextSpan> spans_in(const std::vector<TextSpan>& spans, int begin, int end) {
  const auto first = std::lower_bound(spans.begin(), spans.end(), begin,
                                      [](const TextSpan& span, int p) { return span.end <= p; });
  auto last = first;
  while (last != spans.end() && last->begin < end) ++last;
  return {first, last};
}

// The provenance tree: the segments with their bytes and sources, then the generator's record, steps first.
void fill_provenance(QTreeWidget* tree, const rw::core::SampleRecord& sample, const nlohmann::ordered_json& meta) {
  tree->clear();
  auto* segments = new QTreeWidgetItem(tree, {QObject::tr("segments"), QStringLiteral("[%1]").arg(sample.segments.size())});
  for (size_t k = 0; k < sample.segments.size(); ++k) {
    const auto& g = sample.segments[k];
    QString where = QObject::tr("message %1, bytes %2–%3").arg(g.message_index).arg(g.byte_begin).arg(g.byte_end);
    if (g.source_document_id)
      where += QObject::tr(" ← document %1, bytes %2–%3")
                   .arg(*g.source_document_id)
                   .arg(g.source_begin.value_or(0))
                   .arg(g.source_end.value_or(0));
    auto* item = new QTreeWidgetItem(segments, {QString::fromStdString(g.kind), where});
    item->setData(0, kSegmentRole, static_cast<int>(k));
    item->setData(0, kDetailRole, where + QStringLiteral("\n") + QString::fromStdString(g.meta_json));
    item->setForeground(0, segment_colour(g.kind));
    if (g.source_document_id) item->setToolTip(1, QObject::tr("Double-click to open the document at these bytes"));
  }
  if (meta.is_object()) {
    // The steps first: they are what a reader opens the sample for.
    if (meta.contains("steps")) add_json(tree->invisibleRootItem(), QObject::tr("steps"), meta["steps"]);
    for (auto it = meta.begin(); it != meta.end(); ++it)
      if (it.key() != "steps") add_json(tree->invisibleRootItem(), QString::fromStdString(it.key()), it.value());
  } else if (!sample.meta_json.empty()) {
    add_json(tree->invisibleRootItem(), QObject::tr("meta"), nlohmann::ordered_json(sample.meta_json));
  }
  if (auto* steps = tree->findItems(QObject::tr("steps"), Qt::MatchExactly).value(0)) steps->setExpanded(true);
  segments->setExpanded(sample.segments.size() <= 40);
}

}  // namespace

SampleInspector::SampleInspector(rw::core::Project project, QWidget* parent)
    : QWidget(parent),
      project_(std::move(project)),
      reader_(new StoreReader(project_.store_path(), this)),
      tokenizers_(std::make_shared<TokenizerCache>()),
      default_tokenizer_(project_.settings().tokenizer) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* top = new QHBoxLayout;
  summary_ = new QLabel(tr("Pick a sample to open it here."));
  summary_->setWordWrap(true);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  views_ = new QButtonGroup(this);
  auto* segments_button = new QToolButton;
  segments_button->setText(tr("Segments"));
  segments_button->setToolTip(tr("The messages with each segment coloured by its role"));
  auto* tokens_button = new QToolButton;
  tokens_button->setText(tr("Tokens"));
  tokens_button->setToolTip(tr("The sample as the trainer reads it: token boundaries, and the tokens that train in green"));
  for (auto* b : {segments_button, tokens_button}) b->setCheckable(true);
  segments_button->setChecked(true);
  views_->addButton(segments_button, static_cast<int>(View::Segments));
  views_->addButton(tokens_button, static_cast<int>(View::Tokens));
  token_status_ = new QLabel;
  regenerate_button_ = new QPushButton(tr("Regenerate"));
  regenerate_button_->setToolTip(tr("Make this sample again from its provenance and compare"));
  regenerate_button_->setEnabled(false);
  regenerate_status_ = new QLabel;
  layout->addWidget(summary_);
  legend_ = new QWidget;
  new QHBoxLayout(legend_);
  legend_->layout()->setContentsMargins(0, 0, 0, 0);
  top->addWidget(legend_, 1);
  top->addWidget(segments_button);
  top->addWidget(tokens_button);
  top->addWidget(regenerate_button_);
  layout->addLayout(top);
  auto* status_row = new QHBoxLayout;
  token_status_->setWordWrap(true);
  regenerate_status_->setWordWrap(true);
  status_row->addWidget(token_status_, 1);
  status_row->addWidget(regenerate_status_);
  layout->addLayout(status_row);

  auto* split = new QSplitter;
  auto* text_side = new QWidget;
  auto* text_layout = new QHBoxLayout(text_side);
  text_layout->setContentsMargins(0, 0, 0, 0);
  text_layout->setSpacing(2);
  text_ = new SpanTextView;
  minimap_ = new SampleMinimap;
  text_layout->addWidget(text_, 1);
  text_layout->addWidget(minimap_);
  auto* side = new QSplitter(Qt::Vertical);
  provenance_ = new QTreeWidget;
  provenance_->setColumnCount(2);
  provenance_->setHeaderLabels({tr("Provenance"), tr("Value")});
  provenance_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  detail_ = new QPlainTextEdit;
  detail_->setReadOnly(true);
  detail_->setPlaceholderText(tr("Select a provenance entry to read all of it here."));
  side->addWidget(provenance_);
  side->addWidget(detail_);
  side->setSizes({380, 160});
  split->addWidget(text_side);
  split->addWidget(side);
  split->setSizes({640, 360});
  layout->addWidget(split, 1);

  connect(views_, &QButtonGroup::idClicked, this, [this](int id) { set_view(static_cast<View>(id)); });
  connect(regenerate_button_, &QPushButton::clicked, this, &SampleInspector::regenerate);
  const auto follow = [this] {
    const auto [begin, end] = text_->visible_range();
    minimap_->set_visible_range(begin, end);
  };
  connect(text_, &SpanTextView::scrolled, this, [this, follow] { QTimer::singleShot(0, this, follow); });
  connect(minimap_, &SampleMinimap::jump, this, [this](int position) { text_->reveal(position, position); });
  connect(provenance_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
    if (!item) return;
    detail_->setPlainText(item->data(0, kDetailRole).toString());
    const QVariant segment = item->data(0, kSegmentRole);
    if (!segment.isValid()) return;
    for (const TextSpan& s : document_.spans)
      if (s.index == segment.toInt() && view_ == View::Segments) text_->reveal(s.begin, s.end);
  });
  connect(provenance_, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem* item) {
    const QVariant segment = item->data(0, kSegmentRole);
    if (!segment.isValid()) return;
    const auto& g = document_.segments.at(static_cast<size_t>(segment.toInt()));
    if (g.source_document_id && g.source_begin && g.source_end)
      Q_EMIT open_document(*g.source_document_id, *g.source_begin, *g.source_end);
  });
}

SampleInspector::~SampleInspector() {
  if (regenerate_process_) regenerate_process_->kill();
}

int SampleInspector::begin_request() {
  token_status_->setText(tr("tokenizing…"));
  regenerate_status_->clear();
  return ++request_;
}

void SampleInspector::show_record(rw::core::SampleRecord sample, rw::core::DatasetRecord dataset,
                                  std::string tokenizer_id, std::optional<std::int64_t> n_tokens) {
  const int request = begin_request();
  sample_id_ = sample.id;
  reader_->read<Loaded>(
      this,
      [request, sample = std::move(sample), dataset = std::move(dataset), tokenizer_id = std::move(tokenizer_id),
       n_tokens](Database&) mutable {
        return laid_out({.request = request, .sample = std::move(sample), .dataset = std::move(dataset),
                         .tokenizer_id = std::move(tokenizer_id), .n_tokens = n_tokens});
      },
      [this](Loaded l) { shown(std::move(l)); });
}

void SampleInspector::show_sample(std::int64_t sample_id, std::string tokenizer_id) {
  const int request = begin_request();
  sample_id_ = sample_id;
  reader_->read<Loaded>(
      this,
      [sample_id, request, tokenizer_id = std::move(tokenizer_id)](Database& db) mutable {
        DatasetStore store(db);
        rw::core::SampleRecord sample = store.sample(sample_id);
        rw::core::DatasetRecord dataset = store.dataset(sample.dataset_id);
        const auto n_tokens = tokenizer_id.empty() ? std::nullopt : store.sample_tokens(sample_id, tokenizer_id);
        return laid_out({.request = request, .sample = std::move(sample), .dataset = std::move(dataset),
                         .tokenizer_id = std::move(tokenizer_id), .n_tokens = n_tokens});
      },
      [this](Loaded l) { shown(std::move(l)); },
      [this, request](const QString& e) {
        if (request != request_) return;
        summary_->setText(tr("Cannot open sample %1: %2").arg(sample_id_).arg(e));
        Q_EMIT loaded();
      });
}

SampleInspector::Loaded SampleInspector::laid_out(Loaded l) {
  l.document = layout_sample(l.sample);
  l.text = SpanTextView::make_document(l.document.text);
  return l;
}

void SampleInspector::shown(Loaded l) {
  if (l.request != request_) return;
  document_ = std::move(l.document);
  segments_text_ = std::move(l.text);
  // The token view of the sample shown before goes now, before anything can paint it.
  tokens_.reset();
  tokens_text_.reset();
  token_segments_.clear();
  message_offsets_.clear();
  needle_distance_.reset();
  dataset_name_ = l.dataset.name;
  sample_idx_ = l.sample.idx;
  const auto meta = nlohmann::ordered_json::parse(l.sample.meta_json, nullptr, /*allow_exceptions=*/false);
  QString facts = tr("<b>Sample %1</b> (index %2 of <b>%3</b>): %4 messages, %5 bytes")
                      .arg(l.sample.id)
                      .arg(l.sample.idx)
                      .arg(QString::fromStdString(l.dataset.name).toHtmlEscaped())
                      .arg(l.sample.messages.size())
                      .arg(l.sample.n_bytes);
  if (l.n_tokens) facts += tr(", %1 tokens").arg(*l.n_tokens);
  if (meta.is_object() && meta.contains("target_tokens") && meta["target_tokens"].is_number_integer())
    facts += tr(" (target %1)").arg(meta["target_tokens"].get<std::int64_t>());
  if (meta.is_object() && meta.contains("generator") && meta["generator"].is_string())
    facts += tr(" · generator %1").arg(QString::fromStdString(meta["generator"].get<std::string>()).toHtmlEscaped());
  summary_->setText(facts);
  const bool generated = l.dataset.source.starts_with("synth:") && l.sample.id > 0;  // a preview is not stored
  regenerate_button_->setEnabled(generated);
  regenerate_button_->setToolTip(generated ? tr("Make this sample again from its provenance and compare")
                                           : tr("This dataset was imported, not generated: there is nothing to regenerate"));
  fill_provenance(provenance_, l.sample, meta);
  fill_legend();
  apply_view();
  Q_EMIT loaded();

  // A dataset without token counts (an imported one) is shown under the project's tokenizer, in the plain
  // chat format, and says so.
  const bool fallback = l.tokenizer_id.empty() && !default_tokenizer_.empty();
  const auto ref = parse_tokenizer_id(
      fallback ? default_tokenizer_ + (l.dataset.kind == "text" ? "|text" : "|plain") : l.tokenizer_id);
  if (!ref) {
    token_status_->setText(tr("no token view: the dataset has no token counts under a tokenizer, and the project "
                              "names no tokenizer"));
    Q_EMIT tokens_loaded();
    return;
  }
  const std::filesystem::path folder = project_.resolve(ref->folder);
  auto cache = tokenizers_;
  const int request = l.request;
  reader_->read<Tokenized>(
      this,
      [cache, folder, format = ref->format, kind = l.dataset.kind, sample = std::move(l.sample), request,
       fallback](Database&) {
        Tokenized t;
        t.request = request;
        t.tokenizer = QString::fromStdString(folder.filename().string() + " · " + format +
                                             (fallback ? ", the project's tokenizer: the dataset has no token counts" : ""));
        auto& tokenizer = cache->loaded[folder];
        if (!tokenizer) tokenizer = rw::core::load_tokenizer(folder);
        const auto chat_format = format == "text" ? rw::core::ChatFormat::Plain : rw::core::chat_format_from_name(format);
        const rw::core::RenderedChat rendered =
            rw::core::render_sample(kind, chat_format, *tokenizer, sample.messages, rw::core::LossOn::Responses);
        TokenDocument doc = layout_tokens(rendered, rw::core::token_pieces(*tokenizer, rendered.ids));
        // Each message's content appears verbatim in the rendered text, in order.
        int from = 0;
        for (const auto& m : sample.messages) {
          const QString content = QString::fromStdString(m.content);
          const int at = content.isEmpty() ? -1 : static_cast<int>(doc.text.indexOf(content, from));
          t.message_offsets.push_back(at);
          if (at >= 0) from = at + static_cast<int>(content.size());
        }
        t.text = SpanTextView::make_document(doc.text);
        t.document = std::move(doc);
        return t;
      },
      [this](Tokenized t) { tokenized(std::move(t)); },
      [this, request](const QString& e) {
        if (request != request_) return;
        token_status_->setText(tr("no token view: %1").arg(e));
        Q_EMIT tokens_loaded();
      });
}

void SampleInspector::tokenized(Tokenized t) {
  if (t.request != request_) return;
  tokens_ = std::move(t.document);
  tokens_text_ = std::move(t.text);
  message_offsets_ = std::move(t.message_offsets);
  // The stored segments in the token view's text, through where each message starts there.
  token_segments_.clear();
  for (const TextSpan& s : document_.spans) {
    const auto m = static_cast<size_t>(document_.segments.at(static_cast<size_t>(s.index)).message_index);
    if (m >= message_offsets_.size() || message_offsets_[m] < 0) continue;
    const int content_begin = document_.headers.at(m).end + 1;
    token_segments_.push_back({message_offsets_[m] + s.begin - content_begin, message_offsets_[m] + s.end - content_begin, s.index});
  }
  // The tokens between the first needle and the question after it.
  if (const auto gap = needle_to_question(token_segments_))
    needle_distance_ = tokens_->token_at(gap->second) - tokens_->token_at(gap->first - 1) - 1;
  const auto trained = std::count(tokens_->loss_mask.begin(), tokens_->loss_mask.end(), std::uint8_t{1});
  token_status_->setText(tr("%1 tokens (%2), %3 trained%4")
                             .arg(tokens_->ids.size())
                             .arg(t.tokenizer)
                             .arg(trained)
                             .arg(needle_distance_ ? tr(" · needle → question: %1 tokens").arg(*needle_distance_) : QString()));
  apply_view();
  Q_EMIT tokens_loaded();
}

void SampleInspector::fill_legend() {
  QLayout* layout = legend_->layout();
  while (QLayoutItem* item = layout->takeAt(0)) {
    delete item->widget();
    delete item;
  }
  std::vector<std::string> kinds;
  for (const auto& g : document_.segments)
    if (std::find(kinds.begin(), kinds.end(), g.kind) == kinds.end()) kinds.push_back(g.kind);
  // Known kinds in legend order, then the rest as they come.
  std::stable_sort(kinds.begin(), kinds.end(), [](const std::string& a, const std::string& b) {
    const auto& order = segment_kinds();
    return std::find(order.begin(), order.end(), a) < std::find(order.begin(), order.end(), b);
  });
  for (const auto& kind : kinds) {
    auto* label = new QLabel(QString::fromStdString(kind));
    label->setStyleSheet(QStringLiteral("background: %1; border-left: 6px solid %2; padding: 1px 5px;")
                             .arg(segment_background(kind).name(), segment_colour(kind).name()));
    layout->addWidget(label);
  }
  static_cast<QHBoxLayout*>(layout)->addStretch();
}

void SampleInspector::set_view(View view) {
  view_ = view;
  views_->button(static_cast<int>(view))->setChecked(true);
  apply_view();
}

std::optional<std::pair<int, int>> SampleInspector::needle_to_question(const std::vector<TextSpan>& spans) const {
  std::optional<int> needle_end;
  for (const TextSpan& s : spans) {
    const std::string& kind = document_.segments.at(static_cast<size_t>(s.index)).kind;
    if (kind == "needle" && !needle_end) needle_end = s.end;
    if (kind == "question" && needle_end && s.begin >= *needle_end) return std::pair{*needle_end, s.begin};
  }
  return std::nullopt;
}

void SampleInspector::apply_view() {
  std::vector<SampleMinimap::Band> bands;
  std::vector<int> marks;
  const bool tokens = view_ == View::Tokens && tokens_;
  std::optional<SampleMinimap::Bracket> bracket;
  if (const auto gap = needle_to_question(tokens ? token_segments_ : document_.spans))
    bracket = SampleMinimap::Bracket{gap->first, gap->second,
                                     needle_distance_ ? tr("%1 tokens").arg(*needle_distance_) : QString()};
  if (tokens) {
    const TokenDocument& t = *tokens_;
    for (size_t k = 0; k < t.ids.size(); ++k) {
      const bool trained = t.loss_mask[k] != 0;
      const int begin = t.begin[k], end = t.end_of(static_cast<int>(k));
      if (!bands.empty() && (bands.back().colour == kTrained[1]) == trained && bands.back().end == begin)
        bands.back().end = end;
      else
        bands.push_back({begin, end, trained ? kTrained[1] : kContext[1]});
    }
    for (const int at : message_offsets_)
      if (at >= 0) marks.push_back(at);
    text_->show_document(
        tokens_text_.get(),
        [this](int begin, int end) {
          QList<QTextLayout::FormatRange> out;
          const TokenDocument& d = *tokens_;
          for (int k = std::max(0, d.token_at(begin)); k < static_cast<int>(d.ids.size()) && d.begin[k] < end; ++k) {
            auto r = clipped(begin, end, d.begin[k], d.end_of(k));
            if (!r) continue;
            r->format.setBackground((d.loss_mask[k] ? kTrained : kContext)[k % 2]);
            out.push_back(*r);
          }
          // Segments as underlines in their colour, so roles stay visible under the token shading.
          for (const TextSpan& s : spans_in(token_segments_, begin, end)) {
            auto r = clipped(begin, end, s.begin, s.end);
            if (!r) continue;
            r->format.setUnderlineStyle(QTextCharFormat::SingleUnderline);
            r->format.setUnderlineColor(segment_colour(document_.segments.at(static_cast<size_t>(s.index)).kind));
            out.push_back(*r);
          }
          return out;
        },
        [this](int position) { return token_tip(position); });
  } else {
    for (const TextSpan& s : document_.spans)
      bands.push_back({s.begin, s.end, segment_colour(document_.segments.at(static_cast<size_t>(s.index)).kind)});
    for (const TextSpan& h : document_.headers) marks.push_back(h.begin);
    text_->show_document(
        segments_text_.get(),
        [this](int begin, int end) {
          QList<QTextLayout::FormatRange> out;
          for (const TextSpan& h : spans_in(document_.headers, begin, end)) {
            auto r = clipped(begin, end, h.begin, h.end);
            if (!r) continue;
            r->format.setFontWeight(QFont::Bold);
            r->format.setForeground(QColor(0x55, 0x55, 0x55));
            out.push_back(*r);
          }
          for (const TextSpan& s : spans_in(document_.spans, begin, end)) {
            auto r = clipped(begin, end, s.begin, s.end);
            if (!r) continue;
            r->format.setBackground(segment_background(document_.segments.at(static_cast<size_t>(s.index)).kind));
            out.push_back(*r);
          }
          return out;
        },
        [this](int position) { return segment_tip(position); });
  }
  const int length = static_cast<int>(tokens ? tokens_->text.size() : document_.text.size());
  minimap_->set_layout(length, std::move(bands), std::move(marks));
  minimap_->set_bracket(std::move(bracket));
}

QString SampleInspector::segment_tip(int position) const {
  const TextSpan* s = document_.span_at(position);
  if (!s) return {};
  const auto& g = document_.segments.at(static_cast<size_t>(s->index));
  QString tip = tr("<b>%1</b> (segment %2): message %3, bytes %4–%5")
                    .arg(QString::fromStdString(g.kind).toHtmlEscaped())
                    .arg(s->index)
                    .arg(g.message_index)
                    .arg(g.byte_begin)
                    .arg(g.byte_end);
  if (g.source_document_id)
    tip += tr("<br>from document %1, bytes %2–%3").arg(*g.source_document_id).arg(g.source_begin.value_or(0)).arg(g.source_end.value_or(0));
  if (g.meta_json != "{}") tip += QStringLiteral("<br>") + QString::fromStdString(g.meta_json).toHtmlEscaped();
  return tip;
}

QString SampleInspector::token_tip(int position) const {
  if (!tokens_) return {};
  const int k = tokens_->token_at(position);
  if (k < 0) return {};
  const QString piece = tokens_->text.mid(tokens_->begin[static_cast<size_t>(k)], tokens_->end_of(k) - tokens_->begin[static_cast<size_t>(k)]);
  return tr("token %1 of %2 · id %3 · \"%4\" · %5")
      .arg(k)
      .arg(tokens_->ids.size())
      .arg(tokens_->ids[static_cast<size_t>(k)])
      .arg(shown_piece(piece).toHtmlEscaped())
      .arg(tokens_->loss_mask[static_cast<size_t>(k)] ? tr("trained") : tr("context only"));
}

void SampleInspector::regenerate() {
  if (regenerate_process_ || dataset_name_.empty()) return;
  regenerate_status_->setText(tr("regenerating…"));
  regenerate_status_->setStyleSheet({});
  const QStringList arguments{QStringLiteral("synth"), QStringLiteral("regenerate"),
                              QString::fromStdString(project_.dir().string()), QString::fromStdString(dataset_name_),
                              QStringLiteral("--index"), QString::number(sample_idx_), QStringLiteral("--json")};
  // It exits 1 when the sample differs, with the differences on stdout.
  regenerate_process_ = run_cli_command(this, arguments, [this](int, const QByteArray& out, const QString& error) {
    regenerate_process_ = nullptr;
    const auto r = nlohmann::json::parse(out.toStdString(), nullptr, /*allow_exceptions=*/false);
    if (r.is_object() && r.contains("identical") && r["identical"].is_boolean()) {
      const bool same = r["identical"].get<bool>();
      QStringList differences;
      for (const auto& d : r.value("differences", nlohmann::json::array()))
        if (d.is_string()) differences << QString::fromStdString(d.get<std::string>());
      regenerate_status_->setText(same ? tr("regenerated: identical") : tr("regenerated: differs in %1").arg(differences.join(QStringLiteral(", "))));
      regenerate_status_->setStyleSheet(same ? QStringLiteral("color: #2ca02c") : QStringLiteral("color: #d62728"));
    } else {
      regenerate_status_->setText(tr("regenerate failed: %1").arg(error.isEmpty() ? tr("no result") : error));
      regenerate_status_->setStyleSheet(QStringLiteral("color: #d62728"));
    }
    Q_EMIT regenerated();
  });
}

}  // namespace rw::ui
