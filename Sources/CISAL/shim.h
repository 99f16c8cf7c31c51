// ISA-L's igzip inflate (libisal-dev): the opt-in faster gzip decoder of the
// ISAL package trait (`swift build --traits ISAL`). zlib stays the default.
#include <isa-l/igzip_lib.h>
