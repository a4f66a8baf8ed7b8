// One steady_timer per armed window: a window arms at most once (its first counted line), so
// timers stay as few as the kinds that are being counted.
#include "net/log_flusher.hpp"

#include "net/io_loop.hpp"
#include "runtime/core/log_limit.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>

namespace cafmq::net {

namespace asio = boost::asio;

log_flusher::log_flusher(io_loop& loop)
  : id_(log::process_limiter().add_scheduler([&loop](log::limiter::clock::time_point due) {
      loop.post([&loop, due] {
        auto* ctx = static_cast<asio::io_context*>(loop.native());
        auto timer = std::make_shared<asio::steady_timer>(*ctx, due);
        timer->async_wait([timer](const boost::system::error_code& ec) {
          if (!ec)
            log::flush_limited();
        });
      });
    })) {}

log_flusher::~log_flusher() {
  log::process_limiter().remove_scheduler(id_);
}

} // namespace cafmq::net
