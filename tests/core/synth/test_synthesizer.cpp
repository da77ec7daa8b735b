// The synthesizer's generators on the demo almanac with the demo base model's tokenizer: exact segment maps
// (every corpus segment is its document's bytes), target lengths met under the tokenizer, training seed
// space, determinism, and the job: resume after a stop without gaps or duplicates, recipe checks,
// shortfalls reported and never stored.
#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "corpus_fixture.h"
#include "rw/core/store/dataset_store.h"
#include "rw/core/synth/synthesizer.h"
#include "rw/core/util/files.h"
#include "sample_support.h"
#include "test_support.h"

using namespace rw::core;
using json = nlohmann::json;
using rw::test::of_kind;
using rw::test::segment_text;

namespace {

SynthConfig config_of(json j) {
  j.emplace("name", "synth");
  j.emplace("samples", 6);
  j.emplace("tokenizer", "base");
  return parse_synth_config(j.dump(), "synth.json");
}



bool same(const SynthSample& a, const SynthSample& b) {
  if (a.messages.size() != b.messages.size() || a.segments.size() != b.segments.size() || a.meta_json != b.meta_json)
    return false;
  for (size_t i = 0; i < a.messages.size(); ++i)
    if (a.messages[i].role != b.messages[i].role || a.messages[i].content != b.messages[i].content) return false;
  for (size_t k = 0; k < a.segments.size(); ++k)
    if (a.segments[k].byte_begin != b.segments[k].byte_begin || a.segments[k].kind != b.segments[k].kind) return false;
  return true;
}

}  // namespace

class TestSynthesizer : public QObject {
  Q_OBJECT

  rw::test::CorpusFixture fixture_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::vector<std::string> texts_;

  /// Every corpus segment's text equals its document's bytes at its source range.
  void check_provenance(const SynthSample& s) {
    CorpusStore store(fixture_.db());
    for (const SampleSegment& g : s.segments) {
      if (!g.source_document_id) continue;
      const std::string doc = store.document_text(*g.source_document_id);
      QVERIFY(g.source_begin && g.source_end);
      QCOMPARE(segment_text(s, g), doc.substr(static_cast<size_t>(*g.source_begin),
                                              static_cast<size_t>(*g.source_end - *g.source_begin)));
    }
  }

