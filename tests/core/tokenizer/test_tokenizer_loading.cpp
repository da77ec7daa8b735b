// load_tokenizer: which file it picks, special tokens from tokenizer_config.json / special_tokens_map.json,
// and an Error naming the file and the cause for every kind of bad input.
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include "rw/core/tokenizer/bpe_tokenizer.h"
#include "rw/core/tokenizer/sentencepiece_tokenizer.h"
#include "rw/core/tokenizer/tokenizer.h"
#include "rw/core/util/error.h"
#include "tokenizer_parity.h"

using namespace rw::test::tokenizer;

namespace {

/// A tiny valid byte-level BPE tokenizer.json: a..z, Ġ, two merges, <s> and </s> as added tokens.
QJsonObject byte_level_json() {
  QJsonObject vocab;
  int id = 0;
  for (char c = 'a'; c <= 'z'; ++c) vocab.insert(QString(QChar(c)), id++);
  vocab.insert("Ġ", id++);
  vocab.insert("ab", id++);
  vocab.insert("Ġab", id++);
  QJsonObject model{{"type", "BPE"},          {"dropout", QJsonValue()}, {"unk_token", QJsonValue()},
                    {"fuse_unk", false},      {"byte_fallback", false},  {"ignore_merges", false},
                    {"vocab", vocab},         {"merges", QJsonArray{"a b", "Ġ ab"}}};
  auto added = [](int token_id, const char* content) {
    return QJsonObject{{"id", token_id},     {"content", content}, {"single_word", false}, {"lstrip", false},
                       {"rstrip", false},    {"normalized", false}, {"special", true}};
  };
  QJsonObject byte_level{{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}};
  return QJsonObject{{"version", "1.0"},
                     {"added_tokens", QJsonArray{added(id, "<s>"), added(id + 1, "</s>")}},
                     {"normalizer", QJsonValue()},
                     {"pre_tokenizer", byte_level},
                     {"post_processor", QJsonValue()},
                     {"decoder", byte_level},
                     {"model", model}};
}

QByteArray json_bytes(const QJsonObject& o) { return QJsonDocument(o).toJson(); }

}  // namespace

