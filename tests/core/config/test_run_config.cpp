// Run config: defaults and round trips, every refusal (naming the file, the JSON path and the cause), RoPE
// coverage per stage against a base model, corpus and dataset names against a real project store, and that every
// shipped example in projects/examples/runs/ parses, round-trips and passes the model check.
#include <QTemporaryDir>
#include <QtTest>

#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

#include "rw/core/store/corpus_store.h"
#include "rw/core/store/dataset_store.h"
#include "rw/core/store/migrations.h"
#include "rw/core/config/resume_rules.h"
#include "rw/core/config/run_config.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace rw::core;
using rw::test::error_of;
using json = nlohmann::json;

namespace {

constexpr const char* kSource = "run.json";

QString q(const std::string& text) { return QString::fromStdString(text); }

RunConfig parse(const json& j) { return parse_run_config(j.dump(), kSource); }

// The smallest valid config: one pretrain stage on one corpus.
json minimal() {
  return {{"name", "demo"},
          {"init", {{"model", "models/tiny"}}},
          {"stages",
           json::array(
               {{{"name", "4k"}, {"seq_len", 4096}, {"steps", 10}, {"data", json::array({{{"corpus", "books"}}})}}})}};
}

// A small from-scratch init with `tokenizer` (an "init" value).
json scratch_init(const json& tokenizer) {
  return {{"scratch",
           {{"hidden_size", 64},
            {"intermediate_size", 128},
            {"num_hidden_layers", 1},
            {"num_attention_heads", 4},
            {"max_position_embeddings", 64}}},
          {"tokenizer", tokenizer}};
}

// `minimal()` with a second stage `name` at `seq_len` carrying `extra` keys.
json two_stages(const char* name, std::int64_t seq_len, const json& extra = json::object()) {
  json j = minimal();
  json stage = {{"name", name}, {"seq_len", seq_len}, {"steps", 10}, {"data", json::array({{{"corpus", "books"}}})}};
  stage.update(extra);
  j["stages"].push_back(stage);
  return j;
}

ModelConfig tiny_base() { return rw::test::tiny_llama_config(512, 4096); }

// Expects parse (or `check`) to fail with a message containing every one of `parts`.
void expect_error(const std::function<void()>& body, std::initializer_list<const char*> parts) {
  const QString error = error_of(body);
  QVERIFY2(!error.isEmpty(), "no error was thrown");
  for (const char* part : parts) QVERIFY2(error.contains(QString::fromUtf8(part)), qPrintable(error));
}

void expect_parse_error(const json& j, std::initializer_list<const char*> parts) {
  expect_error([&] { parse(j); }, parts);
}

}  // namespace

