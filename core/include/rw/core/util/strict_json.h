// Strict reading of hand-edited JSON settings files (project.ropewalk.json, run configs): duplicate keys
// refused, unknown keys reported with a "did you mean", wrong types naming what was expected and what was
// written, and every message prefixed by the source file and the JSON path (`stages[1].rope.theta`).
// It pulls in nlohmann/json (a private dependency of rw_core): include it only from .cpp files of parsers and
// tests, never from another header.
#pragma once
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rw/core/util/error.h"

namespace rw::core::strict_json {

using json = nlohmann::json;

/// "parent.key", or "key" at the root.
std::string join_path(const std::string& parent, std::string_view key);

/// The candidate closest to `word` by edit distance when it is close enough to be a likely typo.
std::optional<std::string_view> closest_match(std::string_view word, std::span<const std::string_view> candidates);
/// " (did you mean \"x\"?)" or "".
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

/// "a, b, c".
std::string join_names(std::span<const std::string_view> names);

/// "a string (\"x\")", "a number (1.5)", "null": what the user wrote, for wrong-type errors.
std::string describe(const json& value);

/// A "device" setting: auto, cpu, cuda or cuda:N (N up to three digits).
bool is_valid_device(std::string_view device);

/// Parses `text`, refusing malformed JSON, duplicate keys (nlohmann would silently keep the last one)
/// with their JSON path, and a root that is not an object.
json parse_strict(std::string_view text, std::string_view source);

/// While alive, collects on its own thread the keys every object admits: one (path, key) pair per key of each
/// ObjectReader::refuse_unknown_keys call, list indices written as "[]" (`stages[].rope.scaling`; "" is the
/// root). The config-docs test holds docs/*.md to the parsers with it. With none installed a check costs one
/// thread-local read; recorders nest, the innermost collecting until it ends.
class KeyRecorder {
 public:
  using Key = std::pair<std::string, std::string>;  ///< (object path, key)

  KeyRecorder();
  ~KeyRecorder();
  KeyRecorder(const KeyRecorder&) = delete;
  KeyRecorder& operator=(const KeyRecorder&) = delete;

  const std::set<Key>& keys() const { return keys_; }

 private:
  friend class ObjectReader;
  void record(std::string_view path, std::span<const std::string_view> known);

  KeyRecorder* outer_;
  std::set<Key> keys_;
};

/// One JSON object being read: typed getters that name the file and key path, and a check that the
/// object holds only known keys (run first, so a typo is reported as a typo, not as a missing key).
/// Getters leave `out` untouched when the key is missing. The JSON and `source` must outlive the reader.
class ObjectReader {
 public:
  ObjectReader(const json& object, std::string path, std::string_view source)
      : object_(object), path_(std::move(path)), source_(source) {}

  void refuse_unknown_keys(std::initializer_list<std::string_view> known) const;
  void refuse_unknown_keys(std::span<const std::string_view> known) const;

  const std::string& path() const { return path_; }
  std::string_view source() const { return source_; }
  /// The path of `key` in this object; "" names the object itself.
  std::string path_of(std::string_view key) const { return key.empty() ? path_ : join_path(path_, key); }
  const json* find(std::string_view key) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }

  void read(std::string_view key, std::string& out) const;
  void read(std::string_view key, std::int64_t& out) const;
  void read(std::string_view key, double& out) const;  // integers are accepted too
  void read(std::string_view key, bool& out) const;
  void read(std::string_view key, std::vector<std::string>& out) const;
  /// The file's "format" version (1 when missing): a version newer than `latest` is refused as written by a
  /// newer Ropewalk, one below 1 as out of range.
  int read_format(int latest) const;

  /// The value at `key`, or nothing when the key is missing.
  template <typename T>
  std::optional<T> optional(std::string_view key) const {
    if (!has(key)) return std::nullopt;
    T value{};
    read(key, value);
    return value;
  }
  /// The value at `key`; "missing required key" when absent.
  template <typename T>
  T required(std::string_view key) const {
    if (!has(key)) missing(key);
    T value{};
    read(key, value);
    return value;
  }

  /// A string naming one of the `table` entries (except the values in `except`), mapped to its value; the
  /// error lists the names.
  template <typename E, size_t N>
  void read_choice(std::string_view key, E& out, const std::pair<std::string_view, E> (&table)[N],
                   std::initializer_list<E> except = {}) const {
    const json* v = find(key);
    if (!v) return;
    std::vector<std::string_view> names;
    for (const auto& entry : table) {
      if (std::find(except.begin(), except.end(), entry.second) != except.end()) continue;
      if (v->is_string() && v->get_ref<const std::string&>() == entry.first) {
        out = entry.second;
        return;
      }
      names.push_back(entry.first);
    }
    if (!v->is_string()) wrong_type(key, "one of " + join_names(names), *v);
    refuse_choice(key, v->get_ref<const std::string&>(), names);
  }

  /// The nested object at `key` (an empty one when the key is missing).
  ObjectReader object(std::string_view key) const;
  /// The objects of the array at `key`, each with the path `key[i]` (none when the key is missing).
  std::vector<ObjectReader> objects(std::string_view key) const;

  /// Throws `<source>: "<path.key>" <message>` unless `ok`.
  template <typename... Args>
  void check(bool ok, std::string_view key, fmt::format_string<Args...> format, Args&&... args) const {
    if (!ok) fail_at(key, fmt::format(format, std::forward<Args>(args)...));
  }
  [[noreturn]] void fail_at(std::string_view key, const std::string& message) const;
  [[noreturn]] void missing(std::string_view key) const;
  [[noreturn]] void wrong_type(std::string_view key, std::string_view expected, const json& got) const;
  [[noreturn]] void refuse_choice(std::string_view key, std::string_view got,
                                  std::span<const std::string_view> choices) const;
  /// Throws Error(message) with the file, JSON path and key as its context (worker protocol error events).
  [[noreturn]] void raise(std::string_view key, std::string_view path, const std::string& message) const;

 private:
  const json& object_;
  std::string path_;
  std::string_view source_;
};

}  // namespace rw::core::strict_json
