// tcp:// as a transport table entry.
#include "net/tcp_transport.hpp"

#include "net/tcp_listener.hpp"

namespace cafmq::net {

const transport tcp_transport{"tcp", &bind_tcp, &dial_tcp};

} // namespace cafmq::net
