// The machine-readable output of the benchmarks' --json mode: one JSON object per line, built
// field by field, so that a report script reads figures without parsing the human text.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

namespace bench {

class json_line {
public:
  /// Starts an object whose "bench" field is `bench`.
  explicit json_line(const char* bench);

  json_line& field(const char* key, const std::string& text);
  json_line& field(const char* key, const char* text);
  /// A non-finite number is written as null (JSON has no NaN).
  json_line& field(const char* key, double number);
  json_line& field(const char* key, size_t number);
  json_line& field(const char* key, int number);
  json_line& field(const char* key, bool flag);
  json_line& field(const char* key, const std::vector<double>& numbers);

  /// Writes the object and a newline to stdout and flushes, so a reader sees each figure as soon
  /// as it is measured.
  void print() const;

private:
  void key(const char* name);
  std::string text_;
};

/// Where the human-readable report goes: stdout, or stderr when --json takes stdout.
FILE* human_output(bool json);

} // namespace bench
