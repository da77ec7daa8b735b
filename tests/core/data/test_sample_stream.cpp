// SampleStream and chat formats: exact loss masks for every chat format on a hand-made byte tokenizer
// (including the fallback when a token merges across a reply boundary, and Mistral moving the system
// prompt), masks on real tokenizers (byte-level BPE in the Llama-3 and Qwen2 styles trained by the oracle,
// sentencepiece trained in-process) that cover exactly the replies and their end-of-turn tokens, packing
// with split / truncate / drop, exact resume, and the errors (empty dataset, every sample dropped).
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <map>
#include <set>

#include "rw/core/chat/chat_tokens.h"
#include "rw/core/data/sample_stream.h"
#include "rw/core/store/dataset_store.h"
#include "rw/core/tokenizer/sentencepiece_tokenizer.h"
#include "test_support.h"

using namespace rw::core;
using rw::test::error_of;
using Ids = std::vector<std::int32_t>;
using Mask = std::vector<std::uint8_t>;

namespace {

/// One token per byte (id = byte + 16); the chat templates' special strings are single ids 1..8 (BOS "<s>"
/// = 1, EOS "</s>" = 2). With merge_bracket_space, "] " is one token (300): the prefix "...[/INST]" then
/// no longer tokenizes to a prefix of "...[/INST] reply".
class SpecialByteTokenizer : public Tokenizer {
 public:
  explicit SpecialByteTokenizer(bool merge_bracket_space = false) : merge_(merge_bracket_space) {
    bos_id_ = 1;
    eos_id_ = 2;
    for (std::int32_t id = 1; id <= 8; ++id) special_ids_.insert(id);
  }
  Ids encode(std::string_view text, bool add_special_tokens) const override {
    Ids ids;
    if (add_special_tokens) ids.push_back(1);
    for (size_t i = 0; i < text.size();) {
      bool matched = false;
      for (const auto& [s, id] : specials()) {
        if (text.substr(i).starts_with(s)) {
          ids.push_back(id);
          i += s.size();
          matched = true;
          break;
        }
      }
      if (matched) continue;
      if (merge_ && text.substr(i).starts_with("] ")) {
        ids.push_back(300);
        i += 2;
        continue;
      }
      ids.push_back(static_cast<unsigned char>(text[i++]) + 16);
    }
    return ids;
  }
  std::string decode(const Ids& ids, bool skip_special_tokens) const override {
    std::string out;
    for (const auto id : ids) {
      if (id == 300) {
        out += "] ";
      } else if (id >= 16) {
        out.push_back(static_cast<char>(id - 16));
      } else if (!skip_special_tokens) {
        for (const auto& [s, sid] : specials())
          if (sid == id) out += s;
      }
    }
    return out;
  }
  std::int32_t vocab_size() const override { return 301; }
  std::optional<std::int32_t> token_to_id(std::string_view token) const override {
    for (const auto& [s, id] : specials())
      if (s == token) return id;
    return std::nullopt;
  }
  std::string id_to_token(std::int32_t id) const override { return std::to_string(id); }

