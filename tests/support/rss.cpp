// Reads /proc/self/statm (resident pages) and /proc/self/status (Threads).
#include "support/rss.hpp"

#include <unistd.h>

#include <fstream>
#include <string>

namespace cafmq::test {

size_t resident_bytes() {
  std::ifstream in{"/proc/self/statm"};
  size_t size_pages = 0;
  size_t resident_pages = 0;
  if (!(in >> size_pages >> resident_pages))
    return 0;
  return resident_pages * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

size_t thread_count() {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("Threads:", 0) == 0)
      return std::stoul(line.substr(8));
  return 0;
}

} // namespace cafmq::test
