// Byte builders and a tiny frame reader for raw ZMTP peers.
#include "support/zmtp_wire.hpp"

#include "support/deadline.hpp"

#include <stdexcept>

namespace cafmq::test::zmtp {

bytes greeting(const std::string& mechanism, uint8_t major, uint8_t minor, uint8_t as_server) {
  bytes g(64, 0);
  g[0] = 0xFF;
  g[8] = 0x01;
  g[9] = 0x7F;
  g[10] = major;
  g[11] = minor;
  for (size_t i = 0; i < mechanism.size() && i < 20; ++i)
    g[12 + i] = static_cast<uint8_t>(mechanism[i]);
  g[32] = as_server;
  return g;
}

bytes frame_header(uint8_t flags, uint64_t size, bool force_long) {
  bytes h;
  if (size <= 255 && !force_long) {
    h.push_back(flags);
    h.push_back(static_cast<uint8_t>(size));
    return h;
  }
  h.push_back(static_cast<uint8_t>(flags | 0x02));
  for (int i = 7; i >= 0; --i)
    h.push_back(static_cast<uint8_t>(size >> (8 * i)));
  return h;
}

bytes message_frame(const std::string& body, bool more) {
  auto f = frame_header(more ? 0x01 : 0x00, body.size());
  f.insert(f.end(), body.begin(), body.end());
  return f;
}

bytes command(const std::string& name, const bytes& data) {
  bytes body;
  body.push_back(static_cast<uint8_t>(name.size()));
  body.insert(body.end(), name.begin(), name.end());
  body.insert(body.end(), data.begin(), data.end());
  auto f = frame_header(0x04, body.size());
  f.insert(f.end(), body.begin(), body.end());
  return f;
}

bytes ready(const std::vector<std::pair<std::string, std::string>>& properties) {
  bytes md;
  for (auto& [name, value] : properties) {
    md.push_back(static_cast<uint8_t>(name.size()));
    md.insert(md.end(), name.begin(), name.end());
    auto n = static_cast<uint32_t>(value.size());
    for (int i = 3; i >= 0; --i)
      md.push_back(static_cast<uint8_t>(n >> (8 * i)));
    md.insert(md.end(), value.begin(), value.end());
  }
  return command("READY", md);
}

bytes ready_socket_type(const std::string& type) {
  return ready({{"Socket-Type", type}});
}

bytes concat(std::initializer_list<bytes> parts) {
  bytes out;
  for (auto& p : parts)
    out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::string wire_frame::command_name() const {
  if (body.empty() || body.size() < 1u + body[0])
    return {};
  return std::string(body.begin() + 1, body.begin() + 1 + body[0]);
}

bytes wire_frame::command_data() const {
  if (body.empty() || body.size() < 1u + body[0])
    return {};
  return bytes(body.begin() + 1 + body[0], body.end());
}

std::optional<wire_frame> read_frame(raw_client& c, std::chrono::milliseconds timeout) {
  deadline d{timeout};
  auto head = c.read_exact(2, d.remaining());
  if (head.status != read_status::ok)
    return std::nullopt;
  wire_frame f;
  f.flags = head.data[0];
  uint64_t size = head.data[1];
  if (f.flags & 0x02) {
    auto rest = c.read_exact(7, d.remaining());
    if (rest.status != read_status::ok)
      return std::nullopt;
    for (auto b : rest.data)
      size = (size << 8) | b;
  }
  if (size > (64u << 20))
    throw std::runtime_error("read_frame: peer announced an absurd frame size");
  auto body = c.read_exact(static_cast<size_t>(size), d.remaining());
  if (body.status != read_status::ok)
    return std::nullopt;
  f.body = std::move(body.data);
  return f;
}

raw_client handshake_as(const std::string& endpoint, const std::string& type,
                        std::chrono::milliseconds timeout) {
  deadline d{timeout};
  auto c = raw_client::connect(endpoint, d.remaining());
  if (!c.send_all(concat({greeting(), ready_socket_type(type)})))
    throw std::runtime_error("handshake_as: sending greeting and READY failed");
  auto g = c.read_exact(64, d.remaining());
  if (g.status != read_status::ok)
    throw std::runtime_error("handshake_as: no 64-byte greeting from the peer");
  auto r = read_frame(c, d.remaining());
  if (!r || !r->is_command() || r->command_name() != "READY")
    throw std::runtime_error("handshake_as: the peer did not answer with READY");
  return c;
}

} // namespace cafmq::test::zmtp
