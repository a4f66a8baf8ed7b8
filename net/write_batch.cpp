// Batch assembly: consecutive arena bytes merge into one piece.
#include "net/write_batch.hpp"

#include <algorithm>
#include <cstring>

namespace cafmq::net {

uint8_t* write_batch::reserve(size_t n) {
  if (used_ + n > capacity_) {
    size_t cap = std::max(capacity_ * 2, used_ + n);
    std::unique_ptr<uint8_t[]> bigger{new uint8_t[cap]};
    std::memcpy(bigger.get(), arena_.get(), used_);
    arena_ = std::move(bigger);
    capacity_ = cap;
  }
  return arena_.get() + used_;
}

void write_batch::commit_arena(size_t size) {
  used_ += size;
  if (!segments_.empty() && segments_.back().held < 0)
    segments_.back().size += size;
  else
    segments_.push_back({-1, size});
  total_ += size;
}

void write_batch::append_arena(const uint8_t* data, size_t size) {
  std::memcpy(reserve(size), data, size);
  commit_arena(size);
}

void write_batch::add_frame(const frame& f, uint8_t flags) {
  size_t n = f.size();
  if (f.is_inline()) {
    // The hottest path: a fixed-size copy of the whole inline buffer compiles to two vector moves
    // (a variable-size one to `rep movs`); the bytes past `n` are overwritten by what follows.
    uint8_t* at = reserve(max_frame_header + frame::inline_bytes);
    size_t h = write_frame_header(at, flags, n);
    std::memcpy(at + h, f.data(), frame::inline_bytes);
    commit_arena(h + n);
    return;
  }
  if (n <= copy_limit) {  // header and body in one append
    uint8_t* at = reserve(max_frame_header + n);
    size_t h = write_frame_header(at, flags, n);
    std::memcpy(at + h, f.data(), n);
    commit_arena(h + n);
    return;
  }
  uint8_t header[max_frame_header] = {};  // cppcheck cannot see write_frame_header fill it
  append_arena(header, write_frame_header(header, flags, n));
  held_.push_back(f);
  segments_.push_back({static_cast<long>(held_.size() - 1), n});
  total_ += n;
}

void write_batch::add_message(const message& m) {
  for (size_t i = 0; i < m.size(); ++i)
    add_frame(m[i], i + 1 < m.size() ? flag::more : uint8_t{0});
}

void write_batch::add_command(const bytes& body) {
  uint8_t header[max_frame_header] = {};  // cppcheck cannot see write_frame_header fill it
  append_arena(header, write_frame_header(header, flag::command, body.size()));
  append_arena(body.data(), body.size());
}

void write_batch::add_wrapped(frame_cipher& cipher, uint8_t inner_flags, const uint8_t* data,
                              size_t size) {
  size_t body = cipher.encoded_size(size);
  uint8_t* at = reserve(max_frame_header + body);
  size_t h = write_frame_header(at, 0, body);
  cipher.encode_into(at + h, inner_flags, data, size);
  commit_arena(h + body);
}

void write_batch::add_message(const message& m, frame_cipher& cipher) {
  for (size_t i = 0; i < m.size(); ++i)
    add_wrapped(cipher, i + 1 < m.size() ? flag::more : uint8_t{0}, m[i].data(), m[i].size());
}

void write_batch::add_command(const bytes& body, frame_cipher& cipher) {
  add_wrapped(cipher, 0x02, body.data(), body.size());  // libzmq's COMMAND flag inside MESSAGE
}

void write_batch::add_raw(const uint8_t* data, size_t size) {
  append_arena(data, size);
}

void write_batch::add_raw_frame(const frame& f) {
  if (f.empty())
    return;
  if (f.size() <= copy_limit) {
    append_arena(f.data(), f.size());
    return;
  }
  held_.push_back(f);
  segments_.push_back({static_cast<long>(held_.size() - 1), f.size()});
  total_ += f.size();
}

} // namespace cafmq::net
