// A GGUF model file (llama.cpp, Ollama, LM Studio) turned into an HF model folder Ropewalk and
// transformers load: config.json from the metadata, model.safetensors with every tensor dequantized,
// renamed to HF names and with llama.cpp's Q/K row permutation undone, tokenizer.json and
// tokenizer_config.json rebuilt from the vocabulary (gguf_vocabulary.h), generation_config.json, and the
// chat template as chat_template.jinja.
#pragma once
#include <c10/core/ScalarType.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace rw::core {

struct GgufImportReport {
  std::string architecture;  ///< general.architecture
  std::string name;          ///< general.name, when given
  int64_t parameters = 0;
  std::map<std::string, int64_t> tensor_types;  ///< ggml type name -> tensor count
  bool chat_template = false;
  std::vector<std::string> notes;
};

/// Imports `gguf` into the new folder `out_dir` (which must not exist or be empty), storing weights in
/// `dtype` (float32 or bfloat16). The folder is built beside `out_dir` and renamed into place at the end:
/// a failed import leaves nothing. Errors name the file and the field or tensor: unsupported architecture,
/// tokenizer or tensor type, missing or unexpected tensors, shapes that disagree with the metadata.
GgufImportReport import_gguf(const std::filesystem::path& gguf, const std::filesystem::path& out_dir,
                             at::ScalarType dtype = at::kFloat);

}  // namespace rw::core