class TestRunConfig : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void defaultsRoundTrip() {
    const RunConfig c = parse(minimal());
    QCOMPARE(q(c.source), q(kSource));
    QCOMPARE(c.format, 1);
    QVERIFY(c.objective == Objective::Pretrain);
    QVERIFY(c.init.kind == InitConfig::Kind::Model);
    QCOMPARE(q(c.device), q("auto"));
    QVERIFY(c.precision == Precision::Bf16Mixed);
    QCOMPARE(c.chunked_loss_rows, std::int64_t{2048});
    QCOMPARE(c.optimizer.beta2, 0.95);
    QCOMPARE(c.stages.size(), size_t{1});
    const StageConfig& s = c.stages[0];
    QVERIFY(s.document_masking && s.reset_positions && s.overflow == Overflow::Split);
    QCOMPARE(s.data[0].weight, 1.0);
    const std::string text = run_config_to_json(c);
    QVERIFY(text.starts_with("{\n  \"format\": 1,\n  \"name\": \"demo\","));
    QVERIFY2(text.find("\"loss_on\"") == std::string::npos, text.c_str());  // pretrain has none
    QCOMPARE(q(run_config_to_json(parse_run_config(text, kSource))), q(text));
  }

  void everyFieldRoundTrips() {
    json j = minimal();
    j.update(
        {{"format", 1},
         {"description", "line one\nline \"two\" — ü"},
         {"objective", "sft"},
         {"loss_on", "all"},
         {"chat_format", "qwen2"},
         {"init",
          {{"scratch",
            {{"family", "qwen2"},
             {"vocab_size", 1000},
             {"hidden_size", 64},
             {"intermediate_size", 160},
             {"num_hidden_layers", 2},
             {"num_attention_heads", 4},
             {"num_key_value_heads", 2},
             {"max_position_embeddings", 256},
             {"rope_theta", 5e5},
             {"tie_word_embeddings", true}}},
           {"tokenizer", {{"sentencepiece", {{"vocab_size", 900}, {"model_type", "unigram"}, {"from_corpus", "c"}}}}}}},
         {"seed", -7},
         {"device", "cuda:1"},
         {"precision", "bf16"},
         {"activation_checkpointing", true},
         {"chunked_loss_rows", 333},
         {"optimizer",
          {{"lr", 3e-4}, {"betas", {0.8, 0.99}}, {"eps", 1e-6}, {"weight_decay", 0}, {"clip_grad_norm", 0}}},
         {"schedule", {{"kind", "linear"}, {"warmup_steps", 7}, {"min_lr_ratio", 0}}},
         {"batch", {{"micro_batch_size", 3}, {"grad_accumulation", 5}}},
         {"checkpoint", {{"every_steps", 0}, {"keep_last", 0}}},
         {"eval", {{"every_steps", 9}, {"suite", "evals/niah-small.json"}}}});
    j["stages"] = json::array(
        {{{"name", "a"},
          {"seq_len", 512},
          {"tokens", 123456789},
          {"lr", 1.5e-5},
          {"warmup_steps", 3},
          {"batch", {{"grad_accumulation", 2}}},
          {"rope",
           {{"theta", 1e6},
            {"scaling",
             {{"type", "yarn"},
              {"factor", 4},
              {"original_max_position_embeddings", 256},
              {"attention_factor", 1.1},
              {"beta_fast", 16},
              {"beta_slow", 2}}}}},
          {"max_position_embeddings", 2048},
          {"data", json::array({{{"dataset", "chat"}, {"weight", 0.25}},
                                {{"corpus", "books"}, {"weight", 3}, {"min_tokens", 64}}})},
          {"document_masking", false},
          {"reset_positions", false},
          {"overflow", "drop"}},
         {{"name", "b"},
          {"seq_len", 1024},
          {"steps", 5},
          {"rope", {{"scaling", {{"type", "llama3"}, {"factor", 8}, {"low_freq_factor", 2}, {"high_freq_factor", 8}}}}},
          {"data", json::array({{{"dataset", "chat"}}})},
          {"overflow", "truncate"}}});
    const RunConfig c = parse(j);
    QVERIFY(c.objective == Objective::Sft && c.loss_on == LossOn::All);
    QVERIFY(c.chat_format == ChatFormat::Qwen2);
    QVERIFY(c.init.kind == InitConfig::Kind::Scratch);
    QVERIFY(c.init.scratch.family == ModelFamily::Qwen2);
    QCOMPARE(c.init.tokenizer.model_type, std::string("unigram"));
    QCOMPARE(c.optimizer.beta1, 0.8);
    QCOMPARE(c.eval.suite, std::string("evals/niah-small.json"));
    QCOMPARE(c.eval.every_steps, std::int64_t{9});
    QVERIFY(c.schedule.kind == LrSchedule::Kind::Linear);
    const StageConfig& a = c.stages[0];
    QCOMPARE(*a.tokens, std::int64_t{123456789});
    QVERIFY(!a.micro_batch_size && *a.grad_accumulation == 2);
    QVERIFY(a.rope.scaling->type == RopeType::Yarn && *a.rope.scaling->beta_slow == 2.0);
    QVERIFY(a.data[0].kind == DataSource::Kind::Dataset && a.data[1].min_tokens == 64);
    QVERIFY(c.stages[1].rope.scaling->type == RopeType::Llama3 && c.stages[1].rope.scaling->high_freq_factor == 8.0);
    // steps from tokens: ceil(123456789 / (3 * 2 * 512))
    QCOMPARE(stage_steps(c, a), std::int64_t{40188});
    QCOMPARE(stage_steps(c, c.stages[1]), std::int64_t{5});
    const std::string text = run_config_to_json(c);
    const RunConfig back = parse_run_config(text, kSource);
    QCOMPARE(q(run_config_to_json(back)), q(text));
    QCOMPARE(q(back.description), q(c.description));
    QCOMPARE(back.init.scratch.rope_theta, 5e5);
    QCOMPARE(back.stages[0].lr.value(), 1.5e-5);
  }

  void refusesUnknownKeys() {
    json j = minimal();
    j["stagse"] = 1;
    expect_parse_error(j, {"run.json: unknown key \"stagse\" (did you mean \"stages\"?); known keys here: format,"});
    j = two_stages("16k", 4096, {{"rope", {{"thta", 1e6}}}});
    expect_parse_error(j, {"run.json: unknown key \"stages[1].rope.thta\" (did you mean \"theta\"?)"});
    // Keys of another scaling type are unknown for this one.
    j = two_stages("16k", 4096, {{"rope", {{"scaling", {{"type", "llama3"}, {"factor", 2}, {"beta_fast", 3}}}}}});
    expect_parse_error(j, {"unknown key \"stages[1].rope.scaling.beta_fast\"", "high_freq_factor"});
  }

  void refusesWrongTypes() {
    json j = minimal();
    j["stages"][0]["seq_len"] = "4096";
    expect_parse_error(j, {"run.json: \"stages[0].seq_len\" must be an integer, got a string (\"4096\")"});
    j = minimal();
    j["activation_checkpointing"] = 1;
    expect_parse_error(j, {"\"activation_checkpointing\" must be true or false, got a number (1)"});
    j = minimal();
    j["optimizer"] = {{"betas", 0.9}};
    expect_parse_error(j, {"\"optimizer.betas\" must be an array of two numbers [beta1, beta2], got a number"});
    j = minimal();
    j["stages"] = {{"name", "x"}};
    expect_parse_error(j, {"\"stages\" must be an array of objects, got an object"});
    j = minimal();
    j["stages"][0]["data"] = json::array({"books"});
    expect_parse_error(j, {"\"stages[0].data[0]\" must be an object, got a string (\"books\")"});
    j = minimal();
    j["precision"] = "bf16mixed";
    expect_parse_error(j, {"\"precision\" must be one of fp32, bf16-mixed, bf16, got \"bf16mixed\" (did you mean "
                           "\"bf16-mixed\"?)"});
    j = minimal();
    j["schedule"] = {{"kind", 1}};
    expect_parse_error(j, {"\"schedule.kind\" must be one of cosine, linear, constant, got a number (1)"});
  }

  void refusesDuplicateKeys() {
    const std::string text =
        "{\"name\": \"d\", \"init\": {\"model\": \"m\"}, \"stages\": ["
        "{\"name\": \"a\", \"seq_len\": 8, \"steps\": 1, \"data\": [{\"corpus\": \"c\"}]},"
        "{\"name\": \"b\", \"seq_len\": 8, \"steps\": 1, \"data\": [{\"corpus\": \"c\", \"weight\": 1, \"weight\": "
        "2}]}]}";
    expect_error([&] { parse_run_config(text, kSource); },
                 {"run.json: key \"stages[1].data[0].weight\" appears more than once"});
    expect_error([&] { parse_run_config("{\"name\": 1,", kSource); }, {"run.json: not valid JSON"});
  }

  void refusesBadValues() {
    json j = minimal();
    j["stages"][0]["seq_len"] = 0;
    expect_parse_error(j, {"run.json: \"stages[0].seq_len\" must be positive, got 0"});
    j = minimal();
    j["batch"] = {{"micro_batch_size", -1}};
    expect_parse_error(j, {"\"batch.micro_batch_size\" must be positive, got -1"});
    j = minimal();
    j["stages"][0]["tokens"] = 100;
    expect_parse_error(j, {"\"stages[0]\" must give its length as exactly one of \"steps\" or \"tokens\", not both"});
    j = minimal();
    j["stages"][0].erase("steps");
    expect_parse_error(j,
                       {"\"stages[0]\" must give its length as exactly one of \"steps\" or \"tokens\", got neither"});
    j = minimal();
    j["stages"][0]["data"][0]["weight"] = 0;
    expect_parse_error(j, {"\"stages[0].data[0].weight\" must be positive, got 0"});
    j = minimal();
    j["stages"][0]["data"] = json::array();
    expect_parse_error(j, {"\"stages[0].data\" must list at least one corpus"});
    j = minimal();
    j["stages"] = json::array();
    expect_parse_error(j, {"\"stages\" must list at least one stage"});
    j = two_stages("4k", 4096);
    expect_parse_error(j, {"\"stages[1].name\" \"4k\" is used by an earlier stage"});
    j = minimal();
    j["optimizer"] = {{"betas", {0.9, 1.0}}};
    expect_parse_error(j, {"\"optimizer.betas\" must each be in [0, 1), got [0.9, 1]"});
    j = minimal();
    j["schedule"] = {{"min_lr_ratio", 1.5}};
    expect_parse_error(j, {"\"schedule.min_lr_ratio\" must be in [0, 1], got 1.5"});
    j = two_stages("8k", 8192, {{"rope", {{"scaling", {{"type", "yarn"}, {"factor", 0.5}}}}}});
    expect_parse_error(j, {"\"stages[1].rope.scaling.factor\" must be at least 1, got 0.5"});
    j = two_stages("8k", 8192, {{"rope", {{"theta", -1}}}});
    expect_parse_error(j, {"\"stages[1].rope.theta\" must be positive, got -1"});
    j = minimal();
    j["device"] = "gpu";
    expect_parse_error(j, {"\"device\" must be auto, cpu, cuda or cuda:N, got \"gpu\""});
    j = minimal();
    j["format"] = 2;
    expect_parse_error(j, {"run.json: written by a newer Ropewalk (\"format\" 2"});
    j = minimal();
    j.erase("name");
    expect_parse_error(j, {"run.json: missing required key \"name\""});
    j = minimal();
    j.erase("init");
    expect_parse_error(j, {"run.json: missing required key \"init\""});
  }

  void refusesBadInit() {
    json j = minimal();
    j["init"]["scratch"] = json::object();
    expect_parse_error(j, {"\"init\" must hold either \"model\" or \"scratch\", not both"});
    j = minimal();
    j["init"] = json::object();
    expect_parse_error(j, {"\"init\" must hold \"model\" (an HF folder) or \"scratch\" (a new model)"});
    j = minimal();
    j["init"] = scratch_init({{"model", "models/tok"}});
    j["init"]["scratch"]["num_key_value_heads"] = 3;
    expect_parse_error(j, {"\"init.scratch.num_key_value_heads\" (3) must divide num_attention_heads (4)"});
    j["init"]["scratch"]["num_key_value_heads"] = 2;
    j["init"]["scratch"]["vocab_size"] = "from_tokenizr";
    expect_parse_error(j, {"\"init.scratch.vocab_size\" must be an integer or \"from_tokenizer\", got a string"});
    j["init"]["scratch"].erase("vocab_size");
    j["init"].erase("tokenizer");
    expect_parse_error(j, {"missing required key \"init.tokenizer\""});
    j["init"]["tokenizer"] = {{"sentencepiece", {{"vocab_size", 100}}}};
    expect_parse_error(j, {"missing required key \"init.tokenizer.sentencepiece.from_corpus\""});
    j["init"]["tokenizer"] = {{"model", "models/tok"}};
    QVERIFY(parse(j).init.kind == InitConfig::Kind::Scratch);
  }

  void refusesObjectiveDataMismatch() {
    // A dataset under pretrain parses: whether it holds chat or raw text is known only to the store.
    json j = minimal();
    j["stages"][0]["data"][0] = {{"dataset", "chat"}};
    QVERIFY(parse(j).stages[0].data[0].kind == DataSource::Kind::Dataset);
    j = minimal();
    j["objective"] = "sft";
    j["chat_format"] = "llama3";
    expect_parse_error(j, {"\"stages[0].data\" has no dataset, but the objective is \"sft\""});
    // SFT needs to know how samples become tokens; pretraining has no use for it.
    j["stages"][0]["data"][0] = {{"dataset", "chat"}};
    QVERIFY(parse(j).chat_format == ChatFormat::Llama3);
    j.erase("chat_format");
    expect_parse_error(j, {"run.json: \"chat_format\" is required for objective \"sft\"", "\"plain\""});
    j["chat_format"] = "llama-3";
    expect_parse_error(j, {"\"chat_format\" must be one of plain, llama2, llama3, mistral, qwen2, got \"llama-3\""});
    j = minimal();
    j["chat_format"] = "plain";
    expect_parse_error(j, {"\"chat_format\" applies only to objective \"sft\""});
    j = minimal();
    j["loss_on"] = "all";
    expect_parse_error(j, {"\"loss_on\" applies only to objective \"sft\""});
    j = minimal();
    j["stages"][0]["data"][0] = {{"corpus", "a"}, {"dataset", "b"}};
    expect_parse_error(j, {"\"stages[0].data[0]\" must name exactly one of \"corpus\" or \"dataset\""});
  }

  void ropeCoverage() {
    const ModelConfig base = tiny_base();
    // Within the model's length: nothing to change.
    auto configs = stage_model_configs(parse(two_stages("4k-again", 4096)), base);
    QCOMPARE(configs[1].max_position_embeddings, std::int64_t{4096});

    // Longer without a rope change: refused, naming the stage and the two ways out.
    const QString refused = error_of([&] { validate_against_model(parse(two_stages("16k", 16384)), base); });
    QCOMPARE(refused, q("run.json: stages[1] (\"16k\") trains at 16384 tokens but the RoPE settings cover 4096; "
                        "raise stages[1].rope.theta or set stages[1].rope.scaling"));

    // A theta raise extends on purpose; the new length is carried into later stages.
    json j = two_stages("16k", 16384, {{"rope", {{"theta", 160000}}}});
    configs = stage_model_configs(parse(j), base);
    QCOMPARE(configs[1].max_position_embeddings, std::int64_t{16384});
    QCOMPARE(configs[1].rope.theta, 160000.0);
    j["stages"].push_back({{"name", "32k"}, {"seq_len", 32768}, {"steps", 1}, {"data", j["stages"][0]["data"]}});
    expect_error([&] { validate_against_model(parse(j), base); },
                 {"stages[2] (\"32k\") trains at 32768 tokens but the RoPE settings cover 16384"});

    // A lower theta is no extension.
    expect_error(
        [&] {
          validate_against_model(parse(two_stages("8k", 8192, {{"rope", {{"theta", 5000}}}})), base);
        },
        {"cover 4096"});

    // An explicit max_position_embeddings is taken at its word.
    configs = stage_model_configs(parse(two_stages("8k", 8192, {{"max_position_embeddings", 6000}})), base);
    QCOMPARE(configs[1].max_position_embeddings, std::int64_t{8192});

    // Scaling covers original * factor.
    j = two_stages("16k", 16384, {{"rope", {{"scaling", {{"type", "yarn"}, {"factor", 4}}}}}});
    configs = stage_model_configs(parse(j), base);
    QVERIFY(configs[1].rope.type == RopeType::Yarn);
    QCOMPARE(configs[1].rope.original_max_position_embeddings.value(), std::int64_t{4096});
    QCOMPARE(configs[1].max_position_embeddings, std::int64_t{16384});
    QCOMPARE(configs[0].max_position_embeddings, std::int64_t{4096});
    j = two_stages("16k", 16384, {{"rope", {{"scaling", {{"type", "yarn"}, {"factor", 2}}}}}});
    expect_error([&] { validate_against_model(parse(j), base); },
                 {"run.json: stages[1] (\"16k\") trains at 16384 tokens but its yarn scaling covers 8192 (4096 x 2); "
                  "raise stages[1].rope.scaling.factor to at least 4"});
  }

  void storeValidation() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    auto db = open_store(fs::path(tmp.path().toStdString()) / "store.db", OpenMode::ReadWrite);
    CorpusStore store(db);
    expect_error([&] { validate_against_store(parse(minimal()), db); },
                 {"run.json: \"stages[0].data[0].corpus\": no corpus named \"books\" in the project store; it has no "
                  "corpora yet"});
    store.create_corpus({.name = "books"});
    store.create_corpus({.name = "code-repos"});
    validate_against_store(parse(minimal()), db);
    json j = minimal();
    j["stages"][0]["data"].push_back({{"corpus", "bookz"}});
    expect_error([&] { validate_against_store(parse(j), db); },
                 {"\"stages[0].data[1].corpus\": no corpus named \"bookz\" in the project store (did you mean "
                  "\"books\"?); known corpora: books, code-repos"});
    j = minimal();
    j["objective"] = "sft";
    j["chat_format"] = "plain";
    j["stages"][0]["data"].push_back({{"dataset", "chat"}});
    expect_error([&] { validate_against_store(parse(j), db); },
                 {"run.json: \"stages[0].data[1].dataset\": no dataset named \"chat\" in the project store; it has no "
                  "datasets yet (import or synthesize one first)"});
    DatasetStore datasets(db);
    datasets.create_dataset({.name = "chats"});
    datasets.create_dataset({.name = "needles"});
    expect_error([&] { validate_against_store(parse(j), db); },
                 {"no dataset named \"chat\" in the project store (did you mean \"chats\"?); known datasets: chats, "
                  "needles"});
    j["stages"][0]["data"][1]["dataset"] = "chats";
    validate_against_store(parse(j), db);
    // Pretraining takes text datasets (CIP samples) but not conversations.
    datasets.create_dataset({.name = "interleaved", .kind = "text"});
    j = minimal();
    j["stages"][0]["data"].push_back({{"dataset", "interleaved"}});
    validate_against_store(parse(j), db);
    j["stages"][0]["data"].push_back({{"dataset", "chats"}});
    expect_error([&] { validate_against_store(parse(j), db); },
                 {"run.json: \"stages[0].data[2].dataset\": dataset \"chats\" holds chat samples, but the objective is "
                  "\"pretrain\""});
    j = minimal();
    j["init"] = scratch_init({{"sentencepiece", {{"vocab_size", 100}, {"from_corpus", "wiki"}}}});
    expect_error([&] { validate_against_store(parse(j), db); },
                 {"\"init.tokenizer.sentencepiece.from_corpus\": no corpus named \"wiki\""});
  }

  void resumeRules() {
    // A run of two stages stopped after 4 steps of stages[1].
    const json trained = two_stages("16k", 16384, {{"rope", {{"theta", 40000}}}});
    const auto refusal = [&](const json& now) { return q(resume_refusal(parse(trained), parse(now), 1, 4)); };
    QCOMPARE(refusal(trained), QString());
    json j = trained;
    j["description"] = "longer";
    j["checkpoint"] = {{"every_steps", 7}};
    j["stages"][1]["steps"] = 30;
    j["stages"].push_back(minimal()["stages"][0]);
    j["stages"][2]["name"] = "4k again";
    QCOMPARE(refusal(j), QString());
    QCOMPARE(q(resume_changes(parse(trained), parse(j))),
             q("description, checkpoint, stages[1].steps, stages[2] added"));

    j = trained;
    j["stages"][0]["steps"] = 12;  // a finished stage
    QCOMPARE(refusal(j), q("stages[0].steps: 10 -> 12"));
    j = trained;
    j["stages"][1]["rope"]["theta"] = 80000;  // the stage in progress
    QCOMPARE(refusal(j), q("stages[1].rope.theta: 40000.0 -> 80000.0"));
    j = trained;
    j["stages"][1]["steps"] = 3;
    QVERIFY(refusal(j).contains("fewer than the 4 steps it has done"));
    QVERIFY(refusal(minimal()).contains("stages: 1 stages, but the run stopped in stages[1]"));
    j = trained;
    j["seed"] = 3;
    QCOMPARE(refusal(j), q("seed: 1234 -> 3"));
  }

  void examplesParseAndValidate() {
    const auto names = check_examples(rw::test::source_path("projects/examples/runs"), ".json");
    QCOMPARE(q(fmt::format("{}", fmt::join(names, " "))),
             q("bootstrap-progressive.json demo-cpu.json longskywork-long-sft.json prolong-64k-512k.json"));
    const auto demo = check_examples(rw::test::source_path("resources/demo"), ".run.json");
    QCOMPARE(q(fmt::format("{}", fmt::join(demo, " "))), q("base-model.run.json extend-1024.run.json"));
  }

 private:
  /// Each run config in `dir` whose name ends with `suffix` parses, round-trips, and gives a last stage
  /// whose model config covers its seq_len. Returns their names, sorted.
  static std::vector<std::string> check_examples(const fs::path& dir, const std::string& suffix) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      if (!name.ends_with(suffix)) continue;
      names.push_back(name);
      const RunConfig c = read_run_config(entry.path());
      if (c.description.empty()) QTest::qFail(qPrintable("no description: " + q(c.source)), __FILE__, __LINE__);
      const RunConfig back = parse_run_config(run_config_to_json(c), c.source);
      if (run_config_to_json(back) != run_config_to_json(c))
        QTest::qFail(qPrintable("does not round-trip: " + q(c.source)), __FILE__, __LINE__);
      const ModelConfig base = c.init.kind == InitConfig::Kind::Scratch
                                   ? scratch_model_config(c.init.scratch, c.init.tokenizer.vocab_size)
                                   : tiny_base();
      if (stage_model_configs(c, base).back().max_position_embeddings != c.stages.back().seq_len)
        QTest::qFail(qPrintable("last stage's max_position_embeddings is not its seq_len: " + q(c.source)), __FILE__,
                     __LINE__);
    }
    std::sort(names.begin(), names.end());
    return names;
  }
};

QTEST_GUILESS_MAIN(TestRunConfig)
#include "test_run_config.moc"
