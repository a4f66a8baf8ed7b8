// Authorization by authenticated identity (a CURVE client's key in Z85, or the User-Id the
// authenticator vouched for): which identities may connect to a socket, and on PUB/XPUB which
// subscription prefixes each may subscribe to. Immutable once handed to a socket.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cafmq {

/// Per-socket rules by authenticated identity. Empty rules allow everything.
class authorization {
public:
  /// Only identities allowed this way may connect (none allowed: any authenticated identity).
  authorization& allow_identity(std::string identity);
  /// `identity` may subscribe to prefixes that start with `topic` (repeatable); a subscription
  /// outside its topics is refused (the peer gets nothing for it) and counted.
  authorization& allow_topic(std::string identity, std::string topic);
  /// Identities without allow_topic rules may subscribe to nothing (by default: to anything).
  authorization& restrict_unlisted_subscribers();

  /// True if `identity` may connect.
  bool may_connect(const std::string& identity) const;
  /// True if `identity` may subscribe to `prefix`.
  bool may_subscribe(const std::string& identity, std::string_view prefix) const;
  /// True if subscriptions are checked at all (some topic rule exists or unlisted are restricted).
  bool checks_subscriptions() const noexcept { return !topics_.empty() || restrict_unlisted_; }

private:
  std::set<std::string> identities_;
  std::map<std::string, std::vector<std::string>> topics_;
  bool restrict_unlisted_ = false;
};

} // namespace cafmq
