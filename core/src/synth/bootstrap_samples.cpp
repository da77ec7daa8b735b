// The Bootstrap workflow (Bootstrap Your Own Context Length, arXiv 2412.18860): a short-context generator
// model, the corpus retriever and the corpus make one long-context chat sample.
//   1. instruction: the model writes an instruction needing several documents and search queries, seeded by a
//      random corpus passage shown in the prompt;
//   2. retrieval: the top_k documents of each query (BM25 over the corpus's chunks, best score per document),
//      merged and de-duplicated, with the seed passage's document added when the queries missed it;
//   3. query-focused summaries: every retrieved document is cut into chunks that fit the model's context with
//      the summary prompt, each chunk summarized for the instruction (one batch), irrelevant ones dropped,
//      and the summaries merged level by level until they fit the answer prompt;
//   4. answer from the instruction and the summaries;
//   5. sample: the instruction with the raw retrieved documents and distractor documents up to the target
//      length, shuffled, as the user turn, the answer as the reply. Summaries are provenance, not text.
// The long-output variant makes a long document the reply to an instruction the model back-writes from its
// beginning. Every prompt sent and every reply is kept in the sample's provenance, in order.
#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "rw/core/retrieval/bm25_retriever.h"
#include "rw/core/synth/synthesizer.h"
#include "rw/core/tasks/eval_grid.h"
#include "rw/core/tasks/scoring.h"
#include "text_scan.h"

namespace rw::core {
namespace {

using json = nlohmann::json;

constexpr std::int64_t kBatch = 16;  // prompts per model call: bounds the KV cache of one batch
constexpr std::string_view kNothingRelevant = "nothing relevant";
constexpr std::string_view kSeedQuery = "(the seed passage's document)";

using synth_text::is_space;
using synth_text::trim;

/// The largest end (a word end in `text` after `begin`) for which fits(text[begin, end)) holds; `begin` when
/// not even one word fits. At most `max_words` words are considered.
std::int64_t fit_words(const std::string& text, std::int64_t begin, std::int64_t max_words,
                       const std::function<bool(std::string_view)>& fits) {
  std::vector<std::int64_t> ends;
  for (auto i = static_cast<size_t>(begin); i < text.size() && static_cast<std::int64_t>(ends.size()) < max_words;) {
    while (i < text.size() && is_space(text[i])) ++i;
    while (i < text.size() && !is_space(text[i])) ++i;
    if (ends.empty() || static_cast<std::int64_t>(i) > ends.back()) ends.push_back(static_cast<std::int64_t>(i));
  }
  const auto piece = [&](std::int64_t n) {
    return std::string_view(text).substr(static_cast<size_t>(begin), static_cast<size_t>(ends[static_cast<size_t>(n)] - begin));
  };
  const std::int64_t n = largest_fitting(static_cast<std::int64_t>(ends.size()) - 1, [&](std::int64_t k) { return fits(piece(k)); });
  return n < 0 ? begin : ends[static_cast<size_t>(n)];
}

struct Retrieved {
  std::int64_t document_id = 0;
  double score = 0;
  std::string query;
};

struct Chunk {
  std::int64_t document_id = 0, begin = 0, end = 0;
};

class Workflow {
 public:
  Workflow(Synthesizer& synth, std::int64_t index)
      : synth_(synth),
        model_(synth.model()),
        cfg_(synth.config().bootstrap),
        corpus_(synth.corpus()),
        index_(index),
        target_(synth.config().length_of(index)),
        seed_(synth.sample_seed(index)),
        rng_(seed_) {}

  SynthSample multi_document();
  SynthSample long_output();
  /// The steps so far, for a shortfall's report.
  std::string steps_json() const { return json{{"steps", steps_}}.dump(); }

 private:
  /// Replies to `messages` (in batches), recorded as one step of the provenance.
  std::vector<std::string> ask(const std::string& step, const std::vector<std::string>& messages,
                               std::int64_t max_tokens, json details = json::object());
  bool fits(const std::string& message, std::int64_t reply_tokens) const {
    return model_.prompt_tokens(message) + reply_tokens <= model_.context_tokens();
  }
  std::int64_t random_document();
  /// A random passage of a random document (from a sentence start) that fits the prompt built by `prompt`.
  Chunk passage(const std::function<std::string(std::string_view)>& prompt, std::int64_t reply_tokens);
  std::string text_of(const Chunk& c);
  std::vector<Retrieved> retrieve(const std::vector<std::string>& queries, std::int64_t seed_document);
  std::vector<std::string> summarize(const std::string& instruction, const std::vector<Retrieved>& documents);
  SynthSample assemble(const std::string& instruction, const std::vector<Retrieved>& retrieved, const std::string& answer);
  void filter(const std::string& answer, const std::vector<Retrieved>& retrieved);
  SynthSample finish(SynthSample sample, json extra);

