// The Bootstrap workflow with a scripted generator model on the demo almanac: every step in order in the
// provenance (the prompts sent and the replies), retrieval from the queries, chunks that fit the model's
// context and tile each retrieved document, summaries merged until they fit, the raw documents and
// distractors filling the target length, filters, prompt overrides, shortfalls that keep the steps so far,
// and the long-output variant. The real models run in test_cli_synth.
#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>

#include "corpus_fixture.h"
#include "rw/core/synth/synthesizer.h"
#include "rw/core/util/files.h"
#include "sample_support.h"
#include "test_support.h"

using namespace rw::core;
using json = nlohmann::json;
using rw::test::of_kind;
using rw::test::segment_text;

namespace {

/// Replies by recognizing the built-in prompts; counts its calls.
class ScriptedModel : public SynthModel {
 public:
  ScriptedModel(const Tokenizer& tokenizer, std::int64_t context) : tokenizer_(tokenizer), context_(context) {}

  std::vector<std::string> reply(const std::vector<std::string>& messages, std::int64_t max_new_tokens,
                                 std::uint64_t) override {
    ++calls;
    largest_batch = std::max(largest_batch, messages.size());
    std::vector<std::string> out;
    for (const std::string& m : messages) {
      // Every prompt sent fits the context with its reply.
      if (prompt_tokens(m) + max_new_tokens > context_) overflow = true;
      if (m.find("Write one question") != std::string::npos) {
        out.push_back(instruction_reply);
      } else if (m.find("Passage:") != std::string::npos) {
        const size_t at = m.find("Passage:\n") + 9;
        const std::string chunk = m.substr(at, m.find("\n\nSummarize") - at);
        // Relevant chunks get a long note, so the notes outgrow the answer prompt and are merged.
        out.push_back(chunk.find("winter") != std::string::npos ? "Notes: " + chunk.substr(0, 240) : "Nothing relevant.");
      } else if (m.find("Combine these notes") != std::string::npos) {
        out.push_back("Merged notes on hard winters.");
      } else if (m.find("Answer the question") != std::string::npos) {
        out.push_back(answer_reply);
      } else if (m.find("beginning of a text") != std::string::npos) {
        out.push_back("Write an almanac chapter about the towns of one region.");
      } else {
        out.push_back("?");
      }
    }
    return out;
  }
  std::int64_t prompt_tokens(const std::string& m) const override {
    return static_cast<std::int64_t>(tokenizer_.encode(m, true).size());
  }
  std::int64_t context_tokens() const override { return context_; }
  std::string describe() const override { return "scripted"; }

  std::string instruction_reply =
      "Instruction: Which towns of the almanac remember a hard winter, and in which years?\nQueries:\n- hard "
      "winter worst year\n- town records winter";
  std::string answer_reply = "Several towns remember a hard winter, among them Loudale.";
  int calls = 0;
  size_t largest_batch = 0;
  bool overflow = false;

 private:
  const Tokenizer& tokenizer_;
  std::int64_t context_;
};


}  // namespace

class TestBootstrap : public QObject {
  Q_OBJECT

  rw::test::CorpusFixture fixture_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::vector<std::string> texts_;

  SynthConfig config(json bootstrap, std::int64_t length = 4096) {
    bootstrap.emplace("model", "scripted");
    bootstrap.emplace("corpus", "demo");
    const json j = {{"name", "boot"},           {"generator", "bootstrap"}, {"samples", 4},
                    {"lengths", {length}},      {"tokenizer", "base"},      {"bootstrap", bootstrap}};
    return parse_synth_config(j.dump(), "boot.json");
  }

 private Q_SLOTS:
  void initTestCase() {
    tokenizer_ = load_tokenizer(rw::test::source_path("resources/demo/base-model"));
    for (const auto& entry : std::filesystem::directory_iterator(rw::test::source_path("resources/demo/corpus")))
      texts_.push_back(read_text_file(entry.path()));
    std::sort(texts_.begin(), texts_.end());
    texts_.resize(16);
  }
  void init() {
    QVERIFY(fixture_.renew());
    fixture_.add_corpus("demo", texts_);  // one chunk per document, indexed for BM25
  }

