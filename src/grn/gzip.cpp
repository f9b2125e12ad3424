// gzip input for knit::grn's text readers (see include/knit/grn/detail/text.hpp).
//
// zlib inflates in fixed-size chunks into a growing string, so memory follows the text
// actually produced and stops at `limit`, however small the compressed input.
#include <zlib.h>

#include <algorithm>
#include <climits>
#include <string>

#include "knit/core/error.hpp"
#include "knit/grn/detail/text.hpp"

namespace knit::grn::detail {

namespace {

std::string size_text(std::size_t bytes) {
    if (bytes >= (std::size_t(1) << 30) && bytes % (std::size_t(1) << 30) == 0)
        return std::to_string(bytes >> 30) + " GiB";
    if (bytes >= (std::size_t(1) << 20) && bytes % (std::size_t(1) << 20) == 0)
        return std::to_string(bytes >> 20) + " MiB";
    return std::to_string(bytes) + " bytes";
}

[[noreturn]] void refuse(const std::string& source, const std::string& what) {
    throw io_error("cannot read '" + source + "': " + what);
}

// Owns a z_stream set up for gzip members (windowBits 16 + 15: gzip header and trailer,
// CRC-32 and length checked by zlib).
class inflater {
public:
    explicit inflater(const std::string& source) {
        if (inflateInit2(&stream_, 16 + MAX_WBITS) != Z_OK)
            refuse(source, "zlib could not start inflating (out of memory?)");
    }
    ~inflater() { inflateEnd(&stream_); }
    inflater(const inflater&) = delete;
    inflater& operator=(const inflater&) = delete;
    z_stream& stream() { return stream_; }

private:
    z_stream stream_{};
};

}  // namespace

bool is_gzip(std::string_view bytes) {
    return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
           static_cast<unsigned char>(bytes[1]) == 0x8b;
}

std::string inflate_gzip(std::string_view bytes, const std::string& source, std::size_t limit) {
    inflater z(source);
    z_stream& stream = z.stream();
    std::string out;
    char chunk[65536];
    std::size_t offset = 0;  // of the member being inflated
    // zlib counts input in uInt; feed at most UINT_MAX bytes at a time.
    auto feed = [&] {
        const std::size_t left = bytes.size() - offset;
        stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + offset));
        stream.avail_in = static_cast<uInt>(std::min<std::size_t>(left, UINT_MAX));
    };
    feed();
    while (true) {
        stream.next_out = reinterpret_cast<Bytef*>(chunk);
        stream.avail_out = sizeof chunk;
        const std::size_t before_in = stream.avail_in;
        const int status = inflate(&stream, Z_NO_FLUSH);
        const std::size_t produced = sizeof chunk - stream.avail_out;
        offset += before_in - stream.avail_in;
        if (produced > limit - std::min(limit, out.size()))
            refuse(source, "got gzip data that inflates to more than " + size_text(limit) +
                               ", expected at most that much text (a damaged file or a zip bomb?)");
        out.append(chunk, produced);
        if (status == Z_STREAM_END) {
            if (offset == bytes.size()) return out;
            // Another member follows (concatenated gzip files), or trailing bytes.
            if (!is_gzip(bytes.substr(offset)))
                refuse(source, "got " + std::to_string(bytes.size() - offset) +
                                   " bytes after the end of the gzip data, expected nothing (a damaged "
                                   "file?)");
            if (inflateReset(&stream) != Z_OK) refuse(source, "zlib could not restart inflating");
            feed();
            continue;
        }
        if (status == Z_OK) {
            if (stream.avail_in == 0 && offset < bytes.size()) feed();
            continue;
        }
        if (status == Z_BUF_ERROR && offset == bytes.size())
            refuse(source, "got gzip data that ends early, expected a complete gzip file (is it "
                           "truncated?)");
        if (status == Z_BUF_ERROR) {  // the fed input is used up, more follows
            feed();
            continue;
        }
        const std::string reason = stream.msg != nullptr ? stream.msg : "error " + std::to_string(status);
        refuse(source, "got corrupt gzip data (" + reason + "), expected a valid gzip file");
    }
}

}  // namespace knit::grn::detail
