// Change detection for the files access rules read: a stamp (inode, size, modification time in
// nanoseconds) that differs whenever a file is rewritten, replaced or removed. A directory's stamp
// covers each of its files, so adding, removing or editing a certificate changes it.
#pragma once

#include <string>

namespace cafmq::security {

/// A stamp, or the reason none could be taken (e.g. "No such file or directory").
struct stamp_result {
  bool ok = false;
  std::string stamp;  ///< when ok: compare with an earlier stamp
  std::string error;  ///< when not ok
};

/// The stamp of the file `path`.
stamp_result stamp_file(const std::string& path);
/// The stamp of directory `path` and every entry in it (names sorted).
stamp_result stamp_directory(const std::string& path);

} // namespace cafmq::security
