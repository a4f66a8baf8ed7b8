// ROUTER identities (RFC 28 ROUTER, libzmq ZMQ_ROUTER): which pipe answers to which routing id,
// and a fair-queued receive that puts the sender's id in front of each message.
//
// A pipe's id is the peer's Identity or the connect routing id (pipe->routing_id), else a
// generated one: 0x00 followed by a 32-bit big-endian counter (ids starting with 0x00 are
// reserved for these). A taken id refuses the newcomer, or with handover re-keys the old holder
// to a generated id and closes it. A detached pipe no longer routes: its id is free again, and it
// stays only until what it delivered has been read.
#pragma once

#include "runtime/core/message.hpp"
#include "runtime/core/pipe.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cafmq::patterns {

/// Routing ids of a ROUTER's peers.
class router_table {
public:
  /// What attach() did with a pipe.
  enum class admission {
    accepted,     ///< the pipe has its id
    refused,      ///< the id was taken (no handover): the pipe was closed and forgotten
    handed_over,  ///< the id was taken (handover): the old holder was closed, this pipe has it
  };

  /// `handover`: ZMQ_ROUTER_HANDOVER; `first_generated`: the counter of the first generated id.
  explicit router_table(bool handover, uint32_t first_generated = 0)
    : handover_(handover), next_generated_(first_generated) {}
  /// Changes ZMQ_ROUTER_HANDOVER for the peers that arrive from now on.
  void set_handover(bool handover) noexcept { handover_ = handover; }

  /// Adds a peer under its routing id (see the file comment).
  admission attach(pipe_ptr p);
  /// The live pipe routed by `id`, or nullptr (unknown, or its peer is gone).
  const pipe_ptr* find(std::string_view id) const;
  /// The id a pipe is known by ("" if not in the table).
  std::string id_of(const pipe& p) const;

  /// Takes the next message in fair order with the sender's id frame in front; false if none.
  bool try_recv(message& out);
  /// Announces the reader will sleep; false if a message is already there.
  bool prepare_wait();

  /// Every pipe held.
  std::vector<pipe_ptr> pipes() const;
  /// Number of pipes held (routable or draining).
  size_t size() const noexcept { return entries_.size(); }
  /// The pipe the last successful try_recv took from; valid until the next call.
  const pipe* last_from() const noexcept { return last_from_; }

private:
  struct entry {
    pipe_ptr pipe;
    frame id;  // kept as a frame: receiving copies it, never rebuilds it
  };
  std::string generate_id();
  void rekey(entry& e, std::string id);
  void drop_finished();

  bool handover_;
  uint32_t next_generated_;
  std::vector<entry> entries_;                       // receive order
  const pipe* last_from_ = nullptr;                  // where try_recv took the last message
  std::map<std::string, pipe_ptr, std::less<>> by_id_;  // routable ids (string_view lookups)
  size_t next_ = 0;
  message scratch_;
};

} // namespace cafmq::patterns
