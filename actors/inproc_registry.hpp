// The context's inproc names (docs/transports.md): which socket bound each name, and every
// inproc connect, paired with the binder of its name or waiting for one. Control calls only; the
// messages flow through the pipes the registry pairs, never through it.
#pragma once

#include "runtime/core/monitor_hub.hpp"
#include "runtime/core/options.hpp"
#include "runtime/core/pipe_hub.hpp"
#include "runtime/core/socket_type.hpp"
#include "runtime/core/supervision.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace cafmq::actors {

/// What the registry knows of a socket at the time of one bind or connect.
struct inproc_socket {
  uint64_t id = 0;
  socket_type type = socket_type::pair;
  socket_options options;
  pipe_hub_ptr hub;
  monitor_hub_ptr monitor;
};

/// True for an endpoint of the inproc scheme (parsed or not).
bool is_inproc(const std::string& endpoint) noexcept;

/// One per context. Thread-safe; every call is short and never waits for another socket.
class inproc_registry {
public:
  /// Binds `endpoint` for `s` and pairs the connects waiting for it; returns the canonical
  /// endpoint. Throws errc::invalid_endpoint (bad name), errc::unsupported (STREAM) or
  /// errc::address_in_use naming the endpoint if a socket of this context holds it.
  std::string bind(const inproc_socket& s, const std::string& endpoint);
  /// Connects `s` to `endpoint`, bound or not yet: its pipe exists from here on (libzmq 4.x), and
  /// pairs with the binder once there is one. Throws as bind() for a bad endpoint or STREAM.
  void connect(const inproc_socket& s, const std::string& endpoint, const std::string& routing_id);
  /// Releases the name and ends its links. Throws errc::invalid_endpoint if `socket` does not
  /// hold it.
  void unbind(uint64_t socket, const std::string& endpoint);
  /// Ends the socket's connects to `endpoint`. Throws errc::invalid_endpoint if there is none.
  void disconnect(uint64_t socket, const std::string& endpoint);
  /// The socket closed: its names are released and all its links end.
  void close_socket(uint64_t socket);
  /// The context ends: every link ends.
  void clear();
  /// The socket's inproc listeners and connectors as describe() shows them.
  std::vector<supervision_node> describe(uint64_t socket) const;
  /// True while a socket of this context holds `name` (without the scheme).
  bool bound(const std::string& name) const;

private:
  struct binding {
    std::shared_ptr<const inproc_socket> sock;
    std::string endpoint;
  };
  struct link {
    uint64_t connection_id = 0;
    std::shared_ptr<const inproc_socket> sock;  // the connector
    std::string name;
    std::string endpoint;
    std::string routing_id;  // connect routing id
    pipe_ptr pipe;           // the connector's pipe (owns the rings)
    pipe_ptr mirror;         // the binder's, while paired
    uint64_t binder = 0;     // the binder's socket id, while paired
    std::string refused;     // why the binder refused it (incompatible types), else ""
  };

  void fresh_pipe(link& l, const socket_options* binder);
  void pair(link& l, const binding& b);
  void unpair(link& l, bool connector_stays, const std::string& why);

  mutable std::mutex mtx_;
  std::map<std::string, binding> bound_;  // by name
  std::vector<link> links_;
  uint64_t last_connection_id_ = 0;
};

} // namespace cafmq::actors