 private Q_SLOTS:
  void initTestCase() {
    tokenizer_ = load_tokenizer(rw::test::source_path("resources/demo/base-model"));
    for (int i = 1; i <= 12; ++i) {
      const auto dir = rw::test::source_path("resources/demo/corpus");
      for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().filename().string().starts_with(fmt::format("almanac_{:02d}_", i)))
          texts_.push_back(read_text_file(entry.path()));
      }
    }
    QCOMPARE(texts_.size(), size_t{12});
  }
  void init() {
    QVERIFY(fixture_.renew());
    fixture_.add_corpus("demo", texts_);
    fixture_.add_corpus("tiny", {"One short document. It ends here.", "Another one. Also short."});
  }

  void cipInterleavesChunksRoundRobin() {
    Synthesizer synth(fixture_.db(),
                      config_of({{"generator", "cip"},
                                 {"lengths", {512, 1024}},
                                 {"cip", {{"corpus", "demo"}, {"chunk_tokens", 64}, {"documents", 3}}}}),
                      *tokenizer_);
    for (std::int64_t index = 0; index < 4; ++index) {
      const SynthSample s = synth.make(index);
      const std::int64_t target = index % 2 == 0 ? 512 : 1024;
      QCOMPARE(s.target_tokens, target);
      QVERIFY2(s.n_tokens <= target && s.n_tokens >= target - 64, qPrintable(QString::number(s.n_tokens)));
      QCOMPARE(s.messages.size(), size_t{1});
      QCOMPARE(s.messages[0].role, std::string(kTextRole));
      check_provenance(s);
      // Chunks only, joined by blank lines, covering the whole text.
      std::int64_t at = 0;
      for (const SampleSegment& g : s.segments) {
        QCOMPARE(g.kind, std::string("chunk"));
        QCOMPARE(g.byte_begin, at == 0 ? 0 : at + 2);
        if (at > 0) QCOMPARE(s.messages[0].content.substr(static_cast<size_t>(at), 2), std::string("\n\n"));
        at = g.byte_end;
      }
      QCOMPARE(at, static_cast<std::int64_t>(s.messages[0].content.size()));
      // Round robin over three documents: chunk k comes from the document of chunk k - 3, read on in order.
      QVERIFY(s.segments.size() > 6);
      std::set<std::int64_t> first_three;
      for (size_t k = 0; k < 3; ++k) first_three.insert(*s.segments[k].source_document_id);
      QCOMPARE(first_three.size(), size_t{3});
      for (size_t k = 3; k + 1 < s.segments.size(); ++k) {
        QCOMPARE(*s.segments[k].source_document_id, *s.segments[k - 3].source_document_id);
        QVERIFY(*s.segments[k].source_begin >= *s.segments[k - 3].source_end);
      }
      QVERIFY(same(s, synth.make(index)));  // deterministic
    }
    QVERIFY(!same(synth.make(0), synth.make(2)));
  }

  void cipRandomOrderAndShortfall() {
    Synthesizer random(fixture_.db(),
                       config_of({{"generator", "cip"},
                                  {"lengths", {768}},
                                  {"cip", {{"corpus", "demo"}, {"documents", 4}, {"order", "random"}}}}),
                       *tokenizer_);
    const SynthSample s = random.make(0);
    check_provenance(s);
    QVERIFY(s.n_tokens <= 768 && s.n_tokens >= 768 - 256);
    // The tiny corpus cannot fill 2048 tokens: a shortfall naming the corpus, not a short sample.
    Synthesizer tiny(fixture_.db(), config_of({{"generator", "cip"}, {"lengths", {2048}}, {"cip", {{"corpus", "tiny"}}}}),
                     *tokenizer_);
    const QString message = rw::test::error_of([&] {
      try {
        tiny.make(0);
      } catch (const SampleShortfall& e) {
        throw Error(std::string("shortfall: ") + e.what());
      }
    });
    QVERIFY2(message.startsWith("shortfall: corpus 'tiny' ran out after"), qPrintable(message));
  }

  void synlPutsEvidenceRowsInNeedles() {
    Synthesizer synth(fixture_.db(), config_of({{"generator", "synl"}, {"lengths", {600, 1200}}}), *tokenizer_);
    for (std::int64_t index = 0; index < 16; ++index) {
      const SynthSample s = synth.make(index);
      QVERIFY(s.n_tokens <= s.target_tokens);
      QVERIFY2(s.n_tokens >= s.target_tokens * 3 / 4, qPrintable(QString("%1 of %2").arg(s.n_tokens).arg(s.target_tokens)));
      const json meta = json::parse(s.meta_json);
      const json& qa = meta["questions"][0];
      // The types rotate with the index, the reply is the code's answer, and the evidence rows are needles.
      QCOMPARE(qa["type"].get<std::string>(), std::string(table_question_name(all_table_questions()[static_cast<size_t>(index % 8)])));
      QCOMPARE(s.messages[1].content, qa["answer"].get<std::string>());
      std::vector<std::int64_t> needle_rows;
      for (const SampleSegment& g : of_kind(s, "needle")) needle_rows.push_back(json::parse(g.meta_json)["row"]);
      QCOMPARE(needle_rows, qa["evidence_rows"].get<std::vector<std::int64_t>>());
      // The table's segments tile it: header, row runs and needles touch one another.
      std::int64_t at = of_kind(s, "instruction").at(0).byte_end;
      for (const SampleSegment& g : s.segments) {
        if (g.message_index != 0 || (g.kind != "table" && g.kind != "needle")) continue;
        QCOMPARE(g.byte_begin, at);
        at = g.byte_end;
      }
      QCOMPARE(segment_text(s, of_kind(s, "question").at(0)), qa["question"].get<std::string>());
    }
  }

  void synlSeveralQuestionsAreNumbered() {
    Synthesizer synth(fixture_.db(),
                      config_of({{"generator", "synl"}, {"lengths", {600}}, {"synl", {{"questions_per_sample", 3}}}}),
                      *tokenizer_);
    const SynthSample s = synth.make(0);
    QCOMPARE(of_kind(s, "question").size(), size_t{3});
    QCOMPARE(of_kind(s, "answer").size(), size_t{3});
    QVERIFY(s.messages[1].content.starts_with("1. "));
    QVERIFY(s.messages[1].content.find("\n3. ") != std::string::npos);
  }

  void needleChatsFillTheirTarget() {
    Synthesizer synth(fixture_.db(),
                      config_of({{"generator", "tasks"}, {"lengths", {256, 512}}, {"tasks", {{"corpus", "demo"}}}}),
                      *tokenizer_);
    std::set<std::int64_t> depths;
    for (std::int64_t index = 0; index < 8; ++index) {
      const SynthSample s = synth.make(index);
      QVERIFY(s.n_tokens <= s.target_tokens && s.n_tokens >= s.target_tokens * 9 / 10);
      check_provenance(s);
      const json meta = json::parse(s.meta_json);
      const std::string value = std::to_string(meta["value"].get<std::int64_t>());
      const auto needles = of_kind(s, "needle");
      QCOMPARE(needles.size(), size_t{1});
      QCOMPARE(segment_text(s, needles[0]),
               fmt::format("One of the special magic numbers for {} is: {}.", meta["key"].get<std::string>(), value));
      QVERIFY(s.messages.back().content.find(value) != std::string::npos);
      QCOMPARE(s.messages[0].role, std::string("system"));
      QVERIFY(of_kind(s, "document").size() >= 1);
      depths.insert(meta["needle_sentence"].get<std::int64_t>());
    }
    QVERIFY(depths.size() > 2);  // the needle moves
  }

  void passkeyAndRulerUseTheTrainingSeedSpace() {
    Synthesizer synth(
        fixture_.db(),
        config_of({{"generator", "tasks"}, {"lengths", {1024}}, {"tasks", {{"tasks", {"passkey", "niah_single_1"}}}}}),
        *tokenizer_);
    for (std::int64_t index = 0; index < 6; ++index) {
      const SynthSample s = synth.make(index);
      QVERIFY(s.n_tokens <= 1024 && s.n_tokens >= 900);
      const json meta = json::parse(s.meta_json);
      if (index % 2 == 0) {
        // Eval pass keys are 1..50000; training keys the rest of the five-digit numbers.
        QVERIFY(meta["pass_key"].get<std::int64_t>() > 50000);
        QCOMPARE(s.messages[1].content, fmt::format("The pass key is {}.", meta["pass_key"].get<std::int64_t>()));
      } else {
        const auto refs = meta["references"].get<std::vector<std::string>>();
        QCOMPARE(refs.size(), size_t{1});
        QVERIFY(s.messages[1].content.ends_with(refs[0] + "."));
        const auto needles = of_kind(s, "needle");
        QCOMPARE(needles.size(), size_t{1});
        QVERIFY(segment_text(s, needles[0]).find(refs[0]) != std::string::npos);
      }
      QCOMPARE(of_kind(s, "question").size(), size_t{1});
      QCOMPARE(of_kind(s, "instruction").size(), size_t{1});
    }
  }

  void jobResumesWithoutGapsOrDuplicates() {
    const SynthConfig config = config_of({{"generator", "synl"}, {"samples", 9}, {"lengths", {500, 600}}});
    int calls = 0;
    std::int64_t total = 0;
    SynthReport first = run_synthesis(fixture_.db(), config, *tokenizer_, [&](const SynthProgress& p) {
      total = p.total;
      return ++calls < 4;
    });
    QCOMPARE(total, std::int64_t{9});
    QVERIFY(first.stopped);
    QCOMPARE(first.samples, std::int64_t{4});
    const SynthReport rest = run_synthesis(fixture_.db(), config, *tokenizer_);
    QVERIFY(!rest.stopped);
    QCOMPARE(rest.resumed_from, std::int64_t{4});
    QCOMPARE(rest.samples, std::int64_t{9});
    // Indices 0..8 once each, and the same samples a run without a stop makes.
    SynthConfig whole = config;
    whole.name = "whole";
    run_synthesis(fixture_.db(), whole, *tokenizer_);
    DatasetStore store(fixture_.db());
    const auto ids = store.sample_ids(rest.dataset_id);
    const auto whole_ids = store.sample_ids(store.find_dataset("whole")->id);
    QCOMPARE(ids.size(), size_t{9});
    QCOMPARE(whole_ids.size(), size_t{9});
    for (size_t i = 0; i < ids.size(); ++i) {
      const SampleRecord a = store.sample(ids[i]), b = store.sample(whole_ids[i]);
      QCOMPARE(json::parse(a.meta_json)["index"].get<std::int64_t>(), static_cast<std::int64_t>(i));
      QCOMPARE(a.content_hash, b.content_hash);
      QCOMPARE(a.segments.size(), b.segments.size());
      QVERIFY(store.sample_tokens(ids[i], synth_tokenizer_id(config)).has_value());
    }
    // A finished job has nothing left to do.
    QCOMPARE(run_synthesis(fixture_.db(), config, *tokenizer_).written, std::int64_t{0});
  }

  void anotherRecipeIsRefused() {
    const SynthConfig config = config_of({{"generator", "synl"}, {"samples", 2}, {"lengths", {500}}});
    run_synthesis(fixture_.db(), config, *tokenizer_);
    SynthConfig reseeded = config;
    reseeded.seed = 2;
    QVERIFY(rw::test::error_of([&] { run_synthesis(fixture_.db(), reseeded, *tokenizer_); })
                .contains("dataset 'synth' was made with another \"seed\" (1 there, 2 here)"));
    SynthConfig longer = config;
    longer.samples = 3;  // more samples of the same recipe continue it
    QCOMPARE(run_synthesis(fixture_.db(), longer, *tokenizer_).written, std::int64_t{1});
    DatasetStore(fixture_.db()).create_dataset({.name = "imported"});
    SynthConfig onto = config;
    onto.name = "imported";
    QVERIFY(rw::test::error_of([&] { run_synthesis(fixture_.db(), onto, *tokenizer_); })
                .contains("dataset 'imported' already exists and was not made by the synthesizer"));
  }

  void shortfallsAreCountedAndNotStored() {
    const SynthConfig config = config_of({{"generator", "cip"}, {"samples", 3}, {"lengths", {4096}}, {"cip", {{"corpus", "tiny"}}}});
    const SynthReport r = run_synthesis(fixture_.db(), config, *tokenizer_);
    QCOMPARE(r.shortfalls, std::int64_t{3});
    QCOMPARE(r.written, std::int64_t{0});
    QCOMPARE(r.samples, std::int64_t{0});
    QCOMPARE(r.shortfall_reasons.size(), size_t{3});
    QVERIFY(QString::fromStdString(r.shortfall_reasons[0]).startsWith("sample 0: corpus 'tiny' ran out"));
  }

  void textDatasetsHoldOneTextMessage() {
    DatasetStore store(fixture_.db());
    const DatasetRecord d = store.create_dataset({.name = "raw", .kind = "text"});
    QVERIFY(store.add_sample(d.id, {{std::string(kTextRole), "plain text"}}).has_value());
    QVERIFY(rw::test::error_of([&] { store.add_sample(d.id, {{"user", "hi"}}); })
                .contains("dataset 'raw' holds raw text: a sample is one message of role 'text'"));
    const DatasetRecord chat = store.create_dataset({.name = "chat"});
    QVERIFY(rw::test::error_of([&] { store.add_sample(chat.id, {{std::string(kTextRole), "x"}}); })
                .contains("has role 'text'"));
    QVERIFY(rw::test::error_of([&] { store.create_dataset({.name = "odd", .kind = "tables"}); })
                .contains("kind 'tables' is not chat or text"));
  }

  void missingCorpusIsNamed() {
    const QString message = rw::test::error_of([&] {
      Synthesizer(fixture_.db(), config_of({{"generator", "cip"}, {"lengths", {256}}, {"cip", {{"corpus", "dem"}}}}),
                  *tokenizer_);
    });
    QVERIFY2(message.contains("synth.json") && message.contains("'dem'"), qPrintable(message));
  }
};

QTEST_GUILESS_MAIN(TestSynthesizer)
#include "test_synthesizer.moc"