 private:
  static const std::vector<std::pair<std::string, std::int32_t>>& specials() {
    static const std::vector<std::pair<std::string, std::int32_t>> s = {{"<s>", 1},
                                                                        {"</s>", 2},
                                                                        {"<|begin_of_text|>", 3},
                                                                        {"<|start_header_id|>", 4},
                                                                        {"<|end_header_id|>", 5},
                                                                        {"<|eot_id|>", 6},
                                                                        {"<|im_start|>", 7},
                                                                        {"<|im_end|>", 8}};
    return s;
  }
  bool merge_;
};

/// The conversation most tests use: a system prompt and two exchanges.
std::vector<ChatMessage> two_turns() {
  return {{"system", "S"}, {"user", "hi"}, {"assistant", "ok"}, {"user", "more"}, {"assistant", "fine"}};
}

/// Expected tokens built piece by piece: each text piece tokenized alone with its mask bit.
struct Expected {
  const Tokenizer& tok;
  Ids ids;
  Mask mask;
  Expected& text(std::string_view s, std::uint8_t bit) {
    const Ids piece = tok.encode(s, false);
    ids.insert(ids.end(), piece.begin(), piece.end());
    mask.insert(mask.end(), piece.size(), bit);
    return *this;
  }
  Expected& id(std::int32_t token, std::uint8_t bit) {
    ids.push_back(token);
    mask.push_back(bit);
    return *this;
  }
};

/// The texts of the runs of masked tokens, each decoded (special tokens kept).
std::vector<std::string> masked_runs(const Tokenizer& tok, const RenderedChat& r, bool skip_special = false) {
  std::vector<std::string> out;
  Ids run;
  for (size_t i = 0; i <= r.ids.size(); ++i) {
    if (i < r.ids.size() && r.loss_mask[i]) {
      run.push_back(r.ids[i]);
    } else if (!run.empty()) {
      out.push_back(tok.decode(run, skip_special));
      run.clear();
    }
  }
  return out;
}

QStringList qlist(const std::vector<std::string>& v) {
  QStringList out;
  for (const auto& s : v) out << QString::fromStdString(s);
  return out;
}

bool same(const PackedSequence& a, const PackedSequence& b) {
  if (a.ids != b.ids || a.labels != b.labels || a.position_ids != b.position_ids || a.segment_ids != b.segment_ids ||
      a.pieces.size() != b.pieces.size())
    return false;
  for (size_t i = 0; i < a.pieces.size(); ++i) {
    const auto &p = a.pieces[i], &q = b.pieces[i];
    if (p.sample_id != q.sample_id || p.sample_offset != q.sample_offset || p.seq_offset != q.seq_offset ||
        p.length != q.length)
      return false;
  }
  return true;
}

}  // namespace

