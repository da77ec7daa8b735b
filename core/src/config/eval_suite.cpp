// EvalSuite strict JSON reading and writing (see eval_suite.h; key meanings are in docs/eval-suite.md).
#include "rw/core/config/eval_suite.h"

#include <algorithm>
#include <set>

#include "rw/core/tasks/eval_grid.h"
#include "rw/core/chat/chat_format.h"
#include "rw/core/util/enum_names.h"
#include "rw/core/util/error.h"
#include "rw/core/util/strict_json.h"

namespace rw::core {
namespace {

using strict_json::json;
using strict_json::ObjectReader;
using ordered_json = nlohmann::ordered_json;

constexpr std::pair<std::string_view, EvalTaskKind> kTasks[] = {{"niah", EvalTaskKind::Niah},
                                                                {"passkey", EvalTaskKind::Passkey},
                                                                {"ruler", EvalTaskKind::Ruler},
                                                                {"ppl", EvalTaskKind::Perplexity}};

std::vector<std::string_view> task_names() {
  std::vector<std::string_view> out;
  for (const auto& t : kTasks) out.push_back(t.first);
  return out;
}

std::vector<std::int64_t> read_int_list(const ObjectReader& in, std::string_view key) {
  const json& v = *in.find(key);
  if (!v.is_array()) in.wrong_type(key, "a list of integers", v);
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string at = std::string(key) + "[" + std::to_string(i) + "]";
    if (!v[i].is_number_integer()) in.wrong_type(at, "an integer", v[i]);
    out.push_back(v[i].get<std::int64_t>());
  }
  return out;
}

std::vector<double> read_number_list(const ObjectReader& in, std::string_view key) {
  const json& v = *in.find(key);
  if (!v.is_array()) in.wrong_type(key, "a list of numbers", v);
  std::vector<double> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string at = std::string(key) + "[" + std::to_string(i) + "]";
    if (!v[i].is_number()) in.wrong_type(at, "a number", v[i]);
    out.push_back(v[i].get<double>());
  }
  return out;
}

std::vector<std::int64_t> read_lengths(const ObjectReader& in, std::string_view key) {
  std::vector<std::int64_t> out;
  if (in.find(key)->is_object()) {
    const ObjectReader r = in.object(key);
    r.refuse_unknown_keys({"min", "max", "count"});
    const auto lo = r.required<std::int64_t>("min"), hi = r.required<std::int64_t>("max");
    const auto n = r.required<std::int64_t>("count");
    r.check(n >= 1 && n <= 10000, "count", "must be within 1..10000, got {}", n);
    r.check(lo >= 1 && hi >= lo, "max", "must be at least min ({}) and min at least 1, got {}", lo, hi);
    out = linspace_rounded(static_cast<double>(lo), static_cast<double>(hi), n);
  } else {
    out = read_int_list(in, key);
  }
  in.check(!out.empty(), key, "must not be empty");
  std::set<std::int64_t> seen;
  for (const std::int64_t l : out) {
    in.check(l >= 1, key, "must hold positive token counts, got {}", l);
    in.check(seen.insert(l).second, key, "holds {} twice", l);
  }
  return out;
}

std::vector<double> read_depths(const ObjectReader& in) {
  std::vector<double> out;
  if (in.find("depths")->is_object()) {
    const ObjectReader r = in.object("depths");
    r.refuse_unknown_keys({"count", "spacing"});
    const auto n = r.required<std::int64_t>("count");
    r.check(n >= 1 && n <= 1000, "count", "must be within 1..1000, got {}", n);
    enum class Spacing { Linear, Sigmoid } spacing = Spacing::Linear;
    static constexpr std::pair<std::string_view, Spacing> kSpacings[] = {{"linear", Spacing::Linear},
                                                                         {"sigmoid", Spacing::Sigmoid}};
    r.read_choice("spacing", spacing, kSpacings);
    out = spacing == Spacing::Linear ? linear_depth_percents(n) : sigmoid_depth_percents(n);
  } else {
    out = read_number_list(in, "depths");
  }
  in.check(!out.empty(), "depths", "must not be empty");
  std::set<double> seen;
  for (const double d : out) {
    in.check(d >= 0 && d <= 100, "depths", "must be percents within 0..100, got {}", d);
    in.check(seen.insert(d).second, "depths", "holds {} twice", d);
  }
  return out;
}

