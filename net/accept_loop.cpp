// The accept loop's non-template parts: the texts of what it reports and logs.
#include "net/accept_loop.hpp"

namespace cafmq::net {

boost::asio::io_context& context_of(io_loop& loop) noexcept {
  return *static_cast<boost::asio::io_context*>(loop.native());
}

connection_end accept_failure(const std::string& where, const boost::system::error_code& ec,
                              const accept_pacing::decision& d) {
  auto end = os_end(os_error(ec), "accept on " + where + " failed");
  if (d.pause.count() > 0)
    end.detail += "; accepting paused until a connection closes, or for at most "
                  + std::to_string(d.pause.count()) + " ms (then up to "
                  + std::to_string(accept_pacing::longest_pause.count()) + " ms between attempts)";
  return end;
}

void log_accept_resumed(const std::string& where, const accept_pacing::episode& e) {
  if (e.failures == 0)
    return;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(e.lasted).count();
  log::write_limited(log::level::info, "listener", "accept resumed on " + where,
                     "accept on " + where + " works again after " + std::to_string(e.failures)
                       + " failed attempts in " + std::to_string(ms) + " ms");
}

} // namespace cafmq::net
