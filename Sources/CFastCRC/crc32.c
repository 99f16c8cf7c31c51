// CRC-32 (gzip's: reflected, polynomial 0xEDB88320, initial and final
// inversion) by folding with carry-less multiplication, after Gopal et al.,
// "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ
// Instruction" (Intel, 2009): four 128-bit lanes are folded 64 bytes at a
// time, then into one lane, then reduced from 128 to 64 bits and, by
// Barrett reduction, to 32. Lengths below 64 bytes and the tail that is not
// a multiple of 16 go through a byte table.
#include "nk_crc32.h"

#if defined(__x86_64__) || defined(__i386__)
#define NK_X86 1
#include <immintrin.h>
#endif

static uint32_t table[256];

// Made when the program is loaded, before main and before any thread: made
// on first use instead, two threads decoding their first gzip members at
// once both wrote it while the other read it (a data race ThreadSanitizer
// reported, harmless only by luck of equal values).
__attribute__((constructor))
static void make_table(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[n] = c;
    }
}

// `c` is the running (inverted) register.
static uint32_t bytes_update(uint32_t c, const unsigned char *p, size_t len) {
    while (len--) c = table[(c ^ *p++) & 0xFF] ^ (c >> 8);
    return c;
}

uint32_t nk_crc32_table(uint32_t crc, const void *buf, size_t len) {
    return ~bytes_update(~crc, (const unsigned char *)buf, len);
}

#ifdef NK_X86

// Constants for the reflected polynomial: x^(4*128+32) mod P and
// x^(4*128-32) mod P (fold by 4 lanes), x^(128+32) and x^(128-32) mod P
// (fold by one lane), x^64 mod P, then P itself and mu = x^64 / P.
static const uint64_t k1k2[2] __attribute__((aligned(16))) = { 0x0154442bd4ULL, 0x01c6e41596ULL };
static const uint64_t k3k4[2] __attribute__((aligned(16))) = { 0x01751997d0ULL, 0x00ccaa009eULL };
static const uint64_t k5k0[2] __attribute__((aligned(16))) = { 0x0163cd6124ULL, 0x0000000000ULL };
static const uint64_t poly[2] __attribute__((aligned(16))) = { 0x01db710641ULL, 0x01f7011641ULL };

