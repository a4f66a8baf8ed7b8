// MDP/0.1 (RFC 7) parsing and building: each check names the fault it finds.
#include "patterns/mdp_codec.hpp"

#include "patterns/envelope.hpp"

namespace cafmq::patterns::mdp {

const char* command_name(command c) noexcept {
  switch (c) {
    case command::ready: return "READY";
    case command::request: return "REQUEST";
    case command::reply: return "REPLY";
    case command::heartbeat: return "HEARTBEAT";
    case command::disconnect: return "DISCONNECT";
  }
  return "?";
}

const char* fault_text(fault f) noexcept {
  switch (f) {
    case fault::none: return "valid";
    case fault::too_few_frames: return "too few frames for its protocol or command";
    case fault::missing_delimiter: return "no empty frame where MDP/0.1 puts one";
    case fault::unknown_protocol: return "protocol frame is not MDPC01/MDPW01 as expected";
    case fault::unknown_command: return "command frame is not one byte of 0x01..0x05";
    case fault::wrong_direction: return "a command this side never receives";
    case fault::empty_service: return "empty service name";
    case fault::missing_address: return "REQUEST or REPLY without a client address";
    case fault::unexpected_frames: return "frames after the command's last frame";
  }
  return "?";
}

namespace {

void clear(worker_message& out) {
  out.cmd = command::heartbeat;
  out.service.clear();
  out.client.clear();
  out.body.clear();
}

void clear(client_message& out) {
  out.service.clear();
  out.body.clear();
}

// The command at in[at], then its frames from in[at + 1] (the worker protocol frame is read).
fault parse_command(const message& in, size_t at, worker_message& out) {
  if (at >= in.size())
    return fault::too_few_frames;
  const frame& c = in[at];
  if (c.size() != 1 || c.data()[0] < 0x01 || c.data()[0] > 0x05)
    return fault::unknown_command;
  out.cmd = static_cast<command>(c.data()[0]);
  size_t next = at + 1;
  switch (out.cmd) {
    case command::ready:
      if (next >= in.size())
        return fault::too_few_frames;
      if (in[next].empty())
        return fault::empty_service;
      if (next + 1 != in.size())
        return fault::unexpected_frames;
      out.service = in[next].to_string();
      return fault::none;
    case command::request:
    case command::reply: {
      size_t d = next;
      while (d < in.size() && !in[d].empty())
        ++d;
      if (d == next)
        return d < in.size() ? fault::missing_address : fault::too_few_frames;
      if (d == in.size())
        return fault::missing_delimiter;
      for (size_t i = next; i < d; ++i)
        out.client.add(in[i]);
      append_frames(out.body, in, d + 1);
      return fault::none;
    }
    case command::heartbeat:
    case command::disconnect:
      return next == in.size() ? fault::none : fault::unexpected_frames;
  }
  return fault::unknown_command;
}

// [service] body... from in[at].
fault parse_client_part(const message& in, size_t at, client_message& out) {
  if (at >= in.size())
    return fault::too_few_frames;
  if (in[at].empty())
    return fault::empty_service;
  out.service = in[at].to_string();
  append_frames(out.body, in, at + 1);
  return fault::none;
}

message header(std::string_view protocol) {
  message m;
  m.add(frame{});
  m.add(frame{protocol});
  return m;
}

message addressed(const message& to, std::string_view protocol) {
  message m;
  append_frames(m, to);
  m.add(frame{});
  m.add(frame{protocol});
  return m;
}

frame command_frame(command c) {
  auto byte = static_cast<uint8_t>(c);
  return frame{&byte, 1};
}

} // namespace

fault parse_broker_inbound(const message& in, broker_inbound& out) {
  out.sender.clear();
  out.from_worker = false;
  clear(out.client);
  clear(out.worker);
  size_t d = find_delimiter(in);
  if (d == no_delimiter)
    return fault::missing_delimiter;
  if (d == 0)
    return fault::missing_address;
  if (d + 1 >= in.size())
    return fault::too_few_frames;
  for (size_t i = 0; i < d; ++i)
    out.sender.add(in[i]);
  auto protocol = in[d + 1].view();
  if (protocol == client_protocol)
    return parse_client_part(in, d + 2, out.client);
  if (protocol != worker_protocol)
    return fault::unknown_protocol;
  out.from_worker = true;
  auto f = parse_command(in, d + 2, out.worker);
  if (f == fault::none && out.worker.cmd == command::request)
    return fault::wrong_direction;
  return f;
}

fault parse_worker_inbound(const message& in, worker_message& out) {
  clear(out);
  if (in.size() < 3)
    return fault::too_few_frames;
  if (!in[0].empty())
    return fault::missing_delimiter;
  if (in[1].view() != worker_protocol)
    return fault::unknown_protocol;
  auto f = parse_command(in, 2, out);
  if (f == fault::none && (out.cmd == command::ready || out.cmd == command::reply))
    return fault::wrong_direction;
  return f;
}

fault parse_client_reply(const message& in, bool dealer, client_message& out) {
  clear(out);
  size_t at = 0;
  if (dealer) {
    if (in.empty())
      return fault::too_few_frames;
    if (!in[0].empty())
      return fault::missing_delimiter;
    at = 1;
  }
  if (at >= in.size())
    return fault::too_few_frames;
  if (in[at].view() != client_protocol)
    return fault::unknown_protocol;
  return parse_client_part(in, at + 1, out);
}

message client_request(std::string_view service, const message& body, bool dealer) {
  message m;
  if (dealer)
    m.add(frame{});
  m.add(frame{client_protocol});
  m.add(frame{service});
  append_frames(m, body);
  return m;
}

message worker_ready(std::string_view service) {
  message m = header(worker_protocol);
  m.add(command_frame(command::ready));
  m.add(frame{service});
  return m;
}

message worker_reply(const message& client, const message& body) {
  message m = header(worker_protocol);
  m.add(command_frame(command::reply));
  append_frames(m, client);
  m.add(frame{});
  append_frames(m, body);
  return m;
}

message worker_signal(command c) {
  message m = header(worker_protocol);
  m.add(command_frame(c));
  return m;
}

message broker_request(const message& worker, const message& client, const message& body) {
  message m = addressed(worker, worker_protocol);
  m.add(command_frame(command::request));
  append_frames(m, client);
  m.add(frame{});
  append_frames(m, body);
  return m;
}

message broker_signal(const message& worker, command c) {
  message m = addressed(worker, worker_protocol);
  m.add(command_frame(c));
  return m;
}

message broker_reply(const message& client, std::string_view service, const message& body) {
  message m = addressed(client, client_protocol);
  m.add(frame{service});
  append_frames(m, body);
  return m;
}

} // namespace cafmq::patterns::mdp