  void workflowKeepsEveryStepAndFillsTheTarget() {
    ScriptedModel model(*tokenizer_, 512);
    Synthesizer synth(fixture_.db(), config({{"top_k", 2}}, 16000), *tokenizer_, {&model, {}});
    SynthSample s;
    try { s = synth.make(0); } catch (const std::exception& e) { QFAIL(e.what()); }
    QVERIFY(!model.overflow);
    QVERIFY(s.n_tokens <= 16000 && s.n_tokens >= 16000 * 9 / 10);
    const json meta = json::parse(s.meta_json);
    std::vector<std::string> order;
    for (const json& step : meta["steps"]) order.push_back(step["step"]);
    QVERIFY2(order.size() >= 5, meta["steps"].dump().c_str());
    QCOMPARE(order[0], std::string("instruction"));
    QCOMPARE(order[1], std::string("retrieval"));
    QCOMPARE(order[2], std::string("summary"));
    QCOMPARE(order.back(), std::string("answer"));
    for (size_t i = 3; i + 1 < order.size(); ++i) QCOMPARE(order[i], std::string("merge"));  // levels, in order
    QCOMPARE(meta["instruction"].get<std::string>(),
             std::string("Which towns of the almanac remember a hard winter, and in which years?"));
    QCOMPARE(meta["steps"][0]["queries"].size(), size_t{2});
    QCOMPARE(meta["model"].get<std::string>(), std::string("scripted"));

    // The documents of the sample are the retrieved ones (with their scores) plus distractors.
    std::set<std::int64_t> retrieved;
    for (const json& q : meta["steps"][1]["queries"]) {
      QVERIFY(q["documents"].size() <= 2);
      for (const json& d : q["documents"]) retrieved.insert(d["document"].get<std::int64_t>());
    }
    retrieved.insert(meta["steps"][1]["seed_document"].get<std::int64_t>());
    QVERIFY(!retrieved.empty());
    std::set<std::int64_t> documents;
    CorpusStore store(fixture_.db());
    for (const SampleSegment& g : of_kind(s, "document")) {
      documents.insert(*g.source_document_id);
      const std::string text = store.document_text(*g.source_document_id);
      QCOMPARE(s.messages[0].content.substr(static_cast<size_t>(g.byte_begin), static_cast<size_t>(g.byte_end - g.byte_begin)), text);
      QVERIFY(json::parse(g.meta_json).contains("score"));
    }
    QCOMPARE(documents, retrieved);
    QVERIFY(!of_kind(s, "distractor").empty());
    for (const SampleSegment& g : of_kind(s, "distractor")) QVERIFY(!retrieved.contains(*g.source_document_id));
    QCOMPARE(of_kind(s, "instruction").at(0).byte_begin, std::int64_t{0});
    QCOMPARE(s.messages[1].content, model.answer_reply);

    // The summary chunks tile every retrieved document and were sent in batches of at most 16.
    std::map<std::int64_t, std::int64_t> covered;
    for (const json& c : meta["steps"][2]["chunks"]) {
      const std::int64_t doc = c["document"];
      QVERIFY(c["begin"].get<std::int64_t>() >= covered[doc]);
      covered[doc] = c["end"];
    }
    for (const std::int64_t doc : retrieved) QCOMPARE(covered[doc], static_cast<std::int64_t>(store.document_text(doc).size()));
    QCOMPARE(meta["steps"][2]["prompts"].size(), meta["steps"][2]["chunks"].size());
    QVERIFY(model.largest_batch <= 16);
    QVERIFY(meta["steps"][2]["prompts"].size() > 16);  // several batches were needed
    // Determinism: the same sample again, call for call.
    const SynthSample again = synth.make(0);
    QCOMPARE(again.messages[0].content, s.messages[0].content);
    QCOMPARE(again.meta_json, s.meta_json);
  }

  void shortfallsKeepTheStepsSoFar() {
    ScriptedModel model(*tokenizer_, 512);
    model.instruction_reply = "\n\n";
    Synthesizer synth(fixture_.db(), config({}), *tokenizer_, {&model, {}});
    try {
      synth.make(0);
      QFAIL("an empty instruction was accepted");
    } catch (const SampleShortfall& e) {
      QCOMPARE(QString(e.what()), QString("the model wrote no instruction"));
      const json steps = json::parse(e.provenance_json())["steps"];
      QCOMPARE(steps.size(), size_t{1});
      QCOMPARE(steps[0]["outputs"][0].get<std::string>(), std::string("\n\n"));
    }
    // Queries that find nothing leave the seed passage's document as the one retrieved.
    model.instruction_reply = "Question: Which zeppelins xylophone quietly?\nQueries:\n- zeppelin xylophone";
    Synthesizer roomy(fixture_.db(), config({}, 16000), *tokenizer_, {&model, {}});
    const SynthSample s = roomy.make(0);
    const json retrieval = json::parse(s.meta_json)["steps"][1];
    QCOMPARE(retrieval["queries"][0]["documents"].size(), size_t{0});
    QCOMPARE(retrieval["seed_document_retrieved"].get<bool>(), false);
    QCOMPARE(json::parse(s.meta_json)["instruction"].get<std::string>(), std::string("Which zeppelins xylophone quietly?"));
    const auto documents = of_kind(s, "document");
    QCOMPARE(documents.size(), size_t{1});
    QCOMPARE(*documents[0].source_document_id, json::parse(s.meta_json)["steps"][0]["passage"]["document"].get<std::int64_t>());
  }

