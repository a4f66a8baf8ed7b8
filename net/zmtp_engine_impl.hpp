// Private to net/: the connection engine behind zmtp_engine. Greeting -> mechanism handshake ->
// data pump. Runs on the I/O thread, with one exception: a direct write. When the user flushes a
// message while the engine sleeps with nothing to write, the user thread writes it to the socket
// itself (write_directly), saving the wake-up of this thread on the latency path; write_mtx_
// guards what both threads then touch. Otherwise the pipe's io_wakers kick it (through the
// loop's kick_queue) when the user side crosses an edge.
//
// Every entry point on the I/O thread (run, completion handlers, timers, kicks, posted closes and
// verdicts) runs inside guarded(): an exception closes this connection with code internal.
//
// One class in three files: zmtp_engine.cpp (lifecycle, handshake, commands, heartbeats,
// closing), zmtp_engine_read.cpp (reading and decoding into the inbound ring) and
// zmtp_engine_write.cpp (outgoing batches and direct writes).
#pragma once

#include "net/frame_codec.hpp"
#include "net/engine_boundary.hpp"
#include "net/greeting.hpp"
#include "net/legacy_greeting.hpp"
#include "net/read_buffer.hpp"
#include "net/write_batch.hpp"
#include "net/zmtp_engine.hpp"
#include "runtime/core/zmtp_command.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <sys/uio.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace cafmq::net {

