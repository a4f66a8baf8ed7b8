// ZMTP frame header writer and incremental decoder (RFC 23 §Framing). Lenient where libzmq is
// (reserved flag bits, MORE on commands), strict on sizes: bit 63 and the limit fail before any
// allocation. Hot path: a whole frame in the input becomes one frame with a single copy.
#include "net/frame_codec.hpp"

#include <cstring>
#include <new>

namespace cafmq::net {

namespace {

constexpr uint8_t kept_flags = flag::more | flag::command;

// Only more/command survive; commands never continue a multipart message.
inline uint8_t clean_flags(uint8_t raw) noexcept {
  uint8_t f = raw & kept_flags;
  return (f & flag::command) ? flag::command : f;
}

inline uint64_t read_be64(const uint8_t* p) noexcept {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v = (v << 8) | p[i];
  return v;
}

} // namespace

size_t write_frame_header(uint8_t* out, uint8_t flags, uint64_t size) noexcept {
  flags &= kept_flags;
  if (size <= 255) {
    out[0] = flags;
    out[1] = static_cast<uint8_t>(size);
    return 2;
  }
  out[0] = flags | flag::long_size;
  for (int i = 0; i < 8; ++i)
    out[1 + i] = static_cast<uint8_t>(size >> (56 - 8 * i));
  return 9;
}

std::string hex_byte(uint8_t b) {
  static constexpr char digits[] = "0123456789ABCDEF";
  return std::string("0x") + digits[b >> 4] + digits[b & 0xF];
}

size_t write_zmtp1_header(uint8_t* out, uint8_t flags, uint64_t size) noexcept {
  flags &= flag::more;
  uint64_t length = size + 1;
  if (length < 0xFF) {
    out[0] = static_cast<uint8_t>(length);
    out[1] = flags;
    return 2;
  }
  out[0] = 0xFF;
  for (int i = 0; i < 8; ++i)
    out[1 + i] = static_cast<uint8_t>(length >> (56 - 8 * i));
  out[9] = flags;
  return 10;
}

bool frame_decoder::reject_size(uint64_t n) {
  if ((n >> 63) != 0)
    error_ = "frame size exceeds 2^63-1";
  else
    error_ = "frame of " + std::to_string(n) + " bytes exceeds the limit of " + std::to_string(max_)
             + " bytes";
  state_ = state::failed;
  return false;
}

bool frame_decoder::begin_body(uint64_t n) {
  try {
    body_ = frame::uninitialized(static_cast<size_t>(n));
  } catch (const std::bad_alloc&) {  // a size within the limit can still exceed what we can get
    error_ = "cannot allocate " + std::to_string(n) + " bytes for a frame";
    error_code_ = event_reason::resource;
    state_ = state::failed;
    return false;
  }
  body_size_ = n;
  body_have_ = 0;
  state_ = state::body;
  return true;
}

frame_decoder::result frame_decoder::next(const uint8_t*& p, const uint8_t* end, uint8_t& flags,
                                          frame& body) {
  for (;;) {
    switch (state_) {
      case state::flags: {
        if (p == end)
          return result::need_more;
        auto avail = static_cast<size_t>(end - p);
        uint8_t raw = p[0];
        if ((raw & reserved_) != 0)
          return reject_flags(raw);
        size_t header = (raw & flag::long_size) ? 9 : 2;
        if (avail < header) {  // header split across reads: collect the size bytes one by one
          flags_ = raw;
          ++p;
          size_need_ = header - 1;
          size_have_ = 0;
          state_ = state::size;
          continue;
        }
        uint64_t n = header == 2 ? p[1] : read_be64(p + 1);
        p += header;
        flags_ = raw;
        if (!accept_size(n))
          return result::error;
        if (avail - header >= n) {  // fast path: the whole body is here
          flags = clean_flags(raw);
          body.assign(p, static_cast<size_t>(n));
          p += n;
          return result::frame;
        }
        if (!begin_body(n))
          return result::error;
        continue;
      }
      case state::size: {
        auto take = static_cast<size_t>(end - p);
        if (take > size_need_ - size_have_)
          take = size_need_ - size_have_;
        std::memcpy(size_bytes_ + size_have_, p, take);
        size_have_ += take;
        p += take;
        if (size_have_ < size_need_)
          return result::need_more;
        uint64_t n = size_need_ == 1 ? size_bytes_[0] : read_be64(size_bytes_);
        if (!accept_size(n))
          return result::error;
        if (!begin_body(n))
          return result::error;
        continue;
      }
      case state::body: {
        uint64_t remaining = body_size_ - body_have_;
        auto take = static_cast<size_t>(end - p);
        if (take > remaining)
          take = static_cast<size_t>(remaining);
        if (take > 0) {
          std::memcpy(body_.mutable_data() + body_have_, p, take);
          body_have_ += take;
          p += take;
        }
        if (body_have_ < body_size_)
          return result::need_more;
        flags = clean_flags(flags_);
        body = std::move(body_);
        body_ = frame{};
        state_ = header_state_;
        return result::frame;
      }
      case state::zmtp1_header: {
        auto r = next_zmtp1_header(p, end);
        if (r != result::frame)
          return r;
        if (!begin_body(body_size_))
          return result::error;
        continue;
      }
      case state::failed:
        return result::error;
    }
  }
}

void frame_decoder::set_framing(framing f) noexcept {
  reserved_ = f == framing::zmtp3 ? 0 : static_cast<uint8_t>(~(f == framing::zmtp2
                                                                 ? (flag::more | flag::long_size)
                                                                 : flag::more));
  header_state_ = f == framing::zmtp1 ? state::zmtp1_header : state::flags;
  if (state_ == state::flags || state_ == state::zmtp1_header) {
    state_ = header_state_;
    size_need_ = size_have_ = 0;
  }
}

frame_decoder::result frame_decoder::reject_flags(uint8_t raw) {
  error_ = "reserved flag bits set (flags " + hex_byte(raw) + ")";
  state_ = state::failed;
  return result::error;
}

// RFC 13: a length of 1 byte, or 0xFF and 8 bytes, counting the flags byte that follows it.
// Collects the header in size_bytes_ (length bytes) and flags_; a complete header leaves the
// body's size in body_size_ and returns frame.
frame_decoder::result frame_decoder::next_zmtp1_header(const uint8_t*& p, const uint8_t* end) {
  while (p != end) {
    uint8_t b = *p++;
    if (size_need_ == 0) {  // the first length byte: the length itself, or 0xFF (8 follow)
      size_need_ = b == 0xFF ? 8 : 1;
      size_have_ = b == 0xFF ? 0 : 1;
      size_bytes_[0] = b;
    } else if (size_have_ < size_need_) {
      size_bytes_[size_have_++] = b;
    } else {  // the flags byte ends the header
      uint64_t length = size_need_ == 1 ? size_bytes_[0] : read_be64(size_bytes_);
      size_have_ = size_need_ = 0;
      if ((b & reserved_) != 0)
        return reject_flags(b);
      if (length == 0) {
        error_ = "ZMTP 1.0 frame of length 0 (the length counts the flags byte)";
        state_ = state::failed;
        return result::error;
      }
      if (!accept_size(length - 1))
        return result::error;
      flags_ = b;
      body_size_ = length - 1;
      return result::frame;
    }
  }
  return result::need_more;
}

std::pair<uint8_t*, size_t> frame_decoder::direct_target() noexcept {
  if (state_ != state::body || body_have_ == body_size_)
    return {nullptr, 0};
  return {body_.mutable_data() + body_have_, static_cast<size_t>(body_size_ - body_have_)};
}

void frame_decoder::direct_filled(size_t n) noexcept {
  if (state_ != state::body)
    return;
  uint64_t remaining = body_size_ - body_have_;
  body_have_ += n < remaining ? n : remaining;
}

} // namespace cafmq::net