void check_positive(const ObjectReader& in, std::string_view key, std::int64_t v) {
  in.check(v > 0, key, "must be positive, got {}", v);
}

}  // namespace

std::string_view eval_task_name(EvalTaskKind kind) { return name_of(kTasks, kind); }

EvalSuite::EvalSuite() : lengths(linspace_rounded(1000, 16000, 35)), depth_percents(linear_depth_percents(35)) {}

bool EvalSuite::has(EvalTaskKind kind) const { return std::find(tasks.begin(), tasks.end(), kind) != tasks.end(); }

EvalSuite parse_eval_suite(std::string_view json_text, std::string_view source) {
  const json root = strict_json::parse_strict(json_text, source);
  const ObjectReader in(root, "", source);
  in.refuse_unknown_keys({"tasks", "lengths", "depths", "batch_size", "seed", "prompt_format", "haystack", "niah",
                          "passkey", "ruler", "ppl"});
  EvalSuite s;
  if (in.has("tasks")) {
    std::vector<std::string> names;
    in.read("tasks", names);
    in.check(!names.empty(), "tasks", "must name at least one task");
    s.tasks.clear();
    const auto known = task_names();
    for (const std::string& n : names) {
      const std::optional<EvalTaskKind> kind = find_value(kTasks, n);
      if (!kind) in.refuse_choice("tasks", n, known);
      in.check(!s.has(*kind), "tasks", "names \"{}\" twice", n);
      s.tasks.push_back(*kind);
    }
  }
  if (in.has("lengths")) s.lengths = read_lengths(in, "lengths");
  if (in.has("depths")) s.depth_percents = read_depths(in);
  in.read("batch_size", s.batch_size);
  check_positive(in, "batch_size", s.batch_size);
  if (in.has("seed")) {
    const auto seed = in.required<std::int64_t>("seed");
    in.check(seed >= 0, "seed", "must not be negative, got {}", seed);
    s.seed = static_cast<std::uint64_t>(seed);
  }
  if (in.has("prompt_format")) {
    s.prompt_format = in.required<std::string>("prompt_format");
    if (s.prompt_format != "auto" && !find_value(kChatFormatNames, s.prompt_format)) {
      std::vector<std::string_view> choices = {"auto"};
      for (const auto& [name, format] : kChatFormatNames) choices.push_back(name);
      in.refuse_choice("prompt_format", s.prompt_format, choices);
    }
  }
  if (in.has("haystack")) {
    const ObjectReader h = in.object("haystack");
    h.refuse_unknown_keys({"file", "corpus"});
    h.read("file", s.haystack.file);
    h.read("corpus", s.haystack.corpus);
    h.check(s.haystack.file.empty() || s.haystack.corpus.empty(), "", "must hold \"file\" or \"corpus\", not both");
  }
  if (in.has("niah")) {
    const ObjectReader n = in.object("niah");
    n.refuse_unknown_keys(
        {"needle", "question", "keywords", "answer", "buffer_tokens", "snap_to_sentence", "max_new_tokens"});
    n.read("needle", s.niah.needle);
    n.check(!s.niah.needle.empty(), "needle", "must not be empty");
    n.read("question", s.niah.question);
    n.check(!s.niah.question.empty(), "question", "must not be empty");
    n.read("answer", s.niah.answer);
    if (n.has("keywords")) {
      n.read("keywords", s.niah.keywords);
    } else if (n.has("needle") || n.has("answer")) {
      s.niah.keywords.clear();  // the default keywords describe the default needle only
    }
    n.check(!s.niah.keywords.empty() || !s.niah.answer.empty(), "", "needs \"keywords\" or \"answer\" to score with");
    n.read("buffer_tokens", s.niah.buffer_tokens);
    n.check(s.niah.buffer_tokens >= 0, "buffer_tokens", "must not be negative, got {}", s.niah.buffer_tokens);
    n.read("snap_to_sentence", s.niah.snap_to_sentence);
    n.read("max_new_tokens", s.niah.max_new_tokens);
    check_positive(n, "max_new_tokens", s.niah.max_new_tokens);
  }
  if (in.has("passkey")) {
    const ObjectReader p = in.object("passkey");
    p.refuse_unknown_keys({"max_new_tokens"});
    p.read("max_new_tokens", s.passkey.max_new_tokens);
    check_positive(p, "max_new_tokens", s.passkey.max_new_tokens);
  }
  if (in.has("ruler")) {
    const ObjectReader r = in.object("ruler");
    r.refuse_unknown_keys({"tasks"});
    if (r.has("tasks")) {
      std::vector<std::string> names;
      r.read("tasks", names);
      r.check(!names.empty(), "tasks", "must name at least one RULER task");
      std::vector<std::string_view> known;
      for (const RulerTask t : all_ruler_tasks()) known.push_back(ruler_task_name(t));
      s.ruler_tasks.clear();
      for (const std::string& name : names) {
        if (std::find(known.begin(), known.end(), name) == known.end()) r.refuse_choice("tasks", name, known);
        s.ruler_tasks.push_back(ruler_task_from_name(name));
      }
    }
  }
  if (in.has("ppl")) {
    const ObjectReader p = in.object("ppl");
    p.refuse_unknown_keys({"texts", "lengths", "bucket_tokens", "block_rows"});
    p.read("texts", s.ppl.texts);
    if (p.has("lengths")) s.ppl.lengths = read_lengths(p, "lengths");
    p.read("bucket_tokens", s.ppl.bucket_tokens);
    check_positive(p, "bucket_tokens", s.ppl.bucket_tokens);
    p.read("block_rows", s.ppl.block_rows);
    check_positive(p, "block_rows", s.ppl.block_rows);
  }
  if (s.has(EvalTaskKind::Perplexity))
    in.check(!s.ppl.texts.empty(), "ppl", "needs \"texts\" (held-out documents) when \"ppl\" is in tasks");
  return s;
}