class zmtp_engine_impl final : public zmtp_engine,
                               public kickable,
                               public std::enable_shared_from_this<zmtp_engine_impl> {
public:
  zmtp_engine_impl(io_loop& loop, stream_ptr s, mechanism_ptr mech, pipe_ptr p,
                   const engine_settings& cfg, std::shared_ptr<engine_observer> obs);
  /// Starts greeting and handshake (on the I/O thread).
  void run() noexcept;
  using zmtp_engine::close;
  void close(connection_end end) override;
  void close_if_handshaking(connection_end end) override;

private:
  enum class phase { greeting, handshake, ready, closed };

  // One read's destination: straight into a large frame's body (whatever is left of it, so a
  // body the kernel hands over in pieces is never finished through rbuf_), with a little of
  // rbuf_ behind it for the next frame's header (so a stream of large frames costs one read
  // each and no copy), or rbuf_ after what it holds.
  struct read_plan {
    std::array<boost::asio::mutable_buffer, 2> into;
    size_t direct = 0;  // body bytes asked for straight into the frame (0: a buffered read)
  };

  void begin();

  // -- reading (zmtp_engine_read.cpp) --
  read_plan plan_read();
  void on_read(const read_plan& plan, size_t n);
  void do_read(bool after_read = false);
  void wait_readable();
  void on_read_error(boost::system::error_code ec);
  void process();
  bool short_path_open() const noexcept;
  void take_short_messages();
  bool must_publish_now();
  static size_t publish_bound(const spsc_ring& ring) noexcept;
  void publish_decoded();
  bool read_greeting();
  bool start_legacy();
  bool take_legacy_identity(uint8_t flags, const frame& body);
  bool deliver();

  // -- handshake and commands (zmtp_engine.cpp) --
  void on_command(const frame& body);
  bool after_mechanism_step(mechanism::status st, const std::vector<bytes>& cmds);
  void ask_authenticator();
  /// The authenticator's verdict; `faulted`: it threw (the server reports `internal`, the client
  /// still gets ERROR 500).
  void on_auth_reply(const auth_reply& reply, bool faulted = false);
  void on_handshake_deadline(int after_ms);
  void arm_deadline(int ms);
  bool unwrap(uint8_t& flags, frame& body);
  bool subscription_allowed(const uint8_t* sub, size_t size);
  void become_ready();
  void on_kick() noexcept override;

  // -- heartbeats, RFC 37 (zmtp_engine.cpp) --
  void start_heartbeats();
  void note_traffic();
  void on_ping(const command_view& cmd);
  void arm_heartbeat(heartbeat::time_point at);
  void on_heartbeat_tick();

  // -- writing (zmtp_engine_write.cpp) --
  void queue_command(const bytes& body);
  void queue_greeting();
  bytes framed_command(const bytes& body);
  void add_command_out(const bytes& body);
  void take_pending_frames();
  void post_kick() { kicks_.kick(shared_from_this()); }
  void do_write();
  void start_write();
  void on_written(boost::system::error_code ec);
  void on_user_flush();
  bool write_directly();
  void keep_unsent(const iovec* iov, size_t count, size_t sent);
  void fill_from_pipe();
  static bool is_subscription(const message& m);
  void add_subscription_command(const message& m);

  // -- closing (zmtp_engine.cpp) --
  void shut(const connection_end& end);
  void close_after_error(const bytes& error_command, connection_end end);
  void on_fault(const char* what) noexcept;
  /// Runs an entry point inside the exception boundary (see engine_boundary.hpp).
  template <class Body>
  void guard(Body&& body) noexcept {
    guarded(std::forward<Body>(body), [this](const char* what) { on_fault(what); });
  }

  boost::asio::io_context& ctx_;
  kick_queue& kicks_;
  stream_ptr stream_;
  mechanism_ptr mech_;
  pipe_ptr pipe_;
  engine_settings cfg_;
  std::shared_ptr<engine_observer> observer_;
  boost::asio::steady_timer timer_;
  boost::asio::steady_timer hb_timer_;  // heartbeats, once ready (ZMTP 3.1 peers only)
  heartbeat hb_;
  bool hb_on_ = false;           // hb_ is used: the peer speaks ZMTP 3.1
  bool hb_armed_ = false;
  heartbeat::time_point hb_armed_for_{};
  std::string peer_name_;
  phase phase_ = phase::greeting;
  uint8_t minor_ = 1;
  std::optional<connection_end> closing_;  // set when an ERROR is queued: close once written
  bool auth_pending_ = false;  // the authenticator has the request; its verdict is awaited
  bool auth_faulted_ = false;  // the authenticator threw: the handshake failure is `internal`

  std::optional<greeting_exchange> greeting_;
  framing legacy_ = framing::zmtp3;  // zmtp2/zmtp1: a legacy peer (no commands, no heartbeats)
  metadata legacy_peer_;             // what a legacy peer's greeting and identity frame said
  frame_decoder decoder_;
  read_buffer rbuf_;  // held while reading: released when drained and empty (see do_read)
  size_t rbeg_ = 0;
  size_t rend_ = 0;
  bool reading_ = false;
  bool paused_ = false;
  bool large_frames_ = false;  // the last data frame was large: expect more of them
  message incoming_;
  uint64_t incoming_bytes_ = 0;  // the bytes of incoming_ (a multipart message in progress)
  size_t read_since_publish_ = 0;  // bytes read since decoded messages were last published
  bool complete_ = false;
  std::string user_id_;  // the peer's authenticated identity, once ready

  // CURVE: wraps and unwraps every frame once ready. Encoding happens under write_mtx_ (a direct
  // write encodes too), decoding on the I/O thread only.
  std::unique_ptr<frame_cipher> cipher_;

  // Guards what a direct write shares with the I/O thread once ready: out_, writing_, the
  // outbound ring's reader side, phase_ becoming closed, and the socket's file descriptor.
  std::mutex write_mtx_;
  write_batch out_;
  std::vector<boost::asio::const_buffer> pieces_;
  std::vector<bytes> pending_frames_;  // commands framed while out_ was being written
  bool writing_ = false;
  int fd_ = -1;
  bool idle_ = true;  // nothing of ours to write since idle_since_ (the outbound ring drained)
  std::chrono::steady_clock::time_point idle_since_{};
};

} // namespace cafmq::net
