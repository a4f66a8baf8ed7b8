#include "output_format.hpp"

#include "binary_text.hpp"
#include "json_frames.hpp"

namespace cafmq::cli {

std::optional<output_format> parse_output_format(const std::string& name) {
  if (name == "json")
    return output_format::json;
  if (name == "hex")
    return output_format::hex;
  if (name == "base64")
    return output_format::base64;
  if (name == "raw")
    return output_format::raw;
  return std::nullopt;
}

void append_message(std::string& out, const message& msg, output_format format) {
  switch (format) {
    case output_format::json:
      append_json_message(out, msg);
      out.push_back('\n');
      return;
    case output_format::raw:
      for (size_t i = 0; i < msg.size(); ++i)
        out.append(msg[i].view());
      return;
    case output_format::hex:
    case output_format::base64:
      for (size_t i = 0; i < msg.size(); ++i) {
        if (i > 0)
          out.push_back(' ');
        if (format == output_format::hex)
          append_hex(out, msg[i].view());
        else
          append_base64(out, msg[i].view());
      }
      out.push_back('\n');
      return;
  }
}

} // namespace cafmq::cli
