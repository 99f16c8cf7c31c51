// libFuzzer target: nkwatch's bzip2 block decoder against libbz2. The input
// is a block piece: byte 0's low 3 bits are how many bits of the last byte
// to drop, the rest is the block from its magic on, byte-aligned. When the
// decoder takes the piece and its CRC matches the header's, libbz2 must
// decode the same piece (as a one-block stream) to the same bytes; whatever
// the input, nothing may crash or read out of bounds.
#include <bzlib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nk_bzblock.h"

static nk_bz2_decoder *decoder;

static void put(uint8_t *out, size_t *bit, uint64_t value, int n) {
    for (int i = n - 1; i >= 0; i--, (*bit)++)
        if ((value >> i) & 1) out[*bit >> 3] |= (uint8_t)(0x80 >> (*bit & 7));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    if (!decoder) decoder = nk_bz2_decoder_new();
    uint64_t nbits = (uint64_t)(size - 1) * 8 - (data[0] & 7);
    int r = nk_bz2_decode(decoder, data + 1, size - 1, 0, nbits, 9);
    if (r != 0) return 0;
    static uint8_t out[1 << 24], ref[1 << 24];
    uint32_t crc = 0;
    int64_t n = nk_bz2_output(decoder, out, sizeof out, &crc);
    if (n < 0 || n > (int64_t)sizeof out || crc != nk_bz2_stored_crc(decoder)) return 0;
    // The piece as a one-block stream: header, the bits, end marker, CRC.
    size_t len = 4 + (size_t)(nbits / 8) + 12;
    uint8_t *stream = calloc(len, 1);
    memcpy(stream, "BZh9", 4);
    size_t bit = 32;
    for (uint64_t i = 0; i < nbits; i++) put(stream, &bit, (data[1 + (i >> 3)] >> (7 - (i & 7))) & 1, 1);
    put(stream, &bit, 0x177245385090ull, 48);
    put(stream, &bit, crc, 32);
    unsigned int refLen = sizeof ref;
    int lr = BZ2_bzBuffToBuffDecompress((char *)ref, &refLen, (char *)stream, (unsigned int)((bit + 7) / 8), 0, 0);
    free(stream);
    if (lr != BZ_OK || refLen != (unsigned int)n || memcmp(ref, out, (size_t)n) != 0) abort();
    return 0;
}
