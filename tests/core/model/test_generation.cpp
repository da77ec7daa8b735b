// Decoding beyond greedy parity: logits processors equal transformers', sampling is seeded, and
// generation stops on EOS ids, stop strings and max_new_tokens.
#include <ATen/ATen.h>
#include <QtTest>

#include "rw/core/io/hf_model_dir.h"
#include "rw/core/io/safetensors.h"
#include "rw/core/model/generation.h"
#include "rw/core/model/kv_cache.h"
#include "rw/core/tokenizer/tokenizer.h"
#include "rw/core/util/error.h"
#include "test_support.h"

using namespace rw::core;
namespace fs = std::filesystem;

namespace {

fs::path chat_model() { return rw::test::hf_fixture_dir() / "chat-llama" / "model"; }

GenerationResult run(LoadedModel& m, const Tokenizer& tok, const GenerationConfig& config,
                     const std::vector<std::string>& prompts) {
  std::vector<std::vector<int64_t>> ids;
  for (const auto& p : prompts) {
    auto e = tok.encode(p, true);
    ids.emplace_back(e.begin(), e.end());
  }
  auto [input, mask] = left_pad(ids, 0);
  return generate(m.model, input, mask, config, &tok);
}

}  // namespace

class TestGeneration : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void processorsMatchTransformers_data() {
    QTest::addColumn<double>("penalty");
    QTest::addColumn<double>("temperature");
    QTest::addColumn<int>("top_k");
    QTest::addColumn<double>("top_p");
    QTest::newRow("repetition penalty") << 1.3 << 1.0 << 0 << 1.0;
    QTest::newRow("temperature") << 1.0 << 0.7 << 0 << 1.0;
    QTest::newRow("top-k") << 1.0 << 1.0 << 5 << 1.0;
    QTest::newRow("top-p") << 1.0 << 1.0 << 0 << 0.8;
    QTest::newRow("all") << 1.2 << 0.8 << 20 << 0.9;
  }
  void processorsMatchTransformers() {
    QFETCH(double, penalty);
    QFETCH(double, temperature);
    QFETCH(int, top_k);
    QFETCH(double, top_p);
    at::manual_seed(3);
    auto logits = at::randn({3, 50}) * 3;
    auto sequences = at::randint(0, 50, {3, 12}, at::kLong);
    QTemporaryDir tmp;
    const auto in = (fs::path(tmp.path().toStdString()) / "in.safetensors");
    const auto out = (fs::path(tmp.path().toStdString()) / "out.safetensors");
    write_safetensors(in, {{"logits", logits}, {"sequences", sequences}});
    const auto r = rw::test::run_oracle("logits_processors.py",
                                        {QString::fromStdString(in.string()), QString::fromStdString(out.string()),
                                         QString::number(penalty), QString::number(temperature),
                                         QString::number(top_k), QString::number(top_p)});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    GenerationConfig config;
    config.do_sample = true;
    config.repetition_penalty = penalty;
    config.temperature = temperature;
    config.top_k = top_k;
    config.top_p = top_p;
    auto ours = process_logits(logits, sequences, config);
    auto theirs = SafetensorsReader(out).load("scores");
    QVERIFY(at::equal(at::isinf(ours), at::isinf(theirs)));  // same tokens filtered out
    auto finite = at::isfinite(theirs);
    QVERIFY(at::allclose(ours.index({finite}), theirs.index({finite}), 1e-6, 1e-6));
  }

  void samplingIsSeeded() {
    auto m = load_hf_model(chat_model());
    auto tok = load_tokenizer(chat_model());
    GenerationConfig config;
    config.do_sample = true;
    config.temperature = 1.5;
    config.max_new_tokens = 16;
    config.seed = 11;
    const auto a = run(m, *tok, config, {"The needle"});
    const auto b = run(m, *tok, config, {"The needle"});
    QCOMPARE(a.new_tokens, b.new_tokens);
    config.seed = 12;
    const auto c = run(m, *tok, config, {"The needle"});
    QVERIFY2(a.new_tokens != c.new_tokens, "different seeds gave the same 16 sampled tokens");
  }

  void stopsOnEosPerRow() {
    auto m = load_hf_model(chat_model());
    auto tok = load_tokenizer(chat_model());
    GenerationConfig config;
    config.max_new_tokens = 12;
    const auto free = run(m, *tok, config, {"The needle", "Rotary position"});
    QCOMPARE(free.new_tokens[0].size(), size_t{12});
    config.eos_token_ids = {free.new_tokens[0][4]};  // row 0's fifth token becomes an end token
    const auto stopped = run(m, *tok, config, {"The needle", "Rotary position"});
    QCOMPARE(stopped.finish[0], FinishReason::Eos);
    QVERIFY(stopped.new_tokens[0].size() <= 5);
    QCOMPARE(std::vector<int64_t>(free.new_tokens[0].begin(), free.new_tokens[0].begin() + stopped.new_tokens[0].size()),
             stopped.new_tokens[0]);
    // The cache follows the tokens generated: a limit far beyond any memory is only a limit.
    config.max_new_tokens = int64_t{1} << 40;
    config.eos_token_ids.push_back(free.new_tokens[1][4]);  // both rows end by their fifth token
    const auto unbounded = run(m, *tok, config, {"The needle", "Rotary position"});
    QVERIFY(unbounded.finish[0] == FinishReason::Eos && unbounded.finish[1] == FinishReason::Eos);
    QVERIFY(unbounded.new_tokens[0].size() <= 5 && unbounded.new_tokens[1].size() <= 5);
  }

  void cacheGrowsKeepingWhatItHolds() {
    KVCache cache(/*num_layers=*/2, /*capacity=*/2);
    std::vector<at::Tensor> keys, values;
    for (const int64_t steps : {3, 1, 1, 1, 4}) {
      auto k = at::randn({2, 2, steps, 4});
      auto v = at::randn({2, 2, steps, 4});
      keys.push_back(k);
      values.push_back(v);
      for (int64_t layer = 0; layer < 2; ++layer) {
        const auto [all_k, all_v] = cache.append(layer, k * (layer + 1), v * (layer + 1));
        QVERIFY(at::equal(all_k, at::cat(keys, 2) * (layer + 1)));
        QVERIFY(at::equal(all_v, at::cat(values, 2) * (layer + 1)));
      }
      cache.commit(steps);
    }
    QCOMPARE(cache.length(), int64_t{10});
    QVERIFY(cache.capacity() >= 10 && cache.capacity() <= 20);
  }

  void stopsOnStopStringAndCutsText() {
    auto m = load_hf_model(chat_model());
    auto tok = load_tokenizer(chat_model());
    GenerationConfig config;
    config.max_new_tokens = 20;
    const auto free = run(m, *tok, config, {"The needle"});
    const std::string& text = free.text[0];
    QVERIFY(text.size() > 6);
    // A stop string ending mid-completion: the run stops there and the text ends right before it.
    const std::string stop = text.substr(3, 3);
    config.stop_strings = {stop};
    const auto stopped = run(m, *tok, config, {"The needle"});
    QCOMPARE(stopped.finish[0], FinishReason::StopString);
    QVERIFY(stopped.new_tokens[0].size() < free.new_tokens[0].size());
    QCOMPARE(stopped.text[0], text.substr(0, text.find(stop)));
  }

  void maxNewTokensAndZero() {
    auto m = load_hf_model(chat_model());
    auto tok = load_tokenizer(chat_model());
    GenerationConfig config;
    config.max_new_tokens = 0;
    const auto none = run(m, *tok, config, {"The needle"});
    QVERIFY(none.new_tokens[0].empty());
    QCOMPARE(none.finish[0], FinishReason::Length);
  }

  void rejectsBadSettings() {
    auto m = load_hf_model(chat_model());
    GenerationConfig config;
    config.do_sample = true;
    config.temperature = 0;
    auto [ids, mask] = left_pad({{1, 5, 6}}, 0);
    QVERIFY_THROWS_EXCEPTION(Error, generate(m.model, ids, mask, config));
    config.temperature = 1;
    config.stop_strings = {"x"};
    QVERIFY_THROWS_EXCEPTION(Error, generate(m.model, ids, mask, config, nullptr));
  }
};

QTEST_GUILESS_MAIN(TestGeneration)
#include "test_generation.moc"
