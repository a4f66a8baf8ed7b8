// Command bodies and metadata (runtime/core/zmtp_command): the input is parsed as a command body,
// as metadata properties and as an ERROR command's data. Invariants: whatever parses is rebuilt
// byte for byte by the matching writer (make_command, encode_metadata, make_error_command), and
// every view points inside the input; printable() stays printable and bounded.
#include "fuzz_support.hpp"

using namespace cafmq;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const bytes input(data, data + size);
  const uint8_t* begin = input.data();
  const uint8_t* end = begin + size;

  if (auto cmd = parse_command(begin, size)) {
    auto name = reinterpret_cast<const uint8_t*>(cmd->name.data());
    FUZZ_CHECK(!cmd->name.empty() && name == begin + 1 && cmd->data == name + cmd->name.size());
    FUZZ_CHECK(cmd->data + cmd->size == end);
    FUZZ_CHECK(make_command(cmd->name, cmd->data, cmd->size) == input);
  } else {
    FUZZ_CHECK(size == 0 || data[0] == 0 || data[0] > size - 1);
  }

  metadata md;
  if (!parse_metadata(begin, size, md)) {
    bytes again;
    encode_metadata(md, again);
    FUZZ_CHECK(again == input);
    for (auto& [name, value] : md.properties)
      FUZZ_CHECK(md.find(name).has_value());
  }

  if (auto reason = parse_error_reason(begin, size)) {
    FUZZ_CHECK(size >= 1 && reason->size() == data[0]);
    bytes expected{static_cast<uint8_t>(reason->size())};
    expected.insert(expected.end(), begin + 1, begin + 1 + reason->size());
    FUZZ_CHECK(make_error_command(*reason) == make_command("ERROR", expected.data(), expected.size()));
  } else {
    FUZZ_CHECK(size == 0 || data[0] > size - 1);
  }

  std::string_view text{reinterpret_cast<const char*>(begin), size};
  auto shown = printable(text, 64);
  FUZZ_CHECK(shown.size() <= 4 * 64 + 3);
  for (char c : shown)
    FUZZ_CHECK(c >= 0x20 && c < 0x7F);
  return 0;
}
