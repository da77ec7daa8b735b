// sentencepiece: models trained in-process by OUR train_sentencepiece (bpe and unigram) must encode like
// the Python `sentencepiece` package on the same .model file, round-trip text exactly, and handle special
// tokens written in the text and tokenizer_config.json settings.
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <map>

#include "rw/core/tokenizer/sentencepiece_tokenizer.h"
#include "rw/core/tokenizer/tokenizer.h"
#include "rw/core/util/error.h"
#include "tokenizer_parity.h"

using namespace rw::test::tokenizer;
using rw::core::SentencePieceTokenizer;

namespace {
const QStringList kModelTypes{"bpe", "unigram"};
// Pieces of the special-token test: the text is kSegments joined by <s>, </s>, <unk>.
const std::vector<std::string> kSegments{"Hello", " world", "x", "y  "};
const std::string kToolText = "call <tool> now<tool>, then <tool >";
}  // namespace

class TestSentencePieceTokenizer : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  std::map<QString, std::unique_ptr<SentencePieceTokenizer>> tokenizers_;
  std::map<QString, QJsonObject> expected_;
  std::vector<std::string> texts_;  // parity texts without special tokens, then kSegments, then kToolText

  std::filesystem::path model_path(const QString& type) { return tmp_.filePath(type + ".model").toStdString(); }
  std::vector<int32_t> reference_ids(const QString& type, size_t index) {
    return to_ids(expected_[type]["cases"].toArray()[static_cast<qsizetype>(index)].toObject()["ids"]);
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    for (const auto& t : parity_texts())
      if (!t.has_special) texts_.push_back(t.text);
    texts_.insert(texts_.end(), kSegments.begin(), kSegments.end());
    texts_.push_back(kToolText);
    QJsonArray array;
    for (const auto& t : texts_) array.append(qs(t));
    write_json(tmp_.filePath("texts.json"), QJsonDocument(array));
    // The corpus leaves out the Unicode sweep: its thousands of characters would not fit character_coverage
    // 1.0 in a small vocabulary, and unseen characters exercise byte fallback.
    QJsonArray corpus_texts;
    for (const auto& t : parity_texts())
      if (!t.has_special && t.name != "unicode_sweep") corpus_texts.append(qs(t.text));
    write_json(tmp_.filePath("corpus_texts.json"), QJsonDocument(corpus_texts));
    const QString corpus = tmp_.filePath("corpus.txt");
    QString error = run_tokenizer_oracle({"corpus", "--out", corpus, "--texts", tmp_.filePath("corpus_texts.json")});
    QVERIFY2(error.isEmpty(), qPrintable(error));

    for (const auto& type : kModelTypes) {
      rw::core::SentencePieceTrainOptions options;
      options.model_type = type.toStdString();
      options.vocab_size = type == "bpe" ? 1200 : 640;
      if (type == "bpe") options.user_defined_symbols = {"<tool>"};
      rw::core::train_sentencepiece({corpus.toStdString()}, tmp_.filePath(type).toStdString(), options);
      QVERIFY(std::filesystem::exists(model_path(type)));
      QVERIFY(std::filesystem::exists(tmp_.filePath(type + ".vocab").toStdString()));
      error = run_tokenizer_oracle({"sp", "--model", tmp_.filePath(type + ".model"), "--texts",
                                    tmp_.filePath("texts.json"), "--out", tmp_.filePath(type + "_expected.json")});
      QVERIFY2(error.isEmpty(), qPrintable(error));
      expected_[type] = read_json(tmp_.filePath(type + "_expected.json")).object();
      tokenizers_[type] = std::make_unique<SentencePieceTokenizer>(model_path(type));
    }
  }

  void parity_data() {
    QTest::addColumn<QString>("type");
    QTest::addColumn<int>("index");
    for (const auto& type : kModelTypes)
      for (size_t i = 0; i < texts_.size(); ++i)
        QTest::newRow(qPrintable(QStringLiteral("%1/%2").arg(type).arg(i))) << type << static_cast<int>(i);
  }

  void parity() {
    QFETCH(QString, type);
    QFETCH(int, index);
    const auto& t = *tokenizers_[type];
    const std::string& text = texts_[static_cast<size_t>(index)];
    const QJsonObject c = expected_[type]["cases"].toArray()[index].toObject();
    QCOMPARE(c["text"].toString(), qs(text));
    const auto ids = t.encode(text, false);
    const auto want = to_ids(c["ids"]);
    QVERIFY2(ids == want, qPrintable(describe_mismatch(t, ids, want)));
    QCOMPARE(qs(t.decode(ids, false)), c["decoded"].toString());
    QCOMPARE(qs(t.decode(ids, false)), qs(text));  // identity normalization: exact round trip
  }

  void userDefinedSymbol() {
    const auto& t = *tokenizers_["bpe"];
    const auto tool = t.token_to_id("<tool>");
    QVERIFY(tool);
    const auto ids = t.encode(kToolText, false);
    QCOMPARE(std::count(ids.begin(), ids.end(), *tool), 2);  // "<tool >" is not the symbol
    QVERIFY(!t.is_special(*tool));
  }

  void vocabularyAndIds() {
    for (const auto& type : kModelTypes) {
      const auto& t = *tokenizers_[type];
      const QJsonObject e = expected_[type];
      QCOMPARE(t.vocab_size(), e["piece_size"].toInt());
      QCOMPARE(t.bos_id(), std::optional<int32_t>(e["bos_id"].toInt()));
      QCOMPARE(t.eos_id(), std::optional<int32_t>(e["eos_id"].toInt()));
      QVERIFY(!t.pad_id());  // the trainer's default pad_id is -1
      QCOMPARE(t.token_to_id("<unk>"), std::optional<int32_t>(e["unk_id"].toInt()));
      QCOMPARE(qs(t.id_to_token(*t.bos_id())), QString("<s>"));
      QVERIFY(!t.token_to_id("no-such-piece-anywhere"));
      QVERIFY_THROWS_EXCEPTION(rw::core::Error, t.id_to_token(t.vocab_size()));
      QVERIFY(t.is_special(*t.bos_id()) && t.is_special(*t.eos_id()));
    }
  }

  // Control pieces and <unk> written in the text are single ids; the text between them is encoded
  // segment by segment (each with sentencepiece's dummy prefix, like HF's Llama-2 tokenizer.json).
  void specialTokensInText() {
    for (const auto& type : kModelTypes) {
      const auto& t = *tokenizers_[type];
      const int32_t bos = *t.bos_id(), eos = *t.eos_id(), unk = *t.token_to_id("<unk>");
      const size_t first = texts_.size() - kSegments.size() - 1;
      const std::string text = kSegments[0] + "<s>" + kSegments[1] + "</s>" + kSegments[2] + "<unk>" + kSegments[3];
      std::vector<int32_t> want;
      const int32_t separators[] = {bos, eos, unk};
      for (size_t i = 0; i < kSegments.size(); ++i) {
        const auto seg = reference_ids(type, first + i);
        want.insert(want.end(), seg.begin(), seg.end());
        if (i < 3) want.push_back(separators[i]);
      }
      const auto ids = t.encode(text, false);
      QVERIFY2(ids == want, qPrintable(describe_mismatch(t, ids, want)));

      auto with_bos = want;
      with_bos.insert(with_bos.begin(), bos);  // add_special_tokens: BOS only (HF Llama default)
      QVERIFY(t.encode(text, true) == with_bos);

      QCOMPARE(qs(t.decode(ids, false)), qs(text));
      QCOMPARE(qs(t.decode(with_bos, true)), qs(kSegments[0] + kSegments[1] + kSegments[2] + kSegments[3]));
    }
  }

  // load_tokenizer on a directory with tokenizer.model + tokenizer_config.json: add_eos_token, a pad token
  // given as an object and added as an extra id past the sentencepiece vocabulary.
  void loadWithConfig() {
    const QString dir = tmp_.filePath("llama_like");
    QVERIFY(QDir().mkpath(dir));
    std::filesystem::copy_file(model_path("bpe"), (dir + "/tokenizer.model").toStdString());
    const int piece_size = expected_["bpe"]["piece_size"].toInt();
    QJsonObject pad{{"content", "<pad>"}, {"lstrip", false}, {"normalized", false}, {"rstrip", false},
                    {"single_word", false}, {"special", true}};
    QJsonObject config{{"add_bos_token", true},
                       {"add_eos_token", true},
                       {"bos_token", "<s>"},
                       {"eos_token", QJsonObject{{"content", "</s>"}}},
                       {"pad_token", pad},
                       {"added_tokens_decoder", QJsonObject{{QString::number(piece_size), pad}}}};
    write_json(dir + "/tokenizer_config.json", QJsonDocument(config));

    const auto t = rw::core::load_tokenizer(dir.toStdString());
    QVERIFY(dynamic_cast<SentencePieceTokenizer*>(t.get()) != nullptr);
    QCOMPARE(t->pad_id(), std::optional<int32_t>(piece_size));
    QCOMPARE(t->vocab_size(), piece_size + 1);
    QVERIFY(t->is_special(piece_size));
    const auto& ref = *tokenizers_["bpe"];
    std::vector<int32_t> want{*ref.bos_id()};
    for (const char* part : {"a", "b"}) {
      const auto seg = ref.encode(part, false);
      want.insert(want.end(), seg.begin(), seg.end());
      if (part[0] == 'a') want.push_back(piece_size);
    }
    want.push_back(*ref.eos_id());
    const auto ids = t->encode("a<pad>b", true);
    QVERIFY2(ids == want, qPrintable(describe_mismatch(*t, ids, want)));
    QCOMPARE(qs(t->decode(ids, false)), QString("<s>a<pad>b</s>"));
    QCOMPARE(qs(t->decode(ids, true)), QString("ab"));
  }

  void trainErrors() {
    rw::core::SentencePieceTrainOptions options;
    const auto missing = std::filesystem::path(tmp_.filePath("no_such_corpus.txt").toStdString());
    try {
      rw::core::train_sentencepiece({missing}, tmp_.filePath("x").toStdString(), options);
      QFAIL("missing training file accepted");
    } catch (const rw::core::Error& e) {
      QVERIFY2(QString(e.what()).contains("no_such_corpus.txt"), e.what());
    }
    options.model_type = "word";
    QVERIFY_THROWS_EXCEPTION(rw::core::Error, rw::core::train_sentencepiece({tmp_.filePath("corpus.txt").toStdString()},
                                                                            tmp_.filePath("y").toStdString(), options));
    options.model_type = "unigram";
    options.vocab_size = 1000000;  // more pieces than the corpus can give: sentencepiece's own error
    QVERIFY_THROWS_EXCEPTION(rw::core::Error, rw::core::train_sentencepiece({tmp_.filePath("corpus.txt").toStdString()},
                                                                            tmp_.filePath("z").toStdString(), options));
  }
};

QTEST_GUILESS_MAIN(TestSentencePieceTokenizer)
#include "test_sentencepiece_tokenizer.moc"
