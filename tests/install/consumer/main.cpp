// An installed cafmq's smoke test (scripts/test-install.sh): a PUSH/PULL round trip over TCP
// loopback with a deadline, and headers that match the library they run against.
// Exit 0 and "consumer: OK ..." on success, 1 and the reason on stderr otherwise.
#include <cafmq/cafmq.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

namespace {

int fail(const std::string& why) {
  std::fprintf(stderr, "consumer: FAIL: %s\n", why.c_str());
  return 1;
}

} // namespace

int main() try {
  using namespace std::chrono_literals;
  const cafmq::version_info lib = cafmq::version();
  if (lib.major != CAFMQ_VERSION_MAJOR || lib.minor != CAFMQ_VERSION_MINOR
      || lib.patch != CAFMQ_VERSION_PATCH || std::strcmp(lib.text, CAFMQ_VERSION) != 0)
    return fail(std::string("headers are ") + CAFMQ_VERSION + ", library is " + lib.text);

  cafmq::context ctx;
  cafmq::socket_options opts;
  opts.linger_ms = 0;
  cafmq::socket pull{ctx, cafmq::socket_type::pull, opts};
  pull.bind("tcp://127.0.0.1:*");
  cafmq::socket push{ctx, cafmq::socket_type::push, opts};
  push.connect(pull.last_endpoint());

  const cafmq::message sent{"hello", "installed cafmq"};
  if (!push.send(sent, 5s))
    return fail("send did not complete within 5 s");
  auto got = pull.recv(5s);
  if (!got)
    return fail("no message within 5 s on " + pull.last_endpoint());
  if (!(*got == sent))
    return fail("received a different message: " + std::to_string(got->size()) + " frames");
  std::printf("consumer: OK: cafmq %s round trip over %s (%zu frames, '%s' '%s')\n", lib.text,
              pull.last_endpoint().c_str(), got->size(), (*got)[0].to_string().c_str(),
              (*got)[1].to_string().c_str());
  return 0;
} catch (const std::exception& e) {
  return fail(e.what());
}
