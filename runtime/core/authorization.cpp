#include "runtime/core/authorization.hpp"

namespace cafmq {

authorization& authorization::allow_identity(std::string identity) {
  identities_.insert(std::move(identity));
  return *this;
}

authorization& authorization::allow_topic(std::string identity, std::string topic) {
  topics_[std::move(identity)].push_back(std::move(topic));
  return *this;
}

authorization& authorization::restrict_unlisted_subscribers() {
  restrict_unlisted_ = true;
  return *this;
}

bool authorization::may_connect(const std::string& identity) const {
  return identities_.empty() || identities_.count(identity) > 0;
}

bool authorization::may_subscribe(const std::string& identity, std::string_view prefix) const {
  auto it = topics_.find(identity);
  if (it == topics_.end())
    return !restrict_unlisted_;
  for (auto& topic : it->second)  // the subscription must be at least as narrow as a topic
    if (prefix.substr(0, topic.size()) == topic)
      return true;
  return false;
}

} // namespace cafmq
