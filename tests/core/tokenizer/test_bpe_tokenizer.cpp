// Byte-level BPE parity with HF `tokenizers`: four tokenizer.json files trained by the oracle (Llama-3
// Split regex + ignore_merges + BOS template, Qwen2 with NFC and a normalized added token, GPT-2 regex,
// GPT-2 with add_prefix_space + legacy "a b" merges + an lstrip <mask>) must give HF's ids and decodes.
#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <map>

#include "rw/core/tokenizer/bpe_tokenizer.h"
#include "rw/core/tokenizer/tokenizer.h"
#include "rw/core/util/error.h"
#include "tokenizer_parity.h"

using namespace rw::test::tokenizer;

namespace {
const QStringList kStyles{"llama3", "qwen2", "gpt2", "gpt2_prefix"};
}

class TestBpeTokenizer : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  std::map<QString, std::unique_ptr<rw::core::Tokenizer>> tokenizers_;
  std::map<QString, QJsonObject> expected_;

  const rw::core::Tokenizer& tok(const QString& style) { return *tokenizers_.at(style); }
  std::filesystem::path style_dir(const QString& style) { return (tmp_.path() + "/" + style).toStdString(); }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    const QString texts = tmp_.filePath("texts.json");
    write_json(texts, QJsonDocument(texts_json()));
    for (const auto& style : kStyles) {
      const QString error = run_tokenizer_oracle({"bpe", "--style", style, "--dir", tmp_.filePath(style), "--texts", texts});
      QVERIFY2(error.isEmpty(), qPrintable(error));
      tokenizers_[style] = rw::core::load_tokenizer(style_dir(style));
      QVERIFY(dynamic_cast<rw::core::BpeTokenizer*>(tokenizers_[style].get()) != nullptr);
      expected_[style] = read_json(tmp_.filePath(style + "/expected.json")).object();
    }
  }

  void parity_data() {
    QTest::addColumn<QString>("style");
    QTest::addColumn<int>("index");
    for (const auto& style : kStyles)
      for (size_t i = 0; i < parity_texts().size(); ++i)
        QTest::newRow(qPrintable(style + "/" + parity_texts()[i].name)) << style << static_cast<int>(i);
  }

  void parity() {
    QFETCH(QString, style);
    QFETCH(int, index);
    const auto& t = tok(style);
    const auto& text = parity_texts()[static_cast<size_t>(index)];
    const QJsonObject c = expected_[style]["cases"].toArray()[index].toObject();
    QCOMPARE(c["text"].toString(), qs(text.text));

    const auto ids = t.encode(text.text, false);
    const auto expected_ids = to_ids(c["ids"]);
    QVERIFY2(ids == expected_ids, qPrintable(describe_mismatch(t, ids, expected_ids)));
    const auto ids_special = t.encode(text.text, true);
    const auto expected_special = to_ids(c["ids_special"]);
    QVERIFY2(ids_special == expected_special, qPrintable(describe_mismatch(t, ids_special, expected_special)));

    QCOMPARE(qs(t.decode(ids, false)), c["decoded"].toString());
    QCOMPARE(qs(t.decode(ids_special, false)), c["decoded_special_keep"].toString());
    QCOMPARE(qs(t.decode(ids_special, true)), c["decoded_special_skip"].toString());
    const QJsonArray prefixes = c["prefix_decodes"].toArray();
    for (qsizetype k = 0; k < prefixes.size(); ++k) {
      const std::vector<int32_t> prefix(ids.begin(), ids.begin() + k + 1);
      QCOMPARE(qs(t.decode(prefix, false)), prefixes[k].toString());
    }

    // Exact round trip wherever the pipeline is lossless for this text.
    const bool lossless = style != "gpt2_prefix" && !text.has_special && (style != "qwen2" || text.nfc_stable);
    if (lossless) QCOMPARE(qs(t.decode(ids, false)), qs(text.text));
  }

  // Split behaviours x invert, regex and literal patterns, on a BPE whose merges cross the cut points.
  void splitBehaviors_data() {
    QTest::addColumn<QString>("variant");
    const QString dir = tmp_.filePath("split");
    const QString error = run_tokenizer_oracle({"split-variants", "--dir", dir, "--texts", tmp_.filePath("texts.json")});
    QVERIFY2(error.isEmpty(), qPrintable(error));
    for (const auto& v : read_json(dir + "/variants.json").array()) QTest::newRow(qPrintable(v.toString())) << v.toString();
  }

  void splitBehaviors() {
    QFETCH(QString, variant);
    const QString dir = tmp_.filePath("split/" + variant);
    rw::core::BpeTokenizer t((dir + "/tokenizer.json").toStdString());
    const QJsonArray cases = read_json(dir + "/expected.json").object()["cases"].toArray();
    QCOMPARE(cases.size(), static_cast<qsizetype>(parity_texts().size()));
    for (qsizetype i = 0; i < cases.size(); ++i) {
      const auto ids = t.encode(parity_texts()[static_cast<size_t>(i)].text, false);
      const auto want = to_ids(cases[i].toObject()["ids"]);
      QVERIFY2(ids == want, qPrintable(parity_texts()[static_cast<size_t>(i)].name + ": " + describe_mismatch(t, ids, want)));
      QCOMPARE(qs(t.decode(ids, false)), cases[i].toObject()["decoded"].toString());
    }
  }

  void vocabSize() {
    for (const auto& style : kStyles) QCOMPARE(tok(style).vocab_size(), expected_[style]["vocab_size"].toInt());
  }

  void specialTokensLlama3() {
    const auto& t = tok("llama3");
    const auto bos = t.token_to_id("<|begin_of_text|>");
    const auto eot = t.token_to_id("<|eot_id|>");
    QVERIFY(bos && eot);
    QCOMPARE(t.bos_id(), bos);  // tokenizer_config.json: plain string
    QCOMPARE(t.eos_id(), eot);  // tokenizer_config.json: {"content": ...} object
    QVERIFY(!t.pad_id());
    QVERIFY(t.is_special(*bos) && t.is_special(*eot));
    QVERIFY(!t.is_special(t.encode("a", false).at(0)));

    const auto plain = t.encode("hello", false);
    const auto with_bos = t.encode("hello", true);
    QCOMPARE(with_bos.size(), plain.size() + 1);
    QCOMPARE(with_bos.front(), *bos);
    QVERIFY(std::equal(plain.begin(), plain.end(), with_bos.begin() + 1));

    const auto ids = t.encode("x<|eot_id|>y", false);
    QCOMPARE(std::count(ids.begin(), ids.end(), *eot), 1);
    QCOMPARE(qs(t.decode(ids, false)), QString("x<|eot_id|>y"));
    QCOMPARE(qs(t.decode(ids, true)), QString("xy"));
  }

  void specialTokensQwen2() {
    const auto& t = tok("qwen2");
    QVERIFY(!t.bos_id());  // "bos_token": null and no template
    QCOMPARE(t.eos_id(), t.token_to_id("<|im_end|>"));
    QCOMPARE(t.pad_id(), t.token_to_id("<|endoftext|>"));
    QCOMPARE(t.encode("hello", true), t.encode("hello", false));  // no post-processor template

    // A non-special, normalized added token: matched after NFC, so the NFD spelling finds it too.
    const auto cafe = t.token_to_id("café au lait");
    QVERIFY(cafe);
    QVERIFY(!t.is_special(*cafe));
    QCOMPARE(t.encode("cafe\u0301 au lait", false), std::vector<int32_t>{*cafe});
    QCOMPARE(qs(t.decode({*cafe}, true)), QString("café au lait"));  // not special: kept
  }

  void specialTokensGpt2() {
    const auto& t = tok("gpt2");
    const auto eot = t.token_to_id("<|endoftext|>");
    QVERIFY(eot);
    QCOMPARE(t.bos_id(), eot);
    QCOMPARE(t.eos_id(), eot);
    QCOMPARE(t.encode("hi", true), t.encode("hi", false));
  }

  void tokenLookup() {
    const auto& t = tok("llama3");
    for (const char* spelling : {"Ġ", "Ċ", "a", "<|begin_of_text|>"}) {
      const auto id = t.token_to_id(spelling);
      QVERIFY2(id, spelling);
      QCOMPARE(qs(t.id_to_token(*id)), QString(spelling));
    }
    QVERIFY(!t.token_to_id("definitely-not-a-token"));
    QVERIFY_THROWS_EXCEPTION(rw::core::Error, t.id_to_token(t.vocab_size()));
    QVERIFY_THROWS_EXCEPTION(rw::core::Error, t.id_to_token(-1));
    // Out-of-range ids are skipped on decode, as HF does (padded embedding rows can be sampled).
    const auto ids = t.encode("ok", false);
    std::vector<int32_t> with_junk = ids;
    with_junk.push_back(t.vocab_size() + 5);
    QCOMPARE(qs(t.decode(with_junk, false)), QString("ok"));
  }

  void invalidUtf8IsReplaced() {
    const auto& t = tok("llama3");
    const std::string bad = "a\xff" "b\xe6\x97";  // stray byte, truncated 3-byte sequence
    QCOMPARE(t.encode(bad, false), t.encode("a\uFFFDb\uFFFD", false));
  }

  // Hand-made vocab where merges alone cannot reach "abc": ignore_merges must emit it whole.
  void ignoreMerges() {
    QJsonObject vocab{{"a", 0}, {"b", 1}, {"c", 2}, {"bc", 3}, {"ab", 4}, {"abc", 5}, {"Ġ", 6}};
    QJsonArray merges{QJsonArray{"b", "c"}, QJsonArray{"a", "b"}, QJsonArray{"ab", "c"}};
    const QJsonArray texts{"abc abc ab", "abcabc c"};
    write_json(tmp_.filePath("im_texts.json"), QJsonDocument(texts));
    std::vector<std::vector<int32_t>> results[2];
    for (bool ignore : {false, true}) {
      QJsonObject model{{"type", "BPE"},         {"dropout", QJsonValue()}, {"unk_token", QJsonValue()},
                        {"fuse_unk", false},     {"byte_fallback", false},  {"ignore_merges", ignore},
                        {"vocab", vocab},        {"merges", merges}};
      QJsonObject root{{"version", "1.0"},
                       {"added_tokens", QJsonArray()},
                       {"normalizer", QJsonValue()},
                       {"pre_tokenizer", QJsonObject{{"type", "ByteLevel"}, {"add_prefix_space", false},
                                                     {"trim_offsets", true}, {"use_regex", true}}},
                       {"post_processor", QJsonValue()},
                       {"decoder", QJsonObject{{"type", "ByteLevel"}, {"add_prefix_space", true},
                                               {"trim_offsets", true}, {"use_regex", true}}},
                       {"model", model}};
      const QString name = ignore ? "im_on" : "im_off";
      write_json(tmp_.filePath(name + ".json"), QJsonDocument(root));
      const QString error = run_tokenizer_oracle({"encode", "--tokenizer", tmp_.filePath(name + ".json"), "--texts",
                                                  tmp_.filePath("im_texts.json"), "--out", tmp_.filePath(name + "_out.json")});
      QVERIFY2(error.isEmpty(), qPrintable(error));
      const auto expected = read_json(tmp_.filePath(name + "_out.json")).object()["cases"].toArray();
      rw::core::BpeTokenizer t(tmp_.filePath(name + ".json").toStdString());
      for (qsizetype i = 0; i < texts.size(); ++i) {
        const auto ids = t.encode(texts[i].toString().toStdString(), false);
        const auto want = to_ids(expected[i].toObject()["ids"]);
        QVERIFY2(ids == want, qPrintable(describe_mismatch(t, ids, want)));
        results[ignore].push_back(ids);
      }
    }
    QVERIFY2(results[0] != results[1], "the texts do not exercise ignore_merges");
    QCOMPARE(results[1][0].front(), 5);
  }

  // Throughput on a few MB of mixed text (reported, with a generous bound), and identical ids when the
  // per-word cache is warm.
  void largeTextThroughput() {
    const auto& t = tok("llama3");
    std::string big;
    for (int rep = 0; big.size() < 4u << 20; ++rep)
      for (const auto& text : parity_texts())
        if (!text.has_special) big += text.text + " " + std::to_string(rep) + "\n";
    QElapsedTimer timer;
    timer.start();
    const auto ids = t.encode(big, false);
    const double seconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    qInfo("llama3-style encode: %.1f MB in %.2f s (%.1f MB/s), %zu ids", static_cast<double>(big.size()) / 1e6,
          seconds, static_cast<double>(big.size()) / 1e6 / seconds, ids.size());
    QVERIFY2(seconds < 60.0, "encoding 4 MB took over a minute");
    QVERIFY(t.decode(ids, false) == big);
    QCOMPARE(t.encode(big.substr(0, 10000), false), t.encode(big.substr(0, 10000), false));
  }
};

QTEST_GUILESS_MAIN(TestBpeTokenizer)
#include "test_bpe_tokenizer.moc"