  Synthesizer& synth_;
  SynthModel& model_;
  const SynthBootstrap& cfg_;
  CorpusTexts& corpus_;
  std::int64_t index_, target_;
  std::uint64_t seed_;
  SplitMix64 rng_;
  json steps_ = json::array();
};

std::vector<std::string> Workflow::ask(const std::string& step, const std::vector<std::string>& messages,
                                       std::int64_t max_tokens, json details) {
  std::vector<std::string> replies;
  for (size_t from = 0; from < messages.size(); from += kBatch) {
    const std::vector<std::string> batch(messages.begin() + static_cast<std::ptrdiff_t>(from),
                                         messages.begin() + static_cast<std::ptrdiff_t>(std::min(messages.size(), from + kBatch)));
    // Each call's seed depends only on the sample and the call's place in the workflow.
    const auto out = model_.reply(batch, max_tokens, seed_ ^ (0x9E3779B97F4A7C15ull * (steps_.size() + 1)) ^ from);
    if (out.size() != batch.size()) fail("the generator model answered {} of {} prompts", out.size(), batch.size());
    replies.insert(replies.end(), out.begin(), out.end());
  }
  details["step"] = step;
  details["prompts"] = messages;
  details["outputs"] = replies;
  steps_.push_back(std::move(details));
  return replies;
}

std::int64_t Workflow::random_document() {
  for (int attempt = 0; attempt < 64; ++attempt) {
    const std::int64_t i = rng_.uniform(0, corpus_.size() - 1);
    if (corpus_.text(i).find_first_not_of(" \n\t\r") != std::string::npos) return i;
  }
  throw SampleShortfall(fmt::format("corpus '{}' seems to hold only empty documents", corpus_.name()));
}

Chunk Workflow::passage(const std::function<std::string(std::string_view)>& prompt, std::int64_t reply_tokens) {
  const std::int64_t doc = random_document();
  const std::string& text = corpus_.text(doc);
  // A sentence start: after ". " at a random byte, or the document's start.
  auto begin = static_cast<size_t>(rng_.uniform(0, static_cast<std::int64_t>(text.size()) - 1));
  const size_t stop = text.rfind(". ", begin);
  begin = stop == std::string::npos ? 0 : stop + 2;
  const std::int64_t overhead = model_.prompt_tokens("");
  const std::int64_t end = fit_words(text, static_cast<std::int64_t>(begin), cfg_.passage_tokens, [&](std::string_view p) {
    return fits(prompt(p), reply_tokens) && model_.prompt_tokens(std::string(p)) - overhead <= cfg_.passage_tokens;
  });
  if (end <= static_cast<std::int64_t>(begin))
    throw SampleShortfall(fmt::format("the model's {}-token context leaves no room for a passage in the prompt",
                                      model_.context_tokens()));
  return {corpus_.id(doc), static_cast<std::int64_t>(begin), end};
}

std::string Workflow::text_of(const Chunk& c) {
  const std::string& text = corpus_.text(*corpus_.index_of(c.document_id));
  return trim(std::string_view(text).substr(static_cast<size_t>(c.begin), static_cast<size_t>(c.end - c.begin)));
}

std::vector<Retrieved> Workflow::retrieve(const std::vector<std::string>& queries, std::int64_t seed_document) {
  Bm25Retriever retriever(synth_.db());
  std::vector<Retrieved> merged;
  json record = json::array();
  for (const std::string& query : queries) {
    json found = json::array();
    std::int64_t taken = 0;
    // Several chunks of one document may rank; a document counts once, at its best chunk's score.
    for (const RetrievedChunk& hit : retriever.retrieve(query, {.limit = cfg_.top_k * 8, .corpus_id = corpus_.corpus_id()})) {
      if (taken >= cfg_.top_k) break;
      const auto seen = std::find_if(merged.begin(), merged.end(),
                                     [&](const Retrieved& r) { return r.document_id == hit.chunk.document_id; });
      const bool new_here = std::none_of(found.begin(), found.end(), [&](const json& f) {
        return f["document"].get<std::int64_t>() == hit.chunk.document_id;
      });
      if (!new_here) continue;
      found.push_back({{"document", hit.chunk.document_id}, {"chunk", hit.chunk.id}, {"score", hit.score}});
      ++taken;
      if (seen == merged.end()) {
        merged.push_back({hit.chunk.document_id, hit.score, query});
      } else if (hit.score > seen->score) {
        seen->score = hit.score;
        seen->query = query;
      }
    }
    record.push_back({{"query", query}, {"documents", found}});
  }
  std::stable_sort(merged.begin(), merged.end(), [](const Retrieved& a, const Retrieved& b) { return a.score > b.score; });
  // The seed passage's document inspired the instruction, so it belongs to the input even when the queries
  // miss it (and a model that writes poor queries still yields a sample built from its own instruction).
  const bool has_seed = std::any_of(merged.begin(), merged.end(), [&](const Retrieved& r) { return r.document_id == seed_document; });
  if (!has_seed) merged.push_back({seed_document, 0, std::string(kSeedQuery)});
  steps_.push_back({{"step", "retrieval"}, {"retriever", "bm25"}, {"corpus", corpus_.name()}, {"queries", record},
                    {"seed_document", seed_document}, {"seed_document_retrieved", has_seed}});
  return merged;
}

std::vector<std::string> Workflow::summarize(const std::string& instruction, const std::vector<Retrieved>& documents) {
  const BootstrapPrompts& prompts = synth_.prompts();
  const auto summary_prompt = [&](std::string_view chunk) {
    return prompts.fill("summary", {{"instruction", instruction}, {"chunk", std::string(chunk)}});
  };
  std::vector<Chunk> chunks;
  std::vector<std::string> messages;
  for (const Retrieved& r : documents) {
    const std::string& text = corpus_.text(*corpus_.index_of(r.document_id));
    for (std::int64_t begin = 0; begin < static_cast<std::int64_t>(text.size());) {
      while (begin < static_cast<std::int64_t>(text.size()) && is_space(text[static_cast<size_t>(begin)])) ++begin;
      if (begin >= static_cast<std::int64_t>(text.size())) break;
      const std::int64_t end = fit_words(text, begin, model_.context_tokens(),
                                         [&](std::string_view c) { return fits(summary_prompt(c), cfg_.summary_tokens); });
      if (end <= begin)
        throw SampleShortfall(fmt::format("the summary prompt leaves no room for a chunk in the model's {}-token context",
                                          model_.context_tokens()));
      chunks.push_back({r.document_id, begin, end});
      messages.push_back(summary_prompt(text_of(chunks.back())));
      begin = end;
    }
  }
  json where = json::array();
  for (const Chunk& c : chunks) where.push_back({{"document", c.document_id}, {"begin", c.begin}, {"end", c.end}});
  std::vector<std::string> summaries;
  for (const std::string& s : ask("summary", messages, cfg_.summary_tokens, {{"level", 0}, {"chunks", where}})) {
    const std::string t = trim(s);
    if (!t.empty() && !ascii_lower(t).starts_with(kNothingRelevant)) summaries.push_back(t);
  }
  if (summaries.empty()) throw SampleShortfall("the model found nothing relevant in any retrieved document");
  // Merge level by level until the answer prompt holds them all.
  const auto joined = [](const std::vector<std::string>& v) { return fmt::format("{}", fmt::join(v, "\n")); };
  const auto merge_prompt = [&](const std::vector<std::string>& group) {
    return prompts.fill("merge", {{"instruction", instruction}, {"summaries", joined(group)}});
  };
  for (int level = 1; !fits(prompts.fill("answer", {{"instruction", instruction}, {"summaries", joined(summaries)}}),
                            cfg_.answer_tokens);
       ++level) {
    std::vector<std::vector<std::string>> groups;
    for (const std::string& s : summaries) {
      if (!groups.empty()) {
        auto grown = groups.back();
        grown.push_back(s);
        if (fits(merge_prompt(grown), cfg_.summary_tokens)) {
          groups.back() = std::move(grown);
          continue;
        }
      }
      groups.push_back({s});
    }
    if (groups.size() == summaries.size())
      throw SampleShortfall(fmt::format("{} summaries cannot be merged within the model's {}-token context",
                                        summaries.size(), model_.context_tokens()));
    std::vector<std::string> messages_l;
    for (const auto& g : groups) messages_l.push_back(merge_prompt(g));
    summaries.clear();
    for (const std::string& s : ask("merge", messages_l, cfg_.summary_tokens, {{"level", level}})) summaries.push_back(trim(s));
  }
  return summaries;
}

void Workflow::filter(const std::string& answer, const std::vector<Retrieved>& retrieved) {
  const auto chars = static_cast<std::int64_t>(answer.size());
  if (chars < cfg_.min_answer_chars)
    throw SampleShortfall(fmt::format("filter: the answer has {} characters, fewer than min_answer_chars {}", chars,
                                      cfg_.min_answer_chars));
  if (cfg_.max_answer_chars > 0 && chars > cfg_.max_answer_chars)
    throw SampleShortfall(fmt::format("filter: the answer has {} characters, more than max_answer_chars {}", chars,
                                      cfg_.max_answer_chars));
  const std::string low = ascii_lower(answer);
  for (const std::string& refusal : cfg_.refusals) {
    if (!refusal.empty() && low.find(ascii_lower(refusal)) != std::string::npos)
      throw SampleShortfall(fmt::format("filter: the answer contains the refusal pattern \"{}\"", refusal));
  }
  if (!cfg_.answer_in_documents) return;
  // A number or a capitalized word of the answer (past its first word) found in a retrieved document.
  std::vector<std::string> words;
  for (size_t i = 0; i < answer.size();) {
    while (i < answer.size() && !std::isalnum(static_cast<unsigned char>(answer[i]))) ++i;
    size_t e = i;
    while (e < answer.size() && std::isalnum(static_cast<unsigned char>(answer[e]))) ++e;
    const std::string w = answer.substr(i, e - i);
    if (i > 0 && !w.empty() && (std::isdigit(static_cast<unsigned char>(w[0])) || std::isupper(static_cast<unsigned char>(w[0]))))
      words.push_back(w);
    i = e;
  }
  for (const Retrieved& r : retrieved) {
    const std::string& text = corpus_.text(*corpus_.index_of(r.document_id));
    for (const std::string& w : words)
      if (text.find(w) != std::string::npos) return;
  }
  throw SampleShortfall("filter: the answer names nothing found in the retrieved documents");
}

SynthSample Workflow::assemble(const std::string& instruction, const std::vector<Retrieved>& retrieved,
                               const std::string& answer) {
  struct Part {
    std::int64_t corpus_index = 0;
    std::int64_t end = -1;  // a cut distractor's end byte; -1: the whole document
    const Retrieved* retrieved = nullptr;
  };
  std::vector<Part> parts;
  for (const Retrieved& r : retrieved) parts.push_back({*corpus_.index_of(r.document_id), -1, &r});
  const auto build = [&](const std::vector<Part>& list) {
    SegmentedText user(0);
    user.add(instruction, "instruction");
    for (size_t k = 0; k < list.size(); ++k) {
      const Part& p = list[k];
      const std::string& text = corpus_.text(p.corpus_index);
      const std::int64_t end = p.end < 0 ? static_cast<std::int64_t>(text.size()) : p.end;
      user.plain(fmt::format("\n\nDocument {}:\n", k + 1));
      const json meta = p.retrieved ? json{{"score", p.retrieved->score}, {"query", p.retrieved->query}}
                                    : json{{"cut", p.end >= 0}};
      user.add(std::string_view(text).substr(0, static_cast<size_t>(end)), p.retrieved ? "document" : "distractor",
               meta.dump(), corpus_.id(p.corpus_index), 0, end);
    }
    SynthSample s;
    s.messages = {{"user", user.text()}, {"assistant", answer}};
    s.segments = user.segments();
    s.segments.push_back({.message_index = 1, .byte_begin = 0, .byte_end = static_cast<std::int64_t>(answer.size()), .kind = "answer"});
    return s;
  };
  const auto tokens = [&](const std::vector<Part>& list) { return synth_.count_tokens(build(list).messages); };
  if (const std::int64_t n = tokens(parts); n > target_)
    throw SampleShortfall(fmt::format("the instruction, {} retrieved documents and the answer take {} tokens, more than "
                                      "the target {}",
                                      parts.size(), n, target_));
  if (cfg_.distractors) {
    // Other documents in a random order: whole while they fit, then the part of one that still fits.
    std::vector<std::int64_t> others;
    for (std::int64_t i = 0; i < corpus_.size(); ++i) {
      if (std::none_of(parts.begin(), parts.end(), [&](const Part& p) { return p.corpus_index == i; })) others.push_back(i);
    }
    rng_.shuffle(others);
    std::vector<Part> whole = parts;
    for (const std::int64_t i : others) {
      whole.push_back({i});
      if (tokens(whole) > target_) {
        whole.back().end = fit_words(corpus_.text(i), 0, target_, [&](std::string_view prefix) {
          std::vector<Part> probe = whole;
          probe.back().end = static_cast<std::int64_t>(prefix.size());
          return tokens(probe) <= target_;
        });
        if (whole.back().end <= 0) whole.pop_back();
        break;
      }
    }
    parts = std::move(whole);
  }
  rng_.shuffle(parts);
  SynthSample sample = build(parts);
  // Shuffling moves document boundaries, which may shift a token or two: cut the last distractor to fit.
  while (synth_.count_tokens(sample.messages) > target_) {
    const auto cut = std::find_if(parts.rbegin(), parts.rend(), [](const Part& p) { return !p.retrieved; });
    if (cut == parts.rend()) break;
    const std::string& text = corpus_.text(cut->corpus_index);
    std::int64_t end = cut->end < 0 ? static_cast<std::int64_t>(text.size()) : cut->end;
    end = std::max<std::int64_t>(0, end - 16);
    while (end > 0 && !is_space(text[static_cast<size_t>(end)])) --end;
    if (end <= 0) parts.erase(std::next(cut).base()); else cut->end = end;
    sample = build(parts);
  }
  if (cfg_.distractors && synth_.count_tokens(sample.messages) < target_ * 9 / 10)
    throw SampleShortfall(fmt::format("corpus '{}' has too few documents to fill {} tokens", corpus_.name(), target_));
  return sample;
}

SynthSample Workflow::finish(SynthSample sample, json extra) {
  json meta = std::move(extra);
  meta["variant"] = cfg_.variant == SynthBootstrap::Variant::MultiDocument ? "multi_document" : "long_output";
  meta["model"] = model_.describe();
  meta["corpus"] = corpus_.name();
  json origins = json::object();
  for (const char* name : {"instruction", "summary", "merge", "answer", "long_output"}) origins[name] = synth_.prompts().origin(name);
  meta["prompt_templates"] = origins;
  meta["steps"] = steps_;
  sample.meta_json = meta.dump();
  return sample;
}

/// "Instruction: ..." and the "- query" lines after "Queries:" (or any "- " lines); a missing label takes
/// the first non-empty line as the instruction.
std::pair<std::string, std::vector<std::string>> parse_instruction(const std::string& output, std::int64_t max_queries) {
  std::string instruction;
  std::vector<std::string> queries;
  size_t i = 0;
  while (i < output.size()) {
    size_t e = output.find('\n', i);
    if (e == std::string::npos) e = output.size();
    const std::string line = trim(std::string_view(output).substr(i, e - i));
    i = e + 1;
    const std::string low = ascii_lower(line);
    if (low.starts_with("instruction:")) {
      if (instruction.empty()) instruction = trim(std::string_view(line).substr(12));
    } else if (line.starts_with("- ") || line.starts_with("* ")) {
      if (static_cast<std::int64_t>(queries.size()) < max_queries && line.size() > 2) queries.push_back(trim(line.substr(2)));
    } else if (!line.empty() && !low.starts_with("queries:") && instruction.empty()) {
      // Small models often label the question their own way.
      instruction = low.starts_with("question:") ? trim(std::string_view(line).substr(9)) : line;
    }
  }
  return {instruction, queries};
}

SynthSample Workflow::multi_document() {
  const BootstrapPrompts& prompts = synth_.prompts();
  const auto instruction_prompt = [&](std::string_view passage) {
    return prompts.fill("instruction", {{"passage", std::string(passage)}, {"queries", std::to_string(cfg_.queries)}});
  };
  const Chunk seed = passage(instruction_prompt, cfg_.instruction_tokens);
  const std::string reply = ask("instruction", {instruction_prompt(text_of(seed))}, cfg_.instruction_tokens,
                                {{"passage", {{"document", seed.document_id}, {"begin", seed.begin}, {"end", seed.end}}}})[0];
  auto [instruction, queries] = parse_instruction(reply, cfg_.queries);
  if (instruction.empty()) throw SampleShortfall("the model wrote no instruction");
  if (queries.empty()) queries.push_back(instruction);  // the instruction is a query of its own
  steps_.back()["instruction"] = instruction;
  steps_.back()["queries"] = queries;
  const std::vector<Retrieved> retrieved = retrieve(queries, seed.document_id);
  const std::vector<std::string> summaries = summarize(instruction, retrieved);
  const std::string answer = trim(ask("answer",
                                      {prompts.fill("answer", {{"instruction", instruction},
                                                               {"summaries", fmt::format("{}", fmt::join(summaries, "\n"))}})},
                                      cfg_.answer_tokens)[0]);
  filter(answer, retrieved);
  return finish(assemble(instruction, retrieved, answer), {{"instruction", instruction}, {"answer", answer}});
}

SynthSample Workflow::long_output() {
  // The reply: a document from its start, on into the following ones, up to the target.
  const std::int64_t first = random_document();
  SegmentedText reply(1);
  json documents = json::array();
  // Room is left for the instruction the model writes afterwards (at most instruction_tokens).
  const std::int64_t budget = target_ - cfg_.instruction_tokens;
  const auto probe = [&](const std::string& body) { return synth_.count_tokens({{"user", ""}, {"assistant", body}}); };
  for (std::int64_t k = 0; k < corpus_.size() && probe(reply.text()) < budget * 9 / 10; ++k) {
    const std::int64_t i = (first + k) % corpus_.size();
    const std::string& text = corpus_.text(i);
    const std::string joint = reply.size() > 0 ? "\n\n" : "";
    std::int64_t end = static_cast<std::int64_t>(text.size());
    if (probe(reply.text() + joint + text) > budget) {
      end = fit_words(text, 0, budget, [&](std::string_view p) { return probe(reply.text() + joint + std::string(p)) <= budget; });
      if (end <= 0) break;
    }
    reply.plain(joint);
    reply.add(std::string_view(text).substr(0, static_cast<size_t>(end)), "document", "{}", corpus_.id(i), 0, end);
    documents.push_back(corpus_.id(i));
  }
  const BootstrapPrompts& prompts = synth_.prompts();
  const auto prompt = [&](std::string_view p) { return prompts.fill("long_output", {{"passage", std::string(p)}}); };
  const std::string& body = reply.text();
  const std::int64_t passage_end = fit_words(body, 0, cfg_.passage_tokens, [&](std::string_view p) {
    return fits(prompt(p), cfg_.instruction_tokens);
  });
  const std::string instruction = trim(ask("long_output", {prompt(body.substr(0, static_cast<size_t>(passage_end)))},
                                           cfg_.instruction_tokens)[0]);
  if (instruction.empty()) throw SampleShortfall("the model wrote no instruction for the document");
  SynthSample sample;
  sample.messages = {{"user", instruction}, {"assistant", body}};
  sample.segments = {{.message_index = 0, .byte_begin = 0, .byte_end = static_cast<std::int64_t>(instruction.size()), .kind = "instruction"}};
  for (SampleSegment& g : reply.segments()) sample.segments.push_back(std::move(g));
  if (const std::int64_t n = synth_.count_tokens(sample.messages); n > target_ || n < target_ * 3 / 4)
    throw SampleShortfall(fmt::format("the written instruction and the documents take {} tokens for a target of {}", n, target_));
  return finish(std::move(sample), {{"instruction", instruction}, {"documents", documents}});
}

}  // namespace

SynthSample make_bootstrap_sample(Synthesizer& synth, std::int64_t index) {
  Workflow workflow(synth, index);
  try {
    return synth.config().bootstrap.variant == SynthBootstrap::Variant::MultiDocument ? workflow.multi_document()
                                                                                       : workflow.long_output();
  } catch (const SampleShortfall& e) {
    throw SampleShortfall(e.what(), workflow.steps_json());  // what the model wrote up to the failure
  }
}

}  // namespace rw::core