class TestTokenizerLoading : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  QString sp_model_;  // a small sentencepiece model trained in initTestCase
  int case_counter_ = 0;

  /// A fresh model directory holding the given files (name -> bytes).
  QString make_dir(const std::map<QString, QByteArray>& files) {
    const QString dir = tmp_.filePath(QStringLiteral("case%1").arg(case_counter_++));
    QDir().mkpath(dir);
    for (const auto& [name, bytes] : files) {
      QFile f(dir + "/" + name);
      if (f.open(QIODevice::WriteOnly)) f.write(bytes);
    }
    return dir;
  }
  QByteArray sp_model_bytes() {
    QFile f(sp_model_);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    const QString corpus = tmp_.filePath("corpus.txt");
    {
      std::ofstream out(corpus.toStdString());
      for (int i = 0; i < 50; ++i) out << "the cat sat on the mat " << i << "\nthe dog ate the bone\n";
    }
    rw::core::SentencePieceTrainOptions options;
    options.vocab_size = 60;
    options.byte_fallback = false;
    rw::core::train_sentencepiece({corpus.toStdString()}, tmp_.filePath("small").toStdString(), options);
    sp_model_ = tmp_.filePath("small.model");
    QVERIFY(QFile::exists(sp_model_));
  }

  void errors_data() {
    QTest::addColumn<QString>("tokenizer_json");  // "" = no file
    QTest::addColumn<QByteArray>("config");       // "" = no tokenizer_config.json
    QTest::addColumn<QByteArray>("model");        // "" = no tokenizer.model
    QTest::addColumn<QStringList>("expected");    // substrings of the message

    const QByteArray good = json_bytes(byte_level_json());
    auto with = [](const QString& key, const QJsonValue& value, const char* in = nullptr) {
      QJsonObject o = byte_level_json();
      if (in) {
        QJsonObject inner = o[in].toObject();
        inner[key] = value;
        o[in] = inner;
      } else {
        o[key] = value;
      }
      return QString::fromUtf8(json_bytes(o));
    };
    QTest::newRow("empty dir") << QString() << QByteArray() << QByteArray()
                               << QStringList{"no tokenizer.json or tokenizer.model"};
    QTest::newRow("malformed json") << QString("{\"model\": {\"type\": ") << QByteArray() << QByteArray()
                                    << QStringList{"tokenizer.json", "malformed JSON"};
    QTest::newRow("unigram") << with("type", "Unigram", "model") << QByteArray() << QByteArray()
                             << QStringList{"tokenizer.json", "\"Unigram\"", "not supported"};
    QTest::newRow("wordpiece") << with("type", "WordPiece", "model") << QByteArray() << QByteArray()
                               << QStringList{"tokenizer.json", "\"WordPiece\""};
    QTest::newRow("metaspace bpe") << with("pre_tokenizer", QJsonObject{{"type", "Metaspace"}}) << QByteArray()
                                   << QByteArray() << QStringList{"tokenizer.json", "ByteLevel"};
    QTest::newRow("lowercase normalizer") << with("normalizer", QJsonObject{{"type", "Lowercase"}}) << QByteArray()
                                          << QByteArray() << QStringList{"tokenizer.json", "\"Lowercase\""};
    QTest::newRow("merge out of vocab") << with("merges", QJsonArray{"a b", "q ~"}, "model") << QByteArray()
                                        << QByteArray() << QStringList{"tokenizer.json", "merge #1", "'~'"};
    QTest::newRow("merge not a pair") << with("merges", QJsonArray{"a b c"}, "model") << QByteArray() << QByteArray()
                                      << QStringList{"tokenizer.json", "a b c"};
    QTest::newRow("vocab id not a number") << with("vocab", QJsonObject{{"a", "zero"}}, "model") << QByteArray()
                                           << QByteArray() << QStringList{"tokenizer.json", "unexpected structure"};
    QTest::newRow("bad split regex")
        << with("pre_tokenizer",
                QJsonObject{{"type", "Sequence"},
                            {"pretokenizers",
                             QJsonArray{QJsonObject{{"type", "Split"},
                                                    {"pattern", QJsonObject{{"Regex", "(unclosed"}}},
                                                    {"behavior", "Isolated"},
                                                    {"invert", false}},
                                        byte_level_json().value("pre_tokenizer")}}})
        << QByteArray() << QByteArray() << QStringList{"tokenizer.json", "regex", "(unclosed"};
    QTest::newRow("unknown post_processor") << with("post_processor", QJsonObject{{"type", "Fancy"}}) << QByteArray()
                                            << QByteArray() << QStringList{"tokenizer.json", "\"Fancy\""};
    QTest::newRow("wordpiece decoder") << with("decoder", QJsonObject{{"type", "WordPiece"}}) << QByteArray()
                                       << QByteArray() << QStringList{"tokenizer.json", "decoder", "\"WordPiece\""};
    QTest::newRow("bpe dropout") << with("dropout", 0.1, "model") << QByteArray() << QByteArray()
                                 << QStringList{"tokenizer.json", "dropout"};
    QTest::newRow("malformed config") << QString::fromUtf8(good) << QByteArray("{\"bos_token\": ") << QByteArray()
                                      << QStringList{"tokenizer_config.json", "malformed JSON"};
    QTest::newRow("config bos not a string") << QString::fromUtf8(good) << QByteArray("{\"bos_token\": 5}")
                                             << QByteArray() << QStringList{"tokenizer_config.json", "bos_token"};
    QTest::newRow("garbage tokenizer.model") << QString() << QByteArray() << QByteArray("definitely not protobuf")
                                             << QStringList{"tokenizer.model", "cannot load"};
    QTest::newRow("unigram json, garbage model")
        << with("type", "Unigram", "model") << QByteArray() << QByteArray("\x01\x02garbage")
        << QStringList{"tokenizer.model"};
  }

  void errors() {
    QFETCH(QString, tokenizer_json);
    QFETCH(QByteArray, config);
    QFETCH(QByteArray, model);
    QFETCH(QStringList, expected);
    std::map<QString, QByteArray> files;
    if (!tokenizer_json.isEmpty()) files["tokenizer.json"] = tokenizer_json.toUtf8();
    if (!config.isEmpty()) files["tokenizer_config.json"] = config;
    if (!model.isEmpty()) files["tokenizer.model"] = model;
    const QString dir = make_dir(files);
    try {
      rw::core::load_tokenizer(dir.toStdString());
      QFAIL("load_tokenizer accepted bad input");
    } catch (const rw::core::Error& e) {
      const QString what = QString::fromUtf8(e.what());
      for (const auto& part : expected) QVERIFY2(what.contains(part), qPrintable(part + " not in: " + what));
      QVERIFY2(what.contains(dir), qPrintable("the message does not name the file: " + what));
    }
  }

  void missingDirectory() {
    const QString dir = tmp_.filePath("does/not/exist");
    try {
      rw::core::load_tokenizer(dir.toStdString());
      QFAIL("missing directory accepted");
    } catch (const rw::core::Error& e) {
      QVERIFY2(QString(e.what()).contains(dir) && QString(e.what()).contains("not found"), e.what());
    }
  }

  void picksByteLevelJson() {
    const QString dir = make_dir({{"tokenizer.json", json_bytes(byte_level_json())}, {"tokenizer.model", sp_model_bytes()}});
    const auto t = rw::core::load_tokenizer(dir.toStdString());
    QVERIFY(dynamic_cast<rw::core::BpeTokenizer*>(t.get()) != nullptr);
    // "ab ab": merges give [ab, Ġab]; <s> is an added special token.
    const auto ab = t->token_to_id("ab"), gab = t->token_to_id("Ġab"), s = t->token_to_id("<s>");
    QVERIFY(ab && gab && s);
    QCOMPARE(t->encode("ab<s>ab ab", false), (std::vector<int32_t>{*ab, *s, *ab, *gab}));
    QVERIFY(t->is_special(*s));
    QVERIFY(!t->bos_id());  // no config, no template
  }

  void fallsBackToSentencePiece() {
    QJsonObject unigram = byte_level_json();
    QJsonObject model = unigram["model"].toObject();
    model["type"] = "Unigram";
    unigram["model"] = model;
    const QString dir = make_dir({{"tokenizer.json", json_bytes(unigram)}, {"tokenizer.model", sp_model_bytes()}});
    const auto t = rw::core::load_tokenizer(dir.toStdString());
    QVERIFY(dynamic_cast<rw::core::SentencePieceTokenizer*>(t.get()) != nullptr);
    QCOMPARE(qs(t->decode(t->encode("the cat sat", false), false)), QString("the cat sat"));
    QVERIFY(t->bos_id());
  }

  void specialTokensFromConfigFiles() {
    const QByteArray tok = json_bytes(byte_level_json());
    // special_tokens_map.json alone, {"content": ...} form.
    QString dir = make_dir({{"tokenizer.json", tok},
                            {"special_tokens_map.json", R"({"bos_token": {"content": "<s>"}, "eos_token": "</s>"})"}});
    auto t = rw::core::load_tokenizer(dir.toStdString());
    QCOMPARE(t->bos_id(), t->token_to_id("<s>"));
    QCOMPARE(t->eos_id(), t->token_to_id("</s>"));
    QVERIFY(!t->pad_id());

    // tokenizer_config.json wins over special_tokens_map.json; a pad token not in the vocab is ignored.
    dir = make_dir({{"tokenizer.json", tok},
                    {"tokenizer_config.json", R"({"eos_token": "<s>", "pad_token": "<nope>", "bos_token": null})"},
                    {"special_tokens_map.json", R"({"bos_token": "</s>", "eos_token": "</s>"})"}});
    t = rw::core::load_tokenizer(dir.toStdString());
    QCOMPARE(t->eos_id(), t->token_to_id("<s>"));
    QCOMPARE(t->bos_id(), t->token_to_id("</s>"));  // null in the config leaves it to the map
    QVERIFY(!t->pad_id());
  }

  void readConfigDirectly() {
    const QString dir = make_dir({{"tokenizer_config.json",
                                   R"({"add_bos_token": false, "add_eos_token": true, "unk_token": {"content": "<unk>"},
                                       "added_tokens_decoder": {"7": {"content": "<x>", "special": false, "lstrip": true}}})"}});
    const auto c = rw::core::read_special_tokens_config(dir.toStdString());
    QCOMPARE(c.add_bos_token, std::optional<bool>(false));
    QCOMPARE(c.add_eos_token, std::optional<bool>(true));
    QCOMPARE(c.unk_token, std::optional<std::string>("<unk>"));
    QCOMPARE(c.added_tokens.size(), size_t{1});
    QCOMPARE(c.added_tokens[0].id, 7);
    QVERIFY(!c.added_tokens[0].special && c.added_tokens[0].lstrip);
  }
};

QTEST_GUILESS_MAIN(TestTokenizerLoading)
#include "test_tokenizer_loading.moc"
