// A fresh directory under $TMPDIR for one test, removed with everything in it afterwards.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace cafmq::test {

class temp_dir {
public:
  temp_dir() {
    auto pattern = (std::filesystem::temp_directory_path() / "cafmq-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }
  /// The path of `name` inside the directory, as a string.
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  /// Writes `text` to `name` (replacing it) and returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    auto p = file(name);
    std::ofstream out{p, std::ios::binary | std::ios::trunc};
    out << text;
    if (!out.flush())
      throw std::runtime_error("cannot write " + p);
    return p;
  }

private:
  std::filesystem::path path_;
};

} // namespace cafmq::test
