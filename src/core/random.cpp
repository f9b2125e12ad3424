#include "knit/core/random.hpp"

#include <cstring>
#include <locale>
#include <sstream>

namespace knit {

std::string rng::state() const {
    std::ostringstream out;
    out.imbue(std::locale::classic());
    std::uint64_t spare_bits;
    std::memcpy(&spare_bits, &spare_, sizeof spare_bits);
    out << engine_ << ' ' << (has_spare_ ? 1 : 0) << ' ' << spare_bits;
    return out.str();
}

void rng::set_state(const std::string& text) {
    std::istringstream in(text);
    in.imbue(std::locale::classic());
    engine_type engine;
    int has_spare = -1;
    std::uint64_t spare_bits = 0;
    in >> engine >> has_spare >> spare_bits;
    const bool whole = in && (in >> std::ws).eof();
    KNIT_CHECK_AS(value_error, whole && (has_spare == 0 || has_spare == 1),
                  "rng state: got " << text.size() << " characters that do not parse, expected the text "
                                    << "of rng::state() (the engine's words, a 0/1 flag and the spare)");
    engine_ = engine;
    has_spare_ = has_spare == 1;
    std::memcpy(&spare_, &spare_bits, sizeof spare_);
}

}  // namespace knit
