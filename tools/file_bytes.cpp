#include "file_bytes.hpp"

#include "runtime/core/error.hpp"

#include <cerrno>
#include <cstring>
#include <memory>

namespace cafmq::cli {

std::string read_all(std::FILE* in, const std::string& what, size_t max_bytes) {
  std::string bytes;
  char buf[65536];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, in)) > 0) {
    if (n > max_bytes - bytes.size())
      throw error{errc::invalid_argument,
                  what + ": larger than " + std::to_string(max_bytes) + " bytes"};
    bytes.append(buf, n);
  }
  if (std::ferror(in) != 0)
    throw error{errc::invalid_argument, what + ": cannot read: " + std::strerror(errno)};
  return bytes;
}

std::string read_file(const std::string& who, const std::string& path, size_t max_bytes) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file{std::fopen(path.c_str(), "rb"), &std::fclose};
  if (!file)
    throw error{errc::invalid_argument,
                who + ": cannot open '" + path + "': " + std::strerror(errno)};
  return read_all(file.get(), who + ": '" + path + "'", max_bytes);
}

} // namespace cafmq::cli
