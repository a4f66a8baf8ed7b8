#include "failure_watch.hpp"

#include <cctype>

namespace cafmq::cli {

namespace {

/// Events of one connection: their cause is the most precise there is.
bool connection_event(const monitor_event& e) {
  return e.kind == event_kind::handshake_failed || e.kind == event_kind::heartbeat_timeout;
}

/// "gave up after N retries" in the connector's reason, as the count.
std::string retries_in(const std::string& reason) {
  const std::string marker = "gave up after ";
  auto pos = reason.find(marker);
  if (pos == std::string::npos)
    return {};
  std::string n;
  for (size_t i = pos + marker.size(); i < reason.size() && std::isdigit(static_cast<unsigned char>(reason[i])); ++i)
    n.push_back(reason[i]);
  return n;
}

/// The reason without the "handshake failed: " the session puts first.
std::string bare_reason(const std::string& reason) {
  const std::string prefix = "handshake failed: ";
  return reason.rfind(prefix, 0) == 0 ? reason.substr(prefix.size()) : reason;
}

} // namespace

std::string describe_failure(const monitor_event& e, bool curve_client) {
  // A peer that leaves after a working connection is how sessions end, not a failure (a
  // connector says it again with connect_retried if it cannot come back).
  if (e.kind == event_kind::disconnected)
    return {};
  // A CURVE server that cannot open our HELLO (encrypted for another key) closes without a word
  // (RFC 26, libzmq, cafmq): a close in the middle of our CURVE handshake means just that.
  if (curve_client && e.kind == event_kind::handshake_failed && e.reason_code == event_reason::io
      && e.mechanism == "CURVE")
    return "authentication failed (CURVE: server key does not match: the server closed the "
           "connection during the handshake) ("
           + e.endpoint + ")";
  switch (e.reason_code) {
    case event_reason::none:
    case event_reason::local:
      return {};
    case event_reason::refused:
      return "connection refused (" + e.endpoint + ")";
    case event_reason::auth:
      return "authentication failed (" + bare_reason(e.reason) + ") (" + e.endpoint + ")";
    case event_reason::gave_up: {
      auto n = retries_in(e.reason);
      return "gave up after " + (n.empty() ? std::string("the allowed") : n)
             + " attempts to reconnect (--reconnect-max-attempts) to " + e.endpoint;
    }
    default:
      return bare_reason(e.reason) + " (" + e.endpoint + ")";
  }
}

failure_watch::failure_watch(socket& sock, const cli_args& args)
    : sock_(sock), state_(std::make_shared<state>()) {
  state_->curve_client = !args.options.curve_serverkey.empty();
  state_->endpoints = args.endpoints.size();
  callback_id_ = sock.add_event_callback([s = state_](const monitor_event& e) { s->on_event(e); });
}

failure_watch::~failure_watch() {
  try {
    sock_.remove_event_callback(callback_id_);
  } catch (...) {
    // A closed socket calls no callback any more: nothing to remove.
  }
}

void failure_watch::state::on_event(const monitor_event& e) {
  std::lock_guard<std::mutex> lock{mtx};
  if (e.kind == event_kind::closed) {
    ++closed_seen;
    closed_cv.notify_all();
  }
  if (e.kind == event_kind::handshake_succeeded) {
    cause.clear();
    from_connection = false;
    return;
  }
  // The connector's connect_retried after a failed connection repeats its cause in less detail.
  if (e.kind == event_kind::connect_retried && from_connection) {
    from_connection = false;
    return;
  }
  // A connector that stops after a failure (a protocol error is permanent) only says what the
  // failure caused; giving up is named, with the failure that preceded it.
  if (e.kind == event_kind::closed && !cause.empty() && e.reason_code != event_reason::gave_up)
    return;
  auto text = describe_failure(e, curve_client);
  if (text.empty())
    return;
  if (e.reason_code == event_reason::gave_up && !cause.empty())
    text += "; the last attempt: " + cause;  // why the attempts failed
  cause = std::move(text);
  from_connection = connection_event(e);
}

std::string failure_watch::root_cause() const {
  std::lock_guard<std::mutex> lock{state_->mtx};
  return state_->cause;
}

std::string failure_watch::root_cause_after_close(std::chrono::milliseconds wait) const {
  std::unique_lock<std::mutex> lock{state_->mtx};
  state_->closed_cv.wait_for(lock, wait,
                             [this] { return state_->closed_seen >= state_->endpoints; });
  return state_->cause;
}

std::string failure_watch::explain(const std::string& what) const {
  return with_cause(root_cause(), what);
}

std::string with_cause(const std::string& cause, const std::string& what) {
  return cause.empty() ? what : cause + ": " + what;
}

} // namespace cafmq::cli
