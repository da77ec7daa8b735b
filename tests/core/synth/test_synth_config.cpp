// Synth configs: what parses, the defaults, every refusal naming the file and JSON path, and the JSON
// written for the dataset reading back to the same config.
#include <QtTest>

#include <nlohmann/json.hpp>

#include "rw/core/synth/synth_config.h"
#include "rw/core/util/error.h"

using namespace rw::core;
using json = nlohmann::json;

namespace {

json minimal() {
  return {{"name", "needles"}, {"generator", "tasks"}, {"samples", 10}, {"lengths", {256}}, {"tokenizer", "base"},
          {"tasks", {{"corpus", "demo"}}}};
}

SynthConfig parse(const json& j) { return parse_synth_config(j.dump(), "synth.json"); }

void expect_error(const json& j, const std::vector<QString>& parts) {
  try {
    parse(j);
  } catch (const Error& e) {
    const QString message = QString::fromStdString(e.what());
    for (const QString& part : parts) QVERIFY2(message.contains(part), qPrintable(message + "\n  lacks: " + part));
    return;
  }
  QFAIL(qPrintable("no error for " + QString::fromStdString(j.dump())));
}

}  // namespace

class TestSynthConfig : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void minimalConfigHasDefaults() {
    const SynthConfig c = parse(minimal());
    QCOMPARE(c.name, std::string("needles"));
    QVERIFY(c.generator == SynthGenerator::Tasks);
    QCOMPARE(c.seed, std::uint64_t{1});
    QVERIFY(c.chat_format == ChatFormat::Plain);
    QCOMPARE(c.tasks.tasks, std::vector<std::string>{"needle_chat"});
    QCOMPARE(c.dataset_kind(), std::string_view("chat"));
    QCOMPARE(c.source, std::string("synth.json"));
  }

  void lengthsGoRoundRobin() {
    json j = minimal();
    j["lengths"] = {256, 512, 1024};
    const SynthConfig c = parse(j);
    QCOMPARE(c.length_of(0), std::int64_t{256});
    QCOMPARE(c.length_of(4), std::int64_t{512});
    QCOMPARE(c.length_of(8), std::int64_t{1024});
  }

  void everyGeneratorParsesAndRoundTrips() {
    json cip = minimal();
    cip["generator"] = "cip";
    cip.erase("tasks");
    cip["cip"] = {{"corpus", "books"}, {"chunk_tokens", 128}, {"documents", 3}, {"order", "random"}};
    json synl = minimal();
    synl["generator"] = "synl";
    synl.erase("tasks");
    synl["synl"] = {{"formats", {"csv"}}, {"questions", {"count", "top_k"}}, {"questions_per_sample", 2}};
    json tasks = minimal();
    tasks["tasks"]["tasks"] = {"passkey", "niah_multikey_1", "vt"};
    tasks["seed"] = 77;
    json bootstrap = minimal();
    bootstrap["generator"] = "bootstrap";
    bootstrap.erase("tasks");
    bootstrap["bootstrap"] = {{"model", "models/gen"}, {"corpus", "demo"}, {"variant", "long_output"}, {"temperature", 0.5}};
    QCOMPARE(parse(bootstrap).bootstrap.refusals.size(), size_t{4});
    QVERIFY(parse(bootstrap).bootstrap.variant == SynthBootstrap::Variant::LongOutput);
    for (const json& j : {cip, synl, tasks, bootstrap}) {
      const SynthConfig c = parse(j);
      const SynthConfig again = parse_synth_config(synth_config_to_json(c), "again");
      QCOMPARE(synth_config_to_json(again), synth_config_to_json(c));
      QCOMPARE(synth_recipe_json(again), synth_recipe_json(c));
    }
    QCOMPARE(parse(cip).dataset_kind(), std::string_view("text"));
    QVERIFY(parse(cip).cip.order == SynthCip::Order::Random);
    QCOMPARE(parse(synl).synl.questions.size(), size_t{2});
    // The recipe leaves out what does not change the samples: the name and how many there are.
    json other = tasks;
    other["name"] = "elsewhere";
    other["samples"] = 99;
    QCOMPARE(synth_recipe_json(parse(other)), synth_recipe_json(parse(tasks)));
    other["seed"] = 78;
    QVERIFY(synth_recipe_json(parse(other)) != synth_recipe_json(parse(tasks)));
  }

  void refusalsNameFileAndPath() {
    json j = minimal();
    j["lenghts"] = {1};
    expect_error(j, {"synth.json", "lenghts", "did you mean \"lengths\""});
    j = minimal();
    j.erase("generator");
    expect_error(j, {"synth.json: missing required key \"generator\""});
    j = minimal();
    j["generator"] = "bootstrapp";
    expect_error(j, {"\"generator\" must be one of tasks, cip, synl, bootstrap, got \"bootstrapp\""});
    j = minimal();
    j["lengths"] = json::array();
    expect_error(j, {"\"lengths\" must be a non-empty array"});
    j["lengths"] = {256, 8};
    expect_error(j, {"\"lengths[1]\" must be within 16..1048576 tokens", "got 8"});
    j["lengths"] = {2000000};
    expect_error(j, {"\"lengths[0]\" must be within 16..1048576 tokens, got 2000000"});
    j["lengths"] = {256, "1k"};
    expect_error(j, {"\"lengths[1]\" must be an integer"});
    j = minimal();
    j["samples"] = 0;
    expect_error(j, {"\"samples\" must be within 1.."});
    j = minimal();
    j["tasks"]["tasks"] = {"needle_chat", "niah_single_9"};
    expect_error(j, {"\"tasks.tasks[1]\"", "niah_single_9"});
    j = minimal();
    j["tasks"].erase("corpus");
    expect_error(j, {"\"tasks.corpus\" is required for the needle_chat task"});
    j = minimal();
    j["cip"] = {{"corpus", "demo"}};
    expect_error(j, {"\"cip\" is the section of generator \"cip\", but the generator is \"tasks\""});
    j = minimal();
    j["generator"] = "cip";
    j.erase("tasks");
    expect_error(j, {"missing required key \"cip\""});
    j["cip"] = {{"corpus", "demo"}, {"documents", 1}};
    expect_error(j, {"\"cip.documents\" must be at least 2"});
    j["cip"] = {{"corpus", "demo"}, {"chunk_tokens", -5}};
    expect_error(j, {"\"cip.chunk_tokens\" must be positive"});
    j = minimal();
    j["generator"] = "synl";
    j.erase("tasks");
    j["synl"] = {{"questions", {"lookup", "maxx"}}};
    expect_error(j, {"\"synl.questions[1]\"", "maxx"});
    j["synl"] = {{"formats", {"yaml"}}};
    expect_error(j, {"\"synl.formats[0]\"", "yaml"});
    j = minimal();
    j["generator"] = "bootstrap";
    j.erase("tasks");
    j["bootstrap"] = {{"corpus", "demo"}};
    expect_error(j, {"missing required key \"bootstrap.model\""});
    j["bootstrap"] = {{"model", "m"}, {"corpus", "demo"}, {"prompt_format", "chatml"}};
    expect_error(j, {"\"bootstrap.prompt_format\" must be model, auto or one of"});
    j["bootstrap"] = {{"model", "m"}, {"corpus", "demo"}, {"min_answer_chars", 50}, {"max_answer_chars", 10}};
    expect_error(j, {"\"bootstrap.max_answer_chars\" (10) is below min_answer_chars (50)"});
    j["bootstrap"] = {{"model", "m"}, {"corpus", "demo"}, {"top_k", 0}};
    expect_error(j, {"\"bootstrap.top_k\" must be within 1..100000"});
    j = minimal();
    j["chat_format"] = "completion";  // samples have roles
    expect_error(j, {"\"chat_format\" must be one of"});
    j = minimal();
    j["format"] = 9;
    expect_error(j, {"written by a newer Ropewalk"});
    try {
      parse_synth_config("{\"name\": \"a\", \"name\": \"b\"}", "synth.json");
      QFAIL("a duplicate key was accepted");
    } catch (const Error& e) {
      QVERIFY(QString(e.what()).contains("key \"name\" appears more than once"));
    }
  }
};

QTEST_GUILESS_MAIN(TestSynthConfig)
#include "test_synth_config.moc"
