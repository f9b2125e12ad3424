// The single source of knit's version; CMakeLists.txt reads it from here.
#pragma once
#define KNIT_VERSION_MAJOR 0
#define KNIT_VERSION_MINOR 1
#define KNIT_VERSION_PATCH 0
#define KNIT_VERSION_STRING "0.1.0"
namespace knit {
inline constexpr const char* version = KNIT_VERSION_STRING;
}