// `c` is the running (inverted) register; len >= 64 and a multiple of 16.
__attribute__((target("pclmul,sse4.1")))
static uint32_t clmul_update(uint32_t c, const unsigned char *p, size_t len) {
    const __m128i fold4 = _mm_load_si128((const __m128i *)k1k2);
    __m128i x1 = _mm_loadu_si128((const __m128i *)(p + 0x00));
    __m128i x2 = _mm_loadu_si128((const __m128i *)(p + 0x10));
    __m128i x3 = _mm_loadu_si128((const __m128i *)(p + 0x20));
    __m128i x4 = _mm_loadu_si128((const __m128i *)(p + 0x30));
    x1 = _mm_xor_si128(x1, _mm_cvtsi32_si128((int)c));
    p += 64;
    len -= 64;

    while (len >= 64) {
        __m128i x5 = _mm_clmulepi64_si128(x1, fold4, 0x00);
        __m128i x6 = _mm_clmulepi64_si128(x2, fold4, 0x00);
        __m128i x7 = _mm_clmulepi64_si128(x3, fold4, 0x00);
        __m128i x8 = _mm_clmulepi64_si128(x4, fold4, 0x00);
        x1 = _mm_clmulepi64_si128(x1, fold4, 0x11);
        x2 = _mm_clmulepi64_si128(x2, fold4, 0x11);
        x3 = _mm_clmulepi64_si128(x3, fold4, 0x11);
        x4 = _mm_clmulepi64_si128(x4, fold4, 0x11);
        x1 = _mm_xor_si128(_mm_xor_si128(x1, x5), _mm_loadu_si128((const __m128i *)(p + 0x00)));
        x2 = _mm_xor_si128(_mm_xor_si128(x2, x6), _mm_loadu_si128((const __m128i *)(p + 0x10)));
        x3 = _mm_xor_si128(_mm_xor_si128(x3, x7), _mm_loadu_si128((const __m128i *)(p + 0x20)));
        x4 = _mm_xor_si128(_mm_xor_si128(x4, x8), _mm_loadu_si128((const __m128i *)(p + 0x30)));
        p += 64;
        len -= 64;
    }

    // Four lanes into one.
    const __m128i fold1 = _mm_load_si128((const __m128i *)k3k4);
    __m128i x5 = _mm_clmulepi64_si128(x1, fold1, 0x00);
    x1 = _mm_clmulepi64_si128(x1, fold1, 0x11);
    x1 = _mm_xor_si128(_mm_xor_si128(x1, x2), x5);
    x5 = _mm_clmulepi64_si128(x1, fold1, 0x00);
    x1 = _mm_clmulepi64_si128(x1, fold1, 0x11);
    x1 = _mm_xor_si128(_mm_xor_si128(x1, x3), x5);
    x5 = _mm_clmulepi64_si128(x1, fold1, 0x00);
    x1 = _mm_clmulepi64_si128(x1, fold1, 0x11);
    x1 = _mm_xor_si128(_mm_xor_si128(x1, x4), x5);

    // The remaining 16-byte blocks, one at a time.
    while (len >= 16) {
        x5 = _mm_clmulepi64_si128(x1, fold1, 0x00);
        x1 = _mm_clmulepi64_si128(x1, fold1, 0x11);
        x1 = _mm_xor_si128(_mm_xor_si128(x1, _mm_loadu_si128((const __m128i *)p)), x5);
        p += 16;
        len -= 16;
    }

    // 128 bits to 64.
    const __m128i low32 = _mm_setr_epi32(~0, 0, ~0, 0);
    __m128i x2r = _mm_clmulepi64_si128(x1, fold1, 0x10);
    x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), x2r);
    const __m128i k5 = _mm_loadl_epi64((const __m128i *)k5k0);
    x2r = _mm_srli_si128(x1, 4);
    x1 = _mm_and_si128(x1, low32);
    x1 = _mm_clmulepi64_si128(x1, k5, 0x00);
    x1 = _mm_xor_si128(x1, x2r);

    // Barrett reduction to 32 bits.
    const __m128i pmu = _mm_load_si128((const __m128i *)poly);
    x2r = _mm_and_si128(x1, low32);
    x2r = _mm_clmulepi64_si128(x2r, pmu, 0x10);
    x2r = _mm_and_si128(x2r, low32);
    x2r = _mm_clmulepi64_si128(x2r, pmu, 0x00);
    x1 = _mm_xor_si128(x1, x2r);
    return (uint32_t)_mm_extract_epi32(x1, 1);
}

static int clmul_state; // 0 unknown, 1 yes, 2 no

int nk_crc32_uses_clmul(void) {
    int s = __atomic_load_n(&clmul_state, __ATOMIC_RELAXED);
    if (s == 0) {
        __builtin_cpu_init();
        s = (__builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1")) ? 1 : 2;
        __atomic_store_n(&clmul_state, s, __ATOMIC_RELAXED);
    }
    return s == 1;
}

uint32_t nk_crc32(uint32_t crc, const void *buf, size_t len) {
    const unsigned char *p = (const unsigned char *)buf;
    uint32_t c = ~crc;
    if (len >= 64 && nk_crc32_uses_clmul()) {
        size_t bulk = len & ~(size_t)15;
        c = clmul_update(c, p, bulk);
        p += bulk;
        len -= bulk;
    }
    return ~bytes_update(c, p, len);
}

#else

int nk_crc32_uses_clmul(void) { return 0; }

uint32_t nk_crc32(uint32_t crc, const void *buf, size_t len) {
    return nk_crc32_table(crc, buf, len);
}

#endif
