// Starting points of a training run (see model_init.h).
#include "rw/core/train/model_init.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <fstream>

#include "rw/core/config/model_summary.h"
#include "rw/core/io/hf_model_dir.h"
#include "rw/core/runtime/dtype.h"
#include "rw/core/runtime/memory_budget.h"
#include "rw/core/store/corpus_store.h"
#include "rw/core/store/project.h"
#include "rw/core/util/error.h"
#include "rw/core/util/files.h"

namespace rw::core {
namespace {

// sentencepiece skips input lines longer than its max_sentence_length (4192 bytes); cut below that.
constexpr size_t kMaxLineBytes = 2048;

void write_lines(std::ofstream& out, std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    while (line.size() > kMaxLineBytes) {
      size_t cut = line.rfind(' ', kMaxLineBytes);
      if (cut == std::string_view::npos || cut == 0) cut = kMaxLineBytes;
      while (cut < line.size() && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) ++cut;  // UTF-8 boundary
      out << line.substr(0, cut) << '\n';
      line.remove_prefix(cut);
    }
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) out << line << '\n';
    start = end + 1;
  }
}

}  // namespace

void init_weights(LlamaForCausalLM& model, std::uint64_t seed, double std) {
  torch::NoGradGuard no_grad;
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  for (auto& item : model->named_parameters()) {
    const std::string& name = item.key();
    at::Tensor& param = item.value();
    if (name.ends_with("norm.weight")) {
      param.fill_(1.0);
    } else if (name.ends_with(".bias")) {
      param.zero_();
    } else {
      // Drawn on the CPU from our own generator, so a seed gives the same weights on every device.
      param.copy_(at::empty(param.sizes(), at::kFloat).normal_(0.0, std, gen));
    }
  }
}

void train_corpus_tokenizer(Database& db, const std::string& corpus, const TokenizerInit& init,
                            const std::filesystem::path& dir, std::uint64_t seed) {
  CorpusStore store(db);
  const auto record = store.require_corpus(corpus, "sentencepiece tokenizer");
  std::filesystem::create_directories(dir);
  const std::filesystem::path text_file = dir / ".training-text.txt";
  {
    std::ofstream out(text_file, std::ios::binary | std::ios::trunc);
    if (!out) fail("{}: cannot write the tokenizer's training text", text_file.string());
    for (std::int64_t after = 0;;) {
      const auto page = store.list_documents(record.id, after, 1000);
      if (page.empty()) break;
      for (const DocumentRecord& d : page) write_lines(out, store.document_text(d.id));
      after = page.back().id;
    }
    if (!out.flush()) fail("{}: cannot write the tokenizer's training text", text_file.string());
  }
  SentencePieceTrainOptions options;
  options.vocab_size = static_cast<int>(init.vocab_size);
  options.model_type = init.model_type;
  options.seed = static_cast<std::uint32_t>(seed);
  try {
    train_sentencepiece({text_file}, dir / "tokenizer", options);
  } catch (const Error& e) {
    std::filesystem::remove(text_file);
    fail("sentencepiece tokenizer on corpus \"{}\": {}", corpus, e.what());
  }
  std::filesystem::remove(text_file);
  std::filesystem::remove(dir / "tokenizer.vocab");
  write_file_atomic(dir / "tokenizer_config.json",
                    std::string(R"({"tokenizer_class": "LlamaTokenizer", "bos_token": "<s>", "eos_token": "</s>", )"
                                R"("unk_token": "<unk>", "add_bos_token": true, "add_eos_token": false, )"
                                R"("legacy": false, "model_max_length": 1000000000})"
                                "\n"));
  write_file_atomic(dir / "special_tokens_map.json",
                    std::string(R"({"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"})"
                                "\n"));
}

std::unique_ptr<Tokenizer> training_tokenizer(const Project& project, const RunConfig& config, Database& db,
                                              const std::filesystem::path& run_dir, std::filesystem::path& dir) {
  const TokenizerInit& init = config.init.tokenizer;
  if (config.init.kind == InitConfig::Kind::Model) {
    dir = project.resolve(config.init.model);
    return load_tokenizer(dir);
  }
  if (init.kind == TokenizerInit::Kind::Model) {
    dir = project.resolve(init.model);
    return load_tokenizer(dir);
  }
  dir = run_dir / "tokenizer";
  if (!std::filesystem::exists(dir / "tokenizer.model")) {
    train_corpus_tokenizer(db, init.from_corpus, init, dir, static_cast<std::uint64_t>(config.seed));
  }
  return load_tokenizer(dir);
}

ModelConfig base_model_config(const Project& project, const RunConfig& config, const Tokenizer* tokenizer) {
  if (config.init.kind == InitConfig::Kind::Model) {
    return read_model_config(project.resolve(config.init.model) / "config.json");
  }
  ModelConfig base = scratch_model_config(config.init.scratch, tokenizer ? tokenizer->vocab_size() : 1);
  if (!tokenizer) return base;
  if (base.vocab_size < tokenizer->vocab_size()) {
    fail("{}: init.scratch.vocab_size {} is smaller than the tokenizer's {} tokens", config.source, base.vocab_size,
         tokenizer->vocab_size());
  }
  if (const auto bos = tokenizer->bos_id()) base.bos_token_id = *bos;
  if (const auto eos = tokenizer->eos_id()) base.eos_token_ids = {*eos};
  return base;
}

TrainingModel init_training_model(const Project& project, const RunConfig& config, Database& db,
                                  const std::filesystem::path& run_dir, at::Device device, at::ScalarType dtype) {
  TrainingModel out;
  out.tokenizer = training_tokenizer(project, config, db, run_dir, out.tokenizer_dir);
  if (config.init.kind == InitConfig::Kind::Model) {
    LoadedModel loaded = load_hf_model(project.resolve(config.init.model), device, dtype);
    check_tokenizer_fits(*out.tokenizer, loaded.config, project.resolve(config.init.model) / "config.json");
    out.base = loaded.config;
    out.model = loaded.model;
    return out;
  }
  out.base = base_model_config(project, config, out.tokenizer.get());
  out.base.dtype = dtype_of(dtype);
  check_model_sizes(out.base, config.source + " (init.scratch)");
  check_model_fits(out.base, config.source + " (init.scratch)");
  out.model = LlamaForCausalLM(out.base);
  init_weights(out.model, static_cast<std::uint64_t>(config.seed));
  out.model->to(device, dtype);
  return out;
}

}  // namespace rw::core
