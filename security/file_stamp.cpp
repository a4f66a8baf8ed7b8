// stat(2) based stamps: one stat per file, no reading, so checking is cheap enough to do on
// an authentication request.
#include "security/file_stamp.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <sys/stat.h>
#include <vector>

namespace cafmq::security {

namespace {

std::string stamp_of(const struct stat& st) {
  return std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":"
         + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

stamp_result failed(const std::string& path) {
  return {false, {}, path + ": " + std::strerror(errno)};
}

} // namespace

stamp_result stamp_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return failed(path);
  return {true, stamp_of(st), {}};
}

stamp_result stamp_directory(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return failed(path);
  if (!S_ISDIR(st.st_mode))
    return {false, {}, path + ": not a directory"};
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr)
    return failed(path);
  std::vector<std::string> names;
  errno = 0;
  while (auto* e = ::readdir(dir))
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
      names.emplace_back(e->d_name);
  bool read_error = errno != 0;
  ::closedir(dir);
  if (read_error)
    return failed(path);
  std::sort(names.begin(), names.end());
  std::string stamp = stamp_of(st);
  for (auto& name : names) {
    struct stat entry {};
    stamp += "|" + name + "=";
    std::string full = path;
    full += '/';
    full += name;
    if (::stat(full.c_str(), &entry) == 0)
      stamp += stamp_of(entry);  // an entry gone since readdir just changes the stamp
  }
  return {true, std::move(stamp), {}};
}

} // namespace cafmq::security
