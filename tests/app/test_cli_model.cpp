// End to end through ropewalk-cli: `model info` reports the config, `generate` reproduces HF's greedy
// completion for a tiny Llama with a byte-level BPE tokenizer, and bad input fails with a readable line.
#include <QtTest>

#include <nlohmann/json.hpp>

#include <functional>

#include "cli_test_support.h"
#include "rw/core/util/files.h"

using rw::test::q;
using rw::test::run_cli;
using rw::test::stdout_json;
using rw::test::write_bytes;

namespace {

QString chat_model() { return QString::fromStdString((rw::test::hf_fixture_dir() / "chat-llama" / "model").string()); }

/// A copy of the chat model in `dir` whose JSON file `file` has `edit` applied.
std::filesystem::path edited_model(const QTemporaryDir& dir, const std::string& file,
                                   const std::function<void(nlohmann::json&)>& edit) {
  const std::filesystem::path copy = std::filesystem::path(dir.path().toStdString()) / "model";
  std::filesystem::copy(chat_model().toStdString(), copy, std::filesystem::copy_options::recursive);
  auto json = nlohmann::json::parse(rw::core::read_text_file(copy / file));
  edit(json);
  write_bytes(copy / file, json.dump());
  return copy;
}

}  // namespace

class TestCliModel : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void modelInfoJson() {
    const auto r = run_cli({"model", "info", chat_model(), "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const auto info = nlohmann::json::parse(r.std_out.toStdString());
    QCOMPARE(info.at("architecture").get<std::string>(), std::string("LlamaForCausalLM"));
    QCOMPARE(info.at("num_hidden_layers").get<int>(), 3);
    QCOMPARE(info.at("context_length").get<int>(), 128);
    QCOMPARE(info.at("rope_type").get<std::string>(), std::string("default"));
    QCOMPARE(info.at("kv_bytes_per_token").get<int>(), 2 * 3 * 2 * 16 * 4);
  }

  void modelInfoText() {
    const auto r = run_cli({"model", "info", chat_model()});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    QVERIFY2(r.std_out.contains("LlamaForCausalLM") && r.std_out.contains("context length    128"),
             qPrintable(r.std_out));
  }

  void greedyGenerateMatchesTransformers() {
    const auto expected =
        nlohmann::json::parse(rw::core::read_text_file(rw::test::hf_fixture_dir() / "chat-llama" / "expected.json"));
    const auto r = run_cli({"generate", chat_model(), "--prompt", QString::fromStdString(expected.at("prompt")),
                            "--max-new-tokens", "24", "--greedy", "--device", "cpu", "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const auto out = nlohmann::json::parse(r.std_out.trimmed().toStdString());
    QCOMPARE(out.at("prompt_ids"), expected.at("prompt_ids"));
    QCOMPARE(out.at("new_ids"), expected.at("new_ids"));
    QVERIFY2(r.std_err.contains("tok/s"), qPrintable(r.std_err));
  }

  void chatTemplateIsApplied() {
    // The rendered Llama-3 prompt starts with its BOS text, which this tokenizer reads as plain bytes:
    // more prompt tokens than the bare question, and the run still completes.
    const auto plain = run_cli({"generate", chat_model(), "--prompt", "Hi", "--max-new-tokens", "2", "--json"});
    const auto chat = run_cli({"generate", chat_model(), "--prompt", "Hi", "--max-new-tokens", "2", "--json", "--chat",
                               "llama3", "--system", "Be brief."});
    QVERIFY2(plain.exit_code == 0 && chat.exit_code == 0, qPrintable(plain.std_err + chat.std_err));
    const auto a = nlohmann::json::parse(plain.std_out.trimmed().toStdString());
    const auto b = nlohmann::json::parse(chat.std_out.trimmed().toStdString());
    QVERIFY(b.at("prompt_ids").size() > a.at("prompt_ids").size() + 10);
  }

  void streamingPrintsTheCompletion() {
    const auto r = run_cli({"generate", chat_model(), "--prompt", "The needle", "--max-new-tokens", "8", "--greedy"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    QVERIFY(!r.std_out.trimmed().isEmpty());
  }

  void absurdSizesAreRefusedByName_data() {
    QTest::addColumn<QString>("key");
    QTest::addColumn<qint64>("value");
    QTest::addColumn<bool>("info_fails");  // past any machine: model info refuses too; past this one: generate only
    QTest::newRow("vocab_size past 32-bit ids") << "vocab_size" << qint64{1000000000000} << true;
    QTest::newRow("vocab_size overflowing") << "vocab_size" << qint64{9223372036854775807} << true;
    QTest::newRow("hidden_size overflowing") << "hidden_size" << qint64{4611686018427387904} << true;
    QTest::newRow("num_hidden_layers") << "num_hidden_layers" << qint64{1000000000000} << true;
    QTest::newRow("intermediate_size") << "intermediate_size" << qint64{100000000000000000} << true;
    QTest::newRow("head_dim") << "head_dim" << qint64{1000000000000} << true;
    QTest::newRow("num_attention_heads") << "num_attention_heads" << qint64{64000000000000} << true;
    QTest::newRow("intermediate_size past this machine") << "intermediate_size" << qint64{20000000000} << false;
  }
  void absurdSizesAreRefusedByName() {
    // Refused before anything is allocated: one line naming the file, the key and the memory, exit 1 (no signal).
    QFETCH(QString, key);
    QFETCH(qint64, value);
    QFETCH(bool, info_fails);
    QTemporaryDir tmp;
    const auto dir = edited_model(tmp, "config.json", [&](nlohmann::json& c) { c[key.toStdString()] = value; });
    const QString expected = QStringLiteral("%1: '%2' = %3").arg(q(dir / "config.json"), key).arg(value);
    const auto info = run_cli({"model", "info", q(dir)});
    if (info_fails) {
      QCOMPARE(info.exit_code, 1);
      const QString problem = rw::test::one_line_error_problem(info, expected);
      QVERIFY2(problem.isEmpty(), qPrintable(problem));
    } else {
      QVERIFY2(info.exit_code == 0, qPrintable(info.std_err));
    }
    const auto generate = run_cli({"generate", q(dir), "--prompt", "x", "--max-new-tokens", "2", "--device", "cpu"});
    QCOMPARE(generate.exit_code, 1);
    const QString problem = rw::test::one_line_error_problem(generate, expected);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(generate.std_err.contains("weights need") || generate.std_err.contains("weights would need"),
             qPrintable(generate.std_err));
  }

  void maxNewTokensPastTheContextIsLowered() {
    // The chat model's context is 128 tokens: a far larger limit is lowered to what fits, with a warning.
    const auto r = run_cli({"generate", chat_model(), "--prompt", "The needle", "--max-new-tokens", "100000000000",
                            "--greedy", "--device", "cpu", "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    QVERIFY2(r.std_err.contains("--max-new-tokens 100000000000") && r.std_err.contains("context of 128"),
             qPrintable(r.std_err));
    const auto out = stdout_json(r);
    QVERIFY(out.at("prompt_ids").size() + out.at("new_ids").size() <= 128);
    // A prompt already past the context is an experiment in extrapolation: it runs as asked, with a warning.
    const auto past = run_cli({"generate", chat_model(), "--prompt", QString("word ").repeated(100), "--max-new-tokens",
                               "3", "--greedy", "--device", "cpu", "--json"});
    QVERIFY2(past.exit_code == 0 && past.std_err.contains("past the model's context of 128"), qPrintable(past.std_err));
    QCOMPARE(stdout_json(past).at("new_ids").size(), size_t{3});
  }

  void tokenizerPastTheVocabularyIsRefused() {
    // An added token with id 400 in a tokenizer.json next to a config.json of vocab_size 320.
    QTemporaryDir tmp;
    const auto dir = edited_model(tmp, "tokenizer.json", [](nlohmann::json& t) {
      t["added_tokens"].push_back({{"id", 400}, {"content", "<extra>"}, {"single_word", false}, {"lstrip", false},
                                   {"rstrip", false}, {"normalized", false}, {"special", true}});
    });
    const auto r = run_cli({"generate", q(dir), "--prompt", "a <extra> b", "--max-new-tokens", "2", "--device", "cpu"});
    const QString problem = rw::test::one_line_error_problem(r, q(dir / "tokenizer.json") + " has token ids up to 400");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(r.std_err.contains(q(dir / "config.json") + " has vocab_size 320"), qPrintable(r.std_err));
  }

  void helpForOneCommand() {
    // --help anywhere on a command line: that command's usage, nothing else, exit 0.
    auto r = run_cli({"eval", "--help"});
    QCOMPARE(r.exit_code, 0);
    QVERIFY2(r.std_out.contains("eval niah|passkey|ruler|ppl") && r.std_out.contains("eval export-heatmap") &&
                 !r.std_out.contains("model info"),
             qPrintable(r.std_out));
    r = run_cli({"train", "project", "run.json", "--help"});
    QCOMPARE(r.exit_code, 0);
    QVERIFY2(r.std_out.contains("train PROJECT RUN.json") && !r.std_out.contains("corpus add"), qPrintable(r.std_out));
    r = run_cli({"corpus", "search", "--help"});
    QVERIFY2(r.std_out.contains("corpus search PROJECT QUERY") && !r.std_out.contains("corpus add"),
             qPrintable(r.std_out));
    // A command group alone says what it takes.
    r = run_cli({"project"});
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(r.std_err.contains("project needs a subcommand") && r.std_err.contains("project init DIR"),
             qPrintable(r.std_err));
  }

  void badInputIsOneReadableLine_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    QTest::newRow("missing dir") << QStringList{"model", "info", "/nonexistent/model"}
                                 << "/nonexistent/model/config.json";
    QTest::newRow("unknown option") << QStringList{"generate", chat_model(), "--prompt", "x", "--tempreature", "1"}
                                    << "unknown option --tempreature";
    QTest::newRow("bad number") << QStringList{"generate", chat_model(), "--prompt", "x", "--max-new-tokens", "ten"}
                                << "--max-new-tokens needs an integer";
    QTest::newRow("unknown command") << QStringList{"frobnicate"} << "unknown command 'frobnicate'";
    QTest::newRow("unknown subcommand") << QStringList{"model", "frobnicate"} << "unknown command 'model frobnicate'";
    QTest::newRow("unknown chat family") << QStringList{"generate", chat_model(), "--prompt", "x", "--chat", "gpt9"}
                                         << "gpt9";
    QTest::newRow("bad device") << QStringList{"generate", chat_model(), "--prompt", "x", "--device", "tpu"}
                                << "device \"tpu\": use auto, cpu, cuda or cuda:N";
    QTest::newRow("bad dtype") << QStringList{"generate", chat_model(), "--prompt", "x", "--dtype", "int4"}
                               << "unknown dtype 'int4' (expected float32, bfloat16 or float16)";
    QTest::newRow("no prompt") << QStringList{"generate", chat_model()} << "usage: ropewalk-cli generate";
  }
  void badInputIsOneReadableLine() {
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    const QString problem = rw::test::one_line_error_problem(run_cli(args), expected);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
  }
};

QTEST_GUILESS_MAIN(TestCliModel)
#include "test_cli_model.moc"