  void filtersRejectAnswers() {
    ScriptedModel model(*tokenizer_, 512);
    model.answer_reply = "I'm sorry, but the notes do not say.";
    Synthesizer refusing(fixture_.db(), config({}, 2048), *tokenizer_, {&model, {}});
    QVERIFY(rw::test::error_of([&] {
              try { refusing.make(0); } catch (const SampleShortfall& e) { throw Error(e.what()); }
            }).contains("filter: the answer contains the refusal pattern \"I'm sorry\""));
    model.answer_reply = "Several towns remember it, among them Zyxwvut.";
    Synthesizer grounded(fixture_.db(), config({{"answer_in_documents", true}}, 2048), *tokenizer_, {&model, {}});
    QVERIFY(rw::test::error_of([&] {
              try { grounded.make(0); } catch (const SampleShortfall& e) { throw Error(e.what()); }
            }).contains("filter: the answer names nothing found in the retrieved documents"));
    model.answer_reply = "Too long. " + std::string(300, 'x');
    Synthesizer bounded(fixture_.db(), config({{"max_answer_chars", 100}}, 2048), *tokenizer_, {&model, {}});
    QVERIFY(rw::test::error_of([&] {
              try { bounded.make(0); } catch (const SampleShortfall& e) { throw Error(e.what()); }
            }).contains("more than max_answer_chars 100"));
  }

  void projectPromptsOverrideTheBuiltIns() {
    const auto dir = std::filesystem::path(fixture_.db().path()).parent_path() / "prompts";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "answer.txt") << "Answer the question from the notes, briefly.\nQ: {instruction}\n{summaries}\n";
    ScriptedModel model(*tokenizer_, 512);
    Synthesizer synth(fixture_.db(), config({}, 16000), *tokenizer_, {&model, dir});
    const json meta = json::parse(synth.make(1).meta_json);
    const json& answer = meta["steps"].back();
    QVERIFY(answer["prompts"][0].get<std::string>().starts_with("Answer the question from the notes, briefly.\nQ: "));
    QCOMPARE(meta["prompt_templates"]["answer"].get<std::string>(), (dir / "answer.txt").string());
    QCOMPARE(meta["prompt_templates"]["summary"].get<std::string>(), std::string("built-in"));
    std::ofstream(dir / "summary.txt") << "Q: {instruction}\nPassage:\n{chnk}\n";
    const QString message = rw::test::error_of([&] { Synthesizer(fixture_.db(), config({}), *tokenizer_, {&model, dir}); });
    QVERIFY2(message.contains("summary.txt: the summary prompt has no placeholder {chnk} (it has: {chunk}, {instruction})"),
             qPrintable(message));
    // The built-in templates are the files under resources/synth/bootstrap.
    for (const BuiltinPrompt& p : builtin_bootstrap_prompts()) {
      QCOMPARE(std::string(p.text),
               read_text_file(rw::test::source_path("resources/synth/bootstrap/" + std::string(p.name) + ".txt")));
    }
    QCOMPARE(builtin_bootstrap_prompts().size(), size_t{5});
  }

  void longOutputMakesADocumentTheReply() {
    ScriptedModel model(*tokenizer_, 512);
    Synthesizer synth(fixture_.db(), config({{"variant", "long_output"}}, 3000), *tokenizer_, {&model, {}});
    const SynthSample s = synth.make(2);
    QCOMPARE(s.messages[0].content, std::string("Write an almanac chapter about the towns of one region."));
    QVERIFY(s.n_tokens <= 3000 && s.n_tokens >= 3000 * 3 / 4);
    CorpusStore store(fixture_.db());
    const auto docs = of_kind(s, "document");
    QVERIFY(!docs.empty());
    for (const SampleSegment& g : docs) {
      QCOMPARE(g.message_index, std::int64_t{1});
      QCOMPARE(s.messages[1].content.substr(static_cast<size_t>(g.byte_begin), static_cast<size_t>(g.byte_end - g.byte_begin)),
               store.document_text(*g.source_document_id).substr(0, static_cast<size_t>(*g.source_end)));
    }
  }

  void needsItsModel() {
    QVERIFY(rw::test::error_of([&] { Synthesizer(fixture_.db(), config({}), *tokenizer_); })
                .contains("boot.json: the bootstrap generator needs its model"));
  }
};

QTEST_GUILESS_MAIN(TestBootstrap)
#include "test_bootstrap.moc"
