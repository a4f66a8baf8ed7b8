// `cafmq proxy` arguments. A side is "TYPE,EP[,EP...]"; each EP is "bind:ADDR" or "@ADDR" (bind),
// "connect:ADDR" or ">ADDR" (connect), as CZMQ's zsock endpoints. Each side is then parsed by
// the shared parser (parse_args) as a recv command line, so its flags and checks are the same.
#include "proxy_args.hpp"

#include <string_view>

namespace cafmq::cli {
namespace {

// "TYPE,EP,..." (or just "EP,..." for the capture) as words for parse_args.
std::vector<std::string> side_words(std::string_view flag, const std::string& spec, bool with_type) {
  std::vector<std::string> words;
  size_t start = 0;
  bool first = true;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string part = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? spec.size() + 1 : comma + 1;
    if (first && with_type) {
      words.insert(words.end(), {"--type", part});
      first = false;
      continue;
    }
    first = false;
    auto take = [&](std::string_view prefix, const char* as) {
      if (part.rfind(prefix, 0) != 0)
        return false;
      words.insert(words.end(), {as, part.substr(prefix.size())});
      return true;
    };
    if (!take("bind:", "--bind") && !take("@", "--bind") && !take("connect:", "--connect")
        && !take(">", "--connect"))
      throw usage_error{std::string(flag) + ": endpoint '" + part
                        + "' needs bind: or connect: (or @ / >) in front, e.g. bind:tcp://*:5555"};
  }
  if (words.size() <= (with_type ? 2u : 0u))
    throw usage_error{std::string(flag) + ": expected " + (with_type ? "TYPE," : "")
                      + "EP[,EP...] (e.g. router,bind:tcp://*:5555), got '" + spec + "'"};
  return words;
}

cli_args parse_side(std::string_view flag, const std::vector<std::string>& words) {
  try {
    return parse_args(command::recv, words);
  } catch (const usage_error& e) {
    throw usage_error{std::string(flag) + ": " + e.what()};
  }
}

} // namespace

proxy_args parse_proxy_args(const std::vector<std::string>& args) {
  proxy_args p;
  std::optional<std::string> front, back, capture;
  std::vector<std::string> front_flags, back_flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    auto value = [&](std::optional<std::string>& into) {
      if (into)
        throw usage_error{word + " given twice"};
      if (++i == args.size())
        throw usage_error{"missing value for " + word};
      into = args[i];
    };
    if (word == "--help" || word == "-h") {
      p.help = true;
      return p;
    }
    if (word == "--frontend") {
      value(front);
    } else if (word == "--backend") {
      value(back);
    } else if (word == "--capture") {
      value(capture);
    } else if (word == "--events") {
      p.events = true;
    } else if (word.rfind("--frontend-", 0) == 0) {
      front_flags.push_back("--" + word.substr(11));
      if (word.find('=') == std::string::npos && i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0)
        front_flags.push_back(args[++i]);
    } else if (word.rfind("--backend-", 0) == 0) {
      back_flags.push_back("--" + word.substr(10));
      if (word.find('=') == std::string::npos && i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0)
        back_flags.push_back(args[++i]);
    } else {
      throw usage_error{"unknown argument '" + word
                        + "' for proxy (a socket flag goes behind --frontend- or --backend-)"};
    }
  }
  if (!front || !back)
    throw usage_error{"proxy needs --frontend TYPE,EP and --backend TYPE,EP"};
  auto fw = side_words("--frontend", *front, true);
  fw.insert(fw.end(), front_flags.begin(), front_flags.end());
  auto bw = side_words("--backend", *back, true);
  bw.insert(bw.end(), back_flags.begin(), back_flags.end());
  p.frontend = parse_side("--frontend", fw);
  p.backend = parse_side("--backend", bw);
  p.frontend.events = p.backend.events = p.events;
  if (capture) {
    auto cw = side_words("--capture", *capture, false);
    cw.insert(cw.begin(), {"--type", "pub"});
    p.capture = parse_side("--capture", cw);
  }
  return p;
}

} // namespace cafmq::cli