std::string eval_suite_to_json(const EvalSuite& s) {
  ordered_json root;
  root["tasks"] = ordered_json::array();
  for (const EvalTaskKind t : s.tasks) root["tasks"].push_back(std::string(eval_task_name(t)));
  root["lengths"] = s.lengths;
  root["depths"] = s.depth_percents;
  root["batch_size"] = s.batch_size;
  root["seed"] = s.seed;
  root["prompt_format"] = s.prompt_format;
  root["haystack"] = ordered_json::object();
  if (!s.haystack.file.empty()) root["haystack"]["file"] = s.haystack.file;
  if (!s.haystack.corpus.empty()) root["haystack"]["corpus"] = s.haystack.corpus;
  root["niah"] = {{"needle", s.niah.needle},
                  {"question", s.niah.question},
                  {"keywords", s.niah.keywords},
                  {"answer", s.niah.answer},
                  {"buffer_tokens", s.niah.buffer_tokens},
                  {"snap_to_sentence", s.niah.snap_to_sentence},
                  {"max_new_tokens", s.niah.max_new_tokens}};
  root["passkey"] = {{"max_new_tokens", s.passkey.max_new_tokens}};
  ordered_json ruler = ordered_json::array();
  for (const RulerTask t : s.ruler_tasks) ruler.push_back(std::string(ruler_task_name(t)));
  root["ruler"] = {{"tasks", ruler}};
  root["ppl"] = {{"texts", s.ppl.texts}, {"bucket_tokens", s.ppl.bucket_tokens}, {"block_rows", s.ppl.block_rows}};
  if (!s.ppl.lengths.empty()) root["ppl"]["lengths"] = s.ppl.lengths;
  return root.dump(2) + "\n";
}

void resolve_suite_paths(EvalSuite& suite, const std::filesystem::path& base) {
  const auto fix = [&](std::string& p) {
    if (!p.empty() && std::filesystem::path(p).is_relative()) p = (base / p).lexically_normal().string();
  };
  fix(suite.haystack.file);
  for (std::string& t : suite.ppl.texts) fix(t);
}

}  // namespace rw::core
