#include "json_line.hpp"

#include <cmath>

namespace bench {

namespace {

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20)
      out += c;  // control characters are dropped: names and labels never hold any
  }
  return out + '"';
}

std::string number_text(double v) {
  if (!std::isfinite(v))
    return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

} // namespace

json_line::json_line(const char* bench) : text_("{") {
  field("bench", bench);
}

void json_line::key(const char* name) {
  if (text_.size() > 1)
    text_ += ',';
  text_ += quoted(name) + ':';
}

json_line& json_line::field(const char* name, const std::string& text) {
  key(name);
  text_ += quoted(text);
  return *this;
}

json_line& json_line::field(const char* name, const char* text) {
  return field(name, std::string(text));
}

json_line& json_line::field(const char* name, double number) {
  key(name);
  text_ += number_text(number);
  return *this;
}

json_line& json_line::field(const char* name, size_t number) {
  key(name);
  text_ += std::to_string(number);
  return *this;
}

json_line& json_line::field(const char* name, int number) {
  key(name);
  text_ += std::to_string(number);
  return *this;
}

json_line& json_line::field(const char* name, bool flag) {
  key(name);
  text_ += flag ? "true" : "false";
  return *this;
}

json_line& json_line::field(const char* name, const std::vector<double>& numbers) {
  key(name);
  text_ += '[';
  for (size_t i = 0; i < numbers.size(); ++i) {
    if (i > 0)
      text_ += ',';
    text_ += number_text(numbers[i]);
  }
  text_ += ']';
  return *this;
}

void json_line::print() const {
  std::fputs((text_ + "}\n").c_str(), stdout);
  std::fflush(stdout);
}

FILE* human_output(bool json) {
  return json ? stderr : stdout;
}

} // namespace bench
