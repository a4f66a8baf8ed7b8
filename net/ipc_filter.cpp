// ipc peer-credential filters (see net/ipc_filter.hpp).
#include "net/ipc_filter.hpp"

#include <grp.h>
#include <pwd.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace cafmq::net {

namespace {

template <typename T, typename U>
bool listed(const std::vector<T>& filter, U value) {
  return std::find(filter.begin(), filter.end(), static_cast<T>(value)) != filter.end();
}

// True if the user `uid` is a member (supplementary) of one of the groups in `gids`.
bool member_of_any(uint32_t uid, const std::vector<uint32_t>& gids) {
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* pw_found = nullptr;
  if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &pw_found) != 0 || !pw_found)
    return false;
  std::string name = pw.pw_name;
  std::vector<char> gbuf(65536);
  for (auto gid : gids) {
    group gr{};
    group* gr_found = nullptr;
    if (::getgrgid_r(gid, &gr, gbuf.data(), gbuf.size(), &gr_found) != 0 || !gr_found)
      continue;
    for (char** m = gr.gr_mem; m && *m; ++m)
      if (name == *m)
        return true;
  }
  return false;
}

} // namespace

std::optional<std::string> ipc_filter_refusal(const stream& s, const socket_options& o) {
  if (o.ipc_filter_uid.empty() && o.ipc_filter_gid.empty() && o.ipc_filter_pid.empty())
    return std::nullopt;
  auto peer = peer_process(s);
  if (!peer) {
    if (remote_name(s).rfind("ipc://", 0) != 0)
      return std::nullopt;  // the filters are for ipc peers only
    return "the kernel gave no credentials for the peer (SO_PEERCRED failed); ipc filters are set";
  }
  if (listed(o.ipc_filter_uid, peer->uid) || listed(o.ipc_filter_gid, peer->gid)
      || listed(o.ipc_filter_pid, peer->pid))
    return std::nullopt;
  if (!o.ipc_filter_gid.empty() && member_of_any(peer->uid, o.ipc_filter_gid))
    return std::nullopt;
  return "ipc peer uid " + std::to_string(peer->uid) + " gid " + std::to_string(peer->gid)
         + " pid " + std::to_string(peer->pid)
         + " matches no ipc_filter_uid, ipc_filter_gid or ipc_filter_pid";
}

} // namespace cafmq::net