class TestSampleStream : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() {
    QVERIFY(scratch_.renew());
    DatasetStore store(scratch_.db());
    dataset_ = store.create_dataset({.name = "chat"}).id;
    // Replies of growing length, so samples differ in size (rendered under plain: 26 + user + reply + 1).
    for (int i = 0; i < 9; ++i) {
      const std::string reply(static_cast<size_t>(1 + 6 * i), static_cast<char>('a' + i));
      QVERIFY(store.add_sample(dataset_, {{"user", "q" + std::to_string(i)}, {"assistant", reply}}));
    }
    ids_ = store.sample_ids(dataset_);
  }
  void cleanup() { scratch_.close(); }

  void formatsParse() {
    QVERIFY(chat_format_from_name("plain") == ChatFormat::Plain);
    QVERIFY(chat_format_from_name("qwen2") == ChatFormat::Qwen2);
    QVERIFY(has_family_template(ChatFormat::Mistral));
    QVERIFY(!has_family_template(ChatFormat::Plain));
    QVERIFY(!has_family_template(ChatFormat::Completion));
    for (const auto& [name, format] : kChatFormatNames) QVERIFY(chat_format_from_name(name) == format);
    QVERIFY(error_of([&] { render_chat(ChatFormat::Completion, SpecialByteTokenizer{}, {{"user", "hi"}}, LossOn::All); })
                .contains("completion format has no roles"));
    QCOMPARE(QString::fromStdString(std::string(chat_format_name(ChatFormat::Llama3))), QString("llama3"));
    QVERIFY(error_of([] {
              chat_format_from_name("chatml");
            }).contains("unknown chat format 'chatml' (expected completion, plain, llama2, llama3, mistral or qwen2)"));
  }

  void exactMasks_data() {
    QTest::addColumn<int>("format");
    QTest::newRow("llama3") << static_cast<int>(ChatFormat::Llama3);
    QTest::newRow("qwen2") << static_cast<int>(ChatFormat::Qwen2);
    QTest::newRow("llama2") << static_cast<int>(ChatFormat::Llama2);
    QTest::newRow("mistral") << static_cast<int>(ChatFormat::Mistral);
    QTest::newRow("plain") << static_cast<int>(ChatFormat::Plain);
  }
  void exactMasks() {
    QFETCH(int, format);
    const auto f = static_cast<ChatFormat>(format);
    SpecialByteTokenizer tok;
    Expected e{tok, {}, {}};
    switch (f) {
      case ChatFormat::Llama3:
        e.text(
             "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|><|start_header_id|>user"
             "<|end_header_id|>\n\nhi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
             0)
            .text("ok<|eot_id|>", 1)
            .text(
                "<|start_header_id|>user<|end_header_id|>\n\nmore<|eot_id|><|start_header_id|>assistant"
                "<|end_header_id|>\n\n",
                0)
            .text("fine<|eot_id|>", 1);
        break;
      case ChatFormat::Qwen2:  // the "\n" after <|im_end|> is not trained
        e.text("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", 0)
            .text("ok<|im_end|>", 1)
            .text("\n<|im_start|>user\nmore<|im_end|>\n<|im_start|>assistant\n", 0)
            .text("fine<|im_end|>", 1)
            .text("\n", 0);
        break;
      case ChatFormat::Llama2:
        e.text("<s>[INST] <<SYS>>\nS\n<</SYS>>\n\nhi [/INST]", 0)
            .text(" ok </s>", 1)
            .text("<s>[INST] more [/INST]", 0)
            .text(" fine </s>", 1);
        break;
      case ChatFormat::Mistral:  // v0.3 drops the system prompt when the conversation ends with a reply
        e.text("<s>[INST] hi[/INST]", 0).text(" ok</s>", 1).text("[INST] more[/INST]", 0).text(" fine</s>", 1);
        break;
      case ChatFormat::Plain:
        e.id(1, 0)
            .text("System:\nS\nUser:\nhi\nAssistant:\n", 0)
            .text("ok", 1)
            .id(2, 1)
            .text("\nUser:\nmore\nAssistant:\n", 0)
            .text("fine", 1)
            .id(2, 1);
        break;
    }
    const RenderedChat r = render_chat(f, tok, two_turns(), LossOn::Responses);
    QCOMPARE(r.ids, e.ids);
    QCOMPARE(r.loss_mask, e.mask);
    QVERIFY(!r.tokenized_in_pieces);
    const RenderedChat all = render_chat(f, tok, two_turns(), LossOn::All);
    QCOMPARE(all.ids, e.ids);
    QCOMPARE(all.loss_mask, Mask(e.ids.size(), 1));
  }

  void plainWithoutEosTrainsTheNewline() {
    class NoEos : public SpecialByteTokenizer {
     public:
      NoEos() { bos_id_.reset(), eos_id_.reset(); }
    } tok;
    const RenderedChat r = render_chat(ChatFormat::Plain, tok, {{"user", "q"}, {"assistant", "a"}}, LossOn::Responses);
    Expected e{tok, {}, {}};
    e.text("User:\nq\nAssistant:\n", 0).text("a\n", 1);
    QCOMPARE(r.ids, e.ids);
    QCOMPARE(r.loss_mask, e.mask);
  }

  void mergedBoundaryFallsBackToPieces() {
    // "] " is one token, so "...[/INST]" does not tokenize to a prefix of "...[/INST] ok </s>": the pieces
    // between reply boundaries are tokenized separately and the mask stays exact.
    SpecialByteTokenizer tok(/*merge_bracket_space=*/true);
    const RenderedChat r = render_chat(ChatFormat::Llama2, tok, two_turns(), LossOn::Responses);
    QVERIFY(r.tokenized_in_pieces);
    Expected e{tok, {}, {}};
    e.text("<s>[INST] <<SYS>>\nS\n<</SYS>>\n\nhi [/INST]", 0)
        .text(" ok </s>", 1)
        .text("<s>[INST] more [/INST]", 0)
        .text(" fine </s>", 1);
    QCOMPARE(r.ids, e.ids);
    QCOMPARE(r.loss_mask, e.mask);
    QCOMPARE(qlist(masked_runs(tok, r)), QStringList({" ok </s>", " fine </s>"}));
  }

  void templateRefusalsAreNamed() {
    SpecialByteTokenizer tok;
    // Llama-2 needs alternating roles; the stream names the sample.
    DatasetStore store(scratch_.db());
    const auto bad = store.add_sample(dataset_, {{"user", "a"}, {"user", "b"}, {"assistant", "c"}});
    QVERIFY(bad);
    QVERIFY(error_of([&] {
              render_chat(ChatFormat::Llama2, tok, store.sample(*bad).messages, LossOn::Responses);
            }).contains("roles must alternate"));
    const std::int64_t lonely = store.create_dataset({.name = "lonely"}).id;
    const auto sample = store.add_sample(lonely, {{"user", "a"}, {"user", "b"}, {"assistant", "c"}});
    QVERIFY(sample);
    SampleStream stream(scratch_.db(), lonely, tok, ChatFormat::Llama2, LossOn::Responses, {.seq_len = 64}, 1);
    const QString error = error_of([&] { stream.next(); });
    QVERIFY2(
        error.contains(
            QString("dataset 'lonely': sample %1 (index 0) cannot be trained in the llama2 chat format").arg(*sample)),
        qPrintable(error));
  }

  void realTokenizersMaskExactlyTheReplies_data() {
    QTest::addColumn<QString>("style");
    QTest::newRow("llama3") << "llama3";
    QTest::newRow("qwen2") << "qwen2";
  }
  void realTokenizersMaskExactlyTheReplies() {
    QFETCH(QString, style);
    const QString dir = scratch_.folder().filePath("bpe-" + style);
    const QString texts = scratch_.folder().filePath("texts.json");
    {
      QFile f(texts);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("[\"What is the capital of France?\", \"Paris is the capital of France.\"]");
    }
    const auto result =
        rw::test::run_oracle("tokenizer_oracle.py", {"bpe", "--style", style, "--dir", dir, "--texts", texts});
    QVERIFY2(result.exit_code == 0, qPrintable(result.std_err));
    const auto tok = load_tokenizer(dir.toStdString());
    const std::vector<ChatMessage> chat = {{"system", "You answer briefly."},
                                           {"user", "What is the capital of France?"},
                                           {"assistant", "Paris is the capital of France."},
                                           {"user", "And of Germany?"},
                                           {"assistant", "Berlin, since 1990."}};
    const bool llama3 = style == "llama3";
    const ChatFormat format = llama3 ? ChatFormat::Llama3 : ChatFormat::Qwen2;
    const RenderedChat r = render_chat(format, *tok, chat, LossOn::Responses);
    // Byte-level BPE keeps the prefix property here: the ids are the whole conversation's own tokens.
    QVERIFY(!r.tokenized_in_pieces);
    const std::string eot = llama3 ? "<|eot_id|>" : "<|im_end|>";
    QCOMPARE(r.ids, tok->encode(apply_chat_template(format, chat, false), false));
    QCOMPARE(qlist(masked_runs(*tok, r)),
             qlist({"Paris is the capital of France." + eot, "Berlin, since 1990." + eot}));
    QCOMPARE(r.loss_mask.back(), static_cast<std::uint8_t>(llama3 ? 1 : 0));  // Qwen2 ends with an untrained "\n"

    // The plain format on the same tokenizer: BOS/EOS from its config (Qwen2 style has no BOS).
    const RenderedChat p = render_chat(ChatFormat::Plain, *tok, chat, LossOn::Responses);
    QCOMPARE(qlist(masked_runs(*tok, p)),
             qlist({"Paris is the capital of France." + eot, "Berlin, since 1990." + eot}));
    QCOMPARE(p.ids.front() == tok->bos_id().value_or(-1), llama3);
  }

  void sentencepieceMasksTheReplies_data() {
    QTest::addColumn<int>("format");
    QTest::newRow("llama2") << static_cast<int>(ChatFormat::Llama2);
    QTest::newRow("mistral") << static_cast<int>(ChatFormat::Mistral);
  }
  void sentencepieceMasksTheReplies() {
    QFETCH(int, format);
    const SentencePieceTokenizer tok(sentencepiece_model());
    QVERIFY(tok.eos_id() && tok.bos_id());
    const std::vector<ChatMessage> chat = {{"system", "You answer briefly."},
                                           {"user", "What is the capital of France?"},
                                           {"assistant", "Paris is the capital of France."},
                                           {"user", "And of Germany?"},
                                           {"assistant", "Berlin, since 1990."}};
    const RenderedChat r = render_chat(static_cast<ChatFormat>(format), tok, chat, LossOn::Responses);
    // Each reply's run ends with </s> and holds the reply's text (sentencepiece decodes the leading space away).
    QStringList runs = qlist(masked_runs(tok, r, /*skip_special=*/true));
    for (QString& run : runs) run = run.trimmed();  // Llama-2 writes " </s>": a lone space piece may precede it
    QCOMPARE(runs, QStringList({"Paris is the capital of France.", "Berlin, since 1990."}));
    std::int64_t eos_in_mask = 0;
    for (size_t i = 0; i < r.ids.size(); ++i) {
      if (r.ids[i] == *tok.eos_id()) {
        QCOMPARE(r.loss_mask[i], std::uint8_t{1});  // every </s> closes a reply
        ++eos_in_mask;
      }
      // A masked run ends exactly at </s>.
      if (r.loss_mask[i] && (i + 1 == r.ids.size() || !r.loss_mask[i + 1])) QCOMPARE(r.ids[i], *tok.eos_id());
    }
    QCOMPARE(eos_in_mask, std::int64_t{2});
  }

  void plainPromptIsTheTrainingPrefix() {
    // An eval prompt in the plain format must tokenize exactly as training saw the conversation up to the
    // reply, or a model trained on plain SFT data is evaluated on text it never saw.
    const SentencePieceTokenizer tok(sentencepiece_model());
    const std::vector<ChatMessage> prompt = {
        {"system", "You answer briefly."}, {"user", "What is the capital of France?"}, {"user", "And of Germany?"}};
    std::vector<ChatMessage> chat = prompt;
    chat.push_back({"assistant", "Berlin, since 1990."});
    const RenderedChat trained = render_chat(ChatFormat::Plain, tok, chat, LossOn::Responses);
    const std::vector<std::int32_t> ids = tok.encode(plain_chat_prompt(prompt), /*add_special_tokens=*/true);
    const auto reply = std::find(trained.loss_mask.begin(), trained.loss_mask.end(), 1) - trained.loss_mask.begin();
    QCOMPARE(ids, std::vector<std::int32_t>(trained.ids.begin(), trained.ids.begin() + reply));
    QCOMPARE(plain_chat_prompt(prompt), std::string("System:\nYou answer briefly.\nUser:\nWhat is the capital of "
                                                    "France?\nUser:\nAnd of Germany?\nAssistant:\n"));
    QVERIFY(error_of([&] { plain_chat_prompt(chat); }).contains("system and user messages only"));
  }

  void splitPacksTheEpochWithMasks() {
    SpecialByteTokenizer tok;
    const PackingOptions options{.seq_len = 32};
    SampleStream stream(scratch_.db(), dataset_, tok, ChatFormat::Plain, LossOn::Responses, options, 5);
    QCOMPARE(stream.samples(), std::int64_t{9});
    std::map<std::int64_t, RenderedChat> rendered;
    DatasetStore store(scratch_.db());
    Ids expected;
    for (const std::int64_t id : epoch_order(ids_, 5, 0)) {
      rendered[id] = render_chat(ChatFormat::Plain, tok, store.sample(id).messages, LossOn::Responses);
      expected.insert(expected.end(), rendered[id].ids.begin(), rendered[id].ids.end());
    }
    Ids got;
    std::int64_t targets = 0;
    while (got.size() < expected.size()) {
      const PackedSequence seq = stream.next();
      QCOMPARE(seq.real_tokens(), std::int64_t{32});  // split never pads
      got.insert(got.end(), seq.ids.begin(), seq.ids.end());
      for (const PackedPiece& p : seq.pieces) {
        const RenderedChat& r = rendered.at(p.sample_id);
        for (std::int64_t k = 0; k < p.length; ++k) {
          const auto t = static_cast<size_t>(p.seq_offset + k), s = static_cast<size_t>(p.sample_offset + k);
          QCOMPARE(seq.ids[t], r.ids[s]);
          // A target exactly where the next token of the same piece is a reply token.
          if (k + 1 < p.length) {
            QCOMPARE(seq.labels[t], r.loss_mask[s + 1] ? r.ids[s + 1] : kIgnoreLabel);
            targets += r.loss_mask[s + 1];
          }
        }
      }
    }
    got.resize(expected.size());
    QCOMPARE(got, expected);
    QVERIFY(targets > 0);
  }

  void truncateNeverSplitsASample() {
    SpecialByteTokenizer tok;
    const PackingOptions options{.seq_len = 48, .overflow = Overflow::Truncate};
    SampleStream stream(scratch_.db(), dataset_, tok, ChatFormat::Plain, LossOn::All, options, 3);
    DatasetStore store(scratch_.db());
    std::map<std::int64_t, std::int64_t> sizes;
    for (const std::int64_t id : ids_)
      sizes[id] = static_cast<std::int64_t>(
          render_chat(ChatFormat::Plain, tok, store.sample(id).messages, LossOn::All).ids.size());
    std::vector<std::int64_t> seen;  // sample ids in the order they were packed
    bool padded = false;
    std::int64_t truncated = 0;
    while (seen.size() < ids_.size()) {
      const PackedSequence seq = stream.next();
      padded |= seq.real_tokens() < 48;
      for (const PackedPiece& p : seq.pieces) {
        QCOMPARE(p.sample_offset, std::int64_t{0});
        QCOMPARE(p.length, std::min<std::int64_t>(sizes[p.sample_id], 48));
        truncated += sizes[p.sample_id] - p.length;
        seen.push_back(p.sample_id);
      }
    }
    seen.resize(ids_.size());
    QCOMPARE(seen, epoch_order(ids_, 3, 0));  // each sample once, in the epoch's order, whole or cut
    QVERIFY(padded);
    QVERIFY(truncated > 0);
    QCOMPARE(stream.truncated_tokens(), truncated);
  }

  void dropSkipsLongSamples() {
    SpecialByteTokenizer tok;
    const PackingOptions options{.seq_len = 48, .overflow = Overflow::Drop};
    SampleStream stream(scratch_.db(), dataset_, tok, ChatFormat::Plain, LossOn::Responses, options, 3);
    DatasetStore store(scratch_.db());
    std::set<std::int64_t> long_ones, seen;
    for (const std::int64_t id : ids_) {
      if (render_chat(ChatFormat::Plain, tok, store.sample(id).messages, LossOn::All).ids.size() > 48)
        long_ones.insert(id);
    }
    QVERIFY(!long_ones.empty() && long_ones.size() < ids_.size());
    for (int i = 0; i < 12; ++i) {
      for (const PackedPiece& p : stream.next().pieces) seen.insert(p.sample_id);
      if (stream.cursor().epoch > 0) break;
    }
    for (const std::int64_t id : long_ones) QVERIFY(!seen.contains(id));
    QCOMPARE(seen.size() + long_ones.size(), ids_.size());
    // Every long sample of epoch 0 was dropped, and those the stream passed in epoch 1 so far.
    const StreamCursor at = stream.cursor();
    QCOMPARE(at.epoch, std::int64_t{1});
    std::int64_t expected_drops = static_cast<std::int64_t>(long_ones.size());
    const auto order = epoch_order(ids_, 3, 1);
    for (std::int64_t i = 0; i < at.position; ++i) expected_drops += long_ones.contains(order[static_cast<size_t>(i)]);
    QCOMPARE(stream.dropped_samples(), expected_drops);

    // When nothing fits, the stream says so instead of spinning.
    SampleStream none(scratch_.db(), dataset_, tok, ChatFormat::Plain, LossOn::Responses,
                      {.seq_len = 8, .overflow = Overflow::Drop}, 3);
    QVERIFY(error_of([&] {
              none.next();
            }).contains("dataset 'chat': every sample is longer than seq_len 8 tokens in the plain chat format"));
  }

  void resumeIsExact_data() {
    QTest::addColumn<int>("overflow");
    QTest::newRow("split") << static_cast<int>(Overflow::Split);
    QTest::newRow("truncate") << static_cast<int>(Overflow::Truncate);
    QTest::newRow("drop") << static_cast<int>(Overflow::Drop);
  }
  void resumeIsExact() {
    QFETCH(int, overflow);
    SpecialByteTokenizer tok;
    const PackingOptions options{.seq_len = 40, .overflow = static_cast<Overflow>(overflow)};
    SampleStream a(scratch_.db(), dataset_, tok, ChatFormat::Llama3, LossOn::Responses, options, 11);
    std::vector<PackedSequence> seqs;
    std::vector<StreamCursor> cursors;
    for (int i = 0; i < 14; ++i) {  // more than one epoch
      cursors.push_back(a.cursor());
      seqs.push_back(a.next());
    }
    QVERIFY(a.cursor().epoch >= 1);
    for (const int from : {3, 7, 11}) {
      SampleStream b(scratch_.db(), dataset_, tok, ChatFormat::Llama3, LossOn::Responses, options, 11);
      b.seek(cursors[static_cast<size_t>(from)]);
      for (size_t i = static_cast<size_t>(from); i < seqs.size(); ++i)
        QVERIFY2(same(b.next(), seqs[i]), qPrintable(QString::number(i)));
    }
  }

  void refusesBadInput() {
    SpecialByteTokenizer tok;
    DatasetStore store(scratch_.db());
    const std::int64_t empty = store.create_dataset({.name = "empty"}).id;
    QVERIFY(error_of([&] {
              SampleStream(scratch_.db(), empty, tok, ChatFormat::Plain, LossOn::All, {.seq_len = 16}, 1);
            }).contains("dataset 'empty' has no samples to train on"));
    SampleStream s(scratch_.db(), dataset_, tok, ChatFormat::Plain, LossOn::All, {.seq_len = 16, .overflow = Overflow::Drop}, 1);
    QVERIFY(error_of([&] { s.seek({0, 9, 0}); }).contains("outside dataset 'chat' of 9 samples"));
    QVERIFY(error_of([&] { s.seek({0, 1, 5}); }).contains("never starts a sequence inside a sample"));
  }

 private:
  /// A 100-piece sentencepiece model with BOS and EOS, trained once on a small chat-like text.
  std::string sentencepiece_model() {
    const QString model = scratch_.folder().filePath("sp.model");
    if (QFile::exists(model)) return model.toStdString();
    const QString corpus = scratch_.folder().filePath("sp-corpus.txt");
    QFile f(corpus);
    if (!f.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(corpus));
    for (int i = 0; i < 40; ++i) {
      f.write(QString("What is the capital of France? Paris is the capital of France, said %1. And of Germany? "
                      "Berlin, since 1990. You answer briefly and well. [INST] question %2 [/INST] answer %3\n")
                  .arg(i * 7)
                  .arg(i)
                  .arg(100 - i)
                  .toUtf8());
    }
    f.close();
    SentencePieceTrainOptions options;
    options.vocab_size = 100;
    options.byte_fallback = false;  // 256 byte pieces would not fit in 100
    train_sentencepiece({corpus.toStdString()}, scratch_.folder().filePath("sp").toStdString(), options);
    return model.toStdString();
  }

  rw::test::ScratchStore scratch_;
  std::int64_t dataset_ = 0;
  std::vector<std::int64_t> ids_;
};

QTEST_GUILESS_MAIN(TestSampleStream)
#include "test_sample_stream.moc"
