// One bzip2 block, decoded fast: see nk_bzblock.h for the contract.
//
// The format (bzip2 1.0.x, as libbz2 reads it): a 48-bit magic, the block
// CRC (32), a randomised flag (1), the origin pointer (24), a two-level
// bitmap of the bytes in use, the number of prefix-code tables (3, 2-6),
// the number of selectors (15) and the selectors themselves (unary,
// move-to-front coded), each table's code lengths (5 bits, then deltas),
// and the symbols: groups of 50, each coded with the table its selector
// names. Symbols 0 and 1 (RUNA, RUNB) give a run of the byte at the front
// of the move-to-front list in bijective base 2, symbol n + 1 moves entry n
// to the front and gives it once, and the last symbol ends the block. The
// bytes are the last column of the block's Burrows-Wheeler matrix; walking
// the transform from the origin pointer gives the block, whose runs of four
// equal bytes are followed by a count of more.
//
// Every check libbz2 makes on a block is made here too, and anything this
// decoder does not take (randomised blocks, prefix codes that are not
// complete) is refused, so that libbz2 decodes it: a block taken here
// decodes to what libbz2 gives, and its CRC is checked by the caller.

#include "nk_bzblock.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CODE_LEN 20
#define LUT_BITS 10
#define GROUP_SIZE 50
#define MAX_GROUPS 6
#define MAX_ALPHA 258
#define MAX_SELECTORS 18002

#define NOT_TAKEN -1

// The inverse transform's walk (see walk_lanes): the block's cycle cut at
// SEGMENTS rows, walked LANES at a time, the output in chunks of CHUNK bytes.
#define SEGMENTS 64
#define LANES 8
#define CHUNK (1u << 14)
#define MARK 0x80000000u

struct table {
    // For a code of at most LUT_BITS bits starting with the index's bits:
    // (symbol << 5) | length; otherwise LUT_BITS + 1 (the code is longer).
    uint16_t lut[1 << LUT_BITS];
    // base[k]: the first code of length k, left-justified in 64 bits
    // (UINT64_MAX when no code is as long or longer); base[MAX_CODE_LEN + 1]
    // is UINT64_MAX.
    uint64_t base[MAX_CODE_LEN + 2];
    // count[k]: how many symbols have codes shorter than k bits.
    uint32_t count[MAX_CODE_LEN + 1];
    // The symbols in code order (by length, then by symbol).
    uint16_t perm[MAX_ALPHA];
};

struct nk_bz2_decoder {
    uint32_t *tt;      // the transform's list: byte in bits 0-7, next index above
    uint8_t *ll;       // the block in order, before the run-length step
    uint8_t *scratch;  // the walk's output in chunks (see walk_lanes)
    uint32_t *chunk_next, *chunk_len;
    uint32_t capacity; // entries of tt and ll
    uint32_t nblock;
    uint32_t orig_ptr;
    uint32_t stored_crc;
    uint32_t ftab[257];
    uint8_t selectors[MAX_SELECTORS];
    struct table tables[MAX_GROUPS];
};

nk_bz2_decoder *nk_bz2_decoder_new(void) {
    nk_bz2_decoder *d = calloc(1, sizeof *d);
    return d;
}

void nk_bz2_decoder_free(nk_bz2_decoder *d) {
    if (!d) return;
    free(d->tt);
    free(d->ll);
    free(d->scratch);
    free(d->chunk_next);
    free(d->chunk_len);
    free(d);
}

uint32_t nk_bz2_stored_crc(const nk_bz2_decoder *d) { return d->stored_crc; }
uint32_t nk_bz2_block_length(const nk_bz2_decoder *d) { return d->nblock; }

// MARK: Bits

struct bits {
    const uint8_t *data;
    size_t nbytes;
    uint64_t pos; // absolute bit position in data
    uint64_t end; // the piece's last bit + 1
};

// 64 bits from `pos`, the first in the most significant bit (at least the
// top 57 are the data's; bytes past the end read as zero). The lowest bit is
// cleared, so the value is below UINT64_MAX (see `decode_symbol`).
static inline uint64_t peek_safe(const struct bits *b) {
    size_t i = (size_t)(b->pos >> 3);
    uint64_t w = 0;
    for (int k = 0; k < 8; k++) w = (w << 8) | (i + k < b->nbytes ? b->data[i + k] : 0);
    return (w << (b->pos & 7)) & ~(uint64_t)1;
}

// As peek_safe, when 8 bytes from pos are known to be in data.
static inline uint64_t peek_fast(const struct bits *b) {
    uint64_t w;
    memcpy(&w, b->data + (b->pos >> 3), 8);
    w = __builtin_bswap64(w);
    return (w << (b->pos & 7)) & ~(uint64_t)1;
}

static inline uint32_t take(struct bits *b, int n) {
    uint64_t v = peek_safe(b) >> (64 - n);
    b->pos += (uint64_t)n;
    return (uint32_t)v;
}

// MARK: Prefix codes

// Builds the decoding table of `n` code lengths (each 1-20, as checked when
// read). Returns 0, or NOT_TAKEN for a code that is not complete (libbz2
// accepts incomplete codes as long as no missing code turns up).
static int build_table(struct table *t, const uint8_t *len, int n) {
    uint32_t lengths[MAX_CODE_LEN + 1] = {0};
    for (int s = 0; s < n; s++) lengths[len[s]]++;
    // Kraft: a complete code fills the code space exactly.
    uint64_t space = 0;
    for (int k = 1; k <= MAX_CODE_LEN; k++) space += (uint64_t)lengths[k] << (MAX_CODE_LEN - k);
    if (space != (1u << MAX_CODE_LEN)) return NOT_TAKEN;
    // Left-justified first codes; the space past the last code is 2^64,
    // which stays UINT64_MAX (no left-justified code reaches it: see peek).
    unsigned __int128 sofar = 0;
    uint32_t cum = 0;
    t->count[0] = 0;
    for (int k = 1; k <= MAX_CODE_LEN; k++) {
        t->base[k] = sofar >= ((unsigned __int128)1 << 64) ? UINT64_MAX : (uint64_t)sofar;
        sofar += (unsigned __int128)lengths[k] << (64 - k);
        t->count[k] = cum;
        cum += lengths[k];
    }
    t->base[MAX_CODE_LEN + 1] = UINT64_MAX;
    // A length whose first code is 2^64 (none as long or longer) stays
    // UINT64_MAX too: set above when sofar reached 2^64.
    // Symbols in code order: by length, then by symbol.
    uint32_t next[MAX_CODE_LEN + 1];
    for (int k = 1; k <= MAX_CODE_LEN; k++) next[k] = t->count[k];
    for (int s = 0; s < n; s++) t->perm[next[len[s]]++] = (uint16_t)s;
    // The lookup table: codes of at most LUT_BITS bits fill their range.
    uint32_t code = 0; // the next code, LUT_BITS wide
    for (int k = 1; k <= LUT_BITS; k++) {
        uint32_t span = 1u << (LUT_BITS - k);
        for (uint32_t i = t->count[k]; i < t->count[k] + lengths[k]; i++) {
            uint16_t e = (uint16_t)((t->perm[i] << 5) | k);
            for (uint32_t j = 0; j < span; j++) t->lut[code + j] = e;
            code += span;
        }
    }
    while (code < (1u << LUT_BITS)) t->lut[code++] = LUT_BITS + 1;
    return 0;
}

// The next symbol of table t from the bits v (left-justified); its length in *k.
static inline int decode_symbol(const struct table *t, uint64_t v, int *klen, int nsym) {
    uint16_t e = t->lut[v >> (64 - LUT_BITS)];
    int k = e & 31;
    if (k <= LUT_BITS) {
        *klen = k;
        return e >> 5;
    }
    // A long code: base[k] <= v < base[k + 1] (v < UINT64_MAX: see peek).
    while (k < MAX_CODE_LEN && v >= t->base[k + 1]) k++;
    uint64_t i = (uint64_t)t->count[k] + ((v - t->base[k]) >> (64 - k));
    *klen = k;
    if (i >= (uint64_t)nsym) return -1;
    return t->perm[i];
}

// MARK: One block

static int ensure_capacity(nk_bz2_decoder *d, uint32_t n) {
    if (d->capacity >= n) return 0;
    uint32_t *tt = realloc(d->tt, (size_t)n * sizeof(uint32_t));
    if (!tt) return NOT_TAKEN;
    d->tt = tt;
    uint8_t *ll = realloc(d->ll, n);
    if (!ll) return NOT_TAKEN;
    d->ll = ll;
    uint32_t chunks = n / CHUNK + SEGMENTS + LANES + 2;
    uint8_t *scratch = realloc(d->scratch, (size_t)chunks * CHUNK);
    if (!scratch) return NOT_TAKEN;
    d->scratch = scratch;
    uint32_t *cn = realloc(d->chunk_next, chunks * sizeof(uint32_t));
    if (!cn) return NOT_TAKEN;
    d->chunk_next = cn;
    uint32_t *cl = realloc(d->chunk_len, chunks * sizeof(uint32_t));
    if (!cl) return NOT_TAKEN;
    d->chunk_len = cl;
    d->capacity = n;
    return 0;
}

// The prefix codes and the move-to-front: fills tt[0..nblock) with the
// block's last column and ftab with the byte counts.
static int read_block(nk_bz2_decoder *d, const uint8_t *data, size_t nbytes, uint64_t first_bit, uint64_t nbits, int level) {
    if (level < 1 || level > 9) return NOT_TAKEN;
    if (first_bit + nbits > (uint64_t)nbytes * 8) return NOT_TAKEN;
    uint32_t max_block = 100000u * (uint32_t)level;
    if (ensure_capacity(d, max_block) != 0) return NOT_TAKEN;
    struct bits b = {data, nbytes, first_bit, first_bit + nbits};
    if (nbits < 48 + 32 + 1 + 24 + 16) return NOT_TAKEN;

    uint64_t magic = ((uint64_t)take(&b, 24) << 24) | take(&b, 24);
    if (magic != 0x314159265359ull) return NOT_TAKEN;
    d->stored_crc = take(&b, 32);
    if (take(&b, 1)) return NOT_TAKEN; // randomised: libbz2's
    uint32_t orig = take(&b, 24);
    if (orig > 10 + max_block) return NOT_TAKEN;

    // The bytes in use.
    uint8_t seq_to_unseq[256];
    int in_use = 0;
    uint32_t in_use16 = take(&b, 16);
    for (int i = 0; i < 16; i++) {
        if (!(in_use16 & (0x8000u >> i))) continue;
        uint32_t bits16 = take(&b, 16);
        for (int j = 0; j < 16; j++)
            if (bits16 & (0x8000u >> j)) seq_to_unseq[in_use++] = (uint8_t)(i * 16 + j);
    }
    if (in_use == 0) return NOT_TAKEN;
    int alpha = in_use + 2;

    int groups = (int)take(&b, 3);
    if (groups < 2 || groups > MAX_GROUPS) return NOT_TAKEN;
    uint32_t nselectors = take(&b, 15);
    if (nselectors < 1) return NOT_TAKEN;
    // The selectors, move-to-front coded in unary.
    uint8_t mtf_groups[MAX_GROUPS] = {0, 1, 2, 3, 4, 5};
    for (uint32_t i = 0; i < nselectors; i++) {
        if (b.pos > b.end) return NOT_TAKEN;
        uint64_t v = peek_safe(&b);
        int j = 0;
        // At most `groups - 1` ones before the zero.
        while (v & 0x8000000000000000ull) {
            j++;
            if (j >= groups) return NOT_TAKEN;
            v <<= 1;
        }
        b.pos += (uint64_t)j + 1;
        uint8_t g = mtf_groups[j];
        for (int k = j; k > 0; k--) mtf_groups[k] = mtf_groups[k - 1];
        mtf_groups[0] = g;
        if (i < MAX_SELECTORS) d->selectors[i] = g;
    }
    if (nselectors > MAX_SELECTORS) nselectors = MAX_SELECTORS;

    // The code lengths of each table.
    for (int t = 0; t < groups; t++) {
        uint8_t len[MAX_ALPHA];
        int curr = (int)take(&b, 5);
        for (int s = 0; s < alpha; s++) {
            for (;;) {
                if (curr < 1 || curr > MAX_CODE_LEN) return NOT_TAKEN;
                if (b.pos > b.end) return NOT_TAKEN;
                if (!take(&b, 1)) break;
                curr += take(&b, 1) ? -1 : 1;
            }
            len[s] = (uint8_t)curr;
        }
        if (build_table(&d->tables[t], len, alpha) != 0) return NOT_TAKEN;
    }

    // The symbols.
    memset(d->ftab, 0, sizeof d->ftab);
    uint8_t mtf[256];
    memcpy(mtf, seq_to_unseq, (size_t)in_use);
    uint32_t *tt = d->tt;
    uint32_t *ftab = d->ftab;
    uint32_t nblock = 0;
    const int eob = in_use + 1;
    uint32_t run = 0; // the pending run (RUNA/RUNB so far)
    int shift = 0;
    for (uint32_t group = 0;; group++) {
        if (group >= nselectors) return NOT_TAKEN;
        if (b.pos > b.end) return NOT_TAKEN;
        const struct table *t = &d->tables[d->selectors[group]];
        // 50 codes of at most 20 bits: 1000 bits, plus the 8 bytes of a peek.
        int fast = (b.pos >> 3) + 125 + 8 <= nbytes;
        for (int i = 0; i < GROUP_SIZE; i++) {
            uint64_t v = fast ? peek_fast(&b) : peek_safe(&b);
            int k;
            int sym = decode_symbol(t, v, &k, alpha);
            if (sym < 0) return NOT_TAKEN;
            b.pos += (uint64_t)k;
            if (sym <= 1) {
                // RUNA adds 2^shift, RUNB 2^(shift+1) (libbz2 stops at 2^21).
                if (shift >= 21) return NOT_TAKEN;
                run += (uint32_t)(sym + 1) << shift;
                shift++;
                continue;
            }
            if (run) {
                if (run > max_block - nblock) return NOT_TAKEN;
                uint8_t c = mtf[0];
                ftab[c] += run;
                uint32_t *p = tt + nblock, *e = p + run;
                while (p < e) *p++ = c;
                nblock += run;
                run = 0;
                shift = 0;
            }
            if (sym == eob) goto done;
            if (nblock >= max_block) return NOT_TAKEN;
            // Move entry sym - 1 to the front.
            int n = sym - 1;
            uint8_t c = mtf[n];
            if (n < 16) {
                while (n > 0) { mtf[n] = mtf[n - 1]; n--; }
            } else {
                memmove(mtf + 1, mtf, (size_t)n);
            }
            mtf[0] = c;
            ftab[c]++;
            tt[nblock++] = c;
        }
    }
done:
    // The block ends exactly where the piece does (the next magic).
    if (b.pos != b.end) return NOT_TAKEN;
    if (orig >= nblock) return NOT_TAKEN;
    d->nblock = nblock;
    d->orig_ptr = orig;
    // Link the transform: entry ftab[c]++ of each byte c gets the next index.
    uint32_t cum = 0;
    for (int c = 0; c < 256; c++) {
        uint32_t n = ftab[c];
        ftab[c] = cum;
        cum += n;
    }
    for (uint32_t i = 0; i < nblock; i++) {
        uint8_t c = (uint8_t)tt[i];
        tt[ftab[c]++] |= i << 8;
    }
    return 0;
}

// Walks the transform of a decoded block into ll, one chain: each load's
// address is the load before's result, so every cache miss is waited out.
static void walk_one(nk_bz2_decoder *d) {
    const uint32_t *tt = d->tt;
    uint8_t *ll = d->ll;
    uint32_t p = tt[d->orig_ptr] >> 8;
    for (uint32_t i = 0, n = d->nblock; i < n; i++) {
        p = tt[p];
        ll[i] = (uint8_t)p;
        p >>= 8;
    }
}

struct segment {
    uint32_t row;         // the first row
    uint32_t first_chunk; // its output, chunk by chunk
    uint32_t last_chunk;
    uint32_t next;        // the segment whose first row follows its last
};

static int by_row(const void *a, const void *b) {
    uint32_t x = ((const struct segment *)a)->row, y = ((const struct segment *)b)->row;
    return x < y ? -1 : x > y;
}

// Walks the transform in LANES chains at once, so that their cache misses
// overlap. The walk is one cycle through the rows (for a block that is not a
// repetition), so it is cut at SEGMENTS rows: the walk's true start and rows
// spread over the block (where they fall in the text is not known). Each
// segment is walked from its first row until the next row is another
// segment's first (marked in the list), its bytes going to chunks of
// scratch; then the segments are put together in the order they link.
// A block that repeats a string k times has k cycles, and the walk from the
// start goes round its cycle k times: its cycle's bytes are repeated.
static void walk_lanes(nk_bz2_decoder *d) {
    uint32_t *tt = d->tt;
    uint32_t n = d->nblock;
    struct segment seg[SEGMENTS];
    int nseg = 0;
    uint32_t start = tt[d->orig_ptr] >> 8;
    seg[nseg++].row = start;
    for (int j = 1; j < SEGMENTS; j++) {
        uint32_t r = (uint32_t)((uint64_t)j * n / SEGMENTS);
        if (r != start) seg[nseg++].row = r;
    }
    qsort(seg, (size_t)nseg, sizeof seg[0], by_row);
    int first = 0;
    for (int j = 0; j < nseg; j++) {
        if (seg[j].row == start) first = j;
        tt[seg[j].row] |= MARK;
    }

    uint8_t *scratch = d->scratch;
    uint32_t *chunk_next = d->chunk_next, *chunk_len = d->chunk_len;
    uint32_t chunks = 0;
    // Lane state: the next row, where its bytes go, where its chunk ends.
    uint32_t row[LANES];
    uint8_t *out[LANES], *end[LANES];
    int lane_seg[LANES];
    int queued = 0, active = 0;
    for (int l = 0; l < LANES; l++) lane_seg[l] = -1;

    for (;;) {
        // Give idle lanes the next segments: each begins with its first row.
        for (int l = 0; l < LANES && queued < nseg; l++) {
            if (lane_seg[l] >= 0) continue;
            int j = queued++;
            uint32_t c = chunks++;
            chunk_next[c] = UINT32_MAX;
            seg[j].first_chunk = seg[j].last_chunk = c;
            uint32_t v = tt[seg[j].row];
            out[l] = scratch + (size_t)c * CHUNK;
            end[l] = out[l] + CHUNK;
            *out[l]++ = (uint8_t)v;
            row[l] = (v >> 8) & 0xFFFFF;
            lane_seg[l] = j;
            active++;
        }
        if (active == 0) break;
        // Steps of every lane until one meets a marked row or fills its chunk.
        for (;;) {
            int stop = 0;
            for (int l = 0; l < LANES; l++) {
                if (lane_seg[l] < 0) continue;
                uint32_t v = tt[row[l]];
                if (v & MARK) { stop = 1; continue; }
                *out[l]++ = (uint8_t)v;
                row[l] = (v >> 8) & 0xFFFFF;
                if (out[l] == end[l]) stop = 1;
            }
            if (stop) break;
        }
        for (int l = 0; l < LANES; l++) {
            int j = lane_seg[l];
            if (j < 0) continue;
            uint32_t c = seg[j].last_chunk;
            if (tt[row[l]] & MARK) {
                // The segment ends: the next row starts segment `k`.
                chunk_len[c] = (uint32_t)(out[l] - (scratch + (size_t)c * CHUNK));
                struct segment key = {.row = row[l]};
                struct segment *k = bsearch(&key, seg, (size_t)nseg, sizeof seg[0], by_row);
                seg[j].next = (uint32_t)(k - seg);
                lane_seg[l] = -1;
                active--;
            } else if (out[l] == end[l]) {
                chunk_len[c] = CHUNK;
                uint32_t c2 = chunks++;
                chunk_next[c] = c2;
                chunk_next[c2] = UINT32_MAX;
                seg[j].last_chunk = c2;
                out[l] = scratch + (size_t)c2 * CHUNK;
                end[l] = out[l] + CHUNK;
            }
        }
    }

    // The segments in order from the true start, round its cycle.
    uint8_t *ll = d->ll;
    uint32_t have = 0;
    int j = first;
    do {
        for (uint32_t c = seg[j].first_chunk; c != UINT32_MAX; c = chunk_next[c]) {
            uint32_t len = chunk_len[c];
            if (len > n - have) len = n - have;
            memcpy(ll + have, scratch + (size_t)c * CHUNK, len);
            have += len;
        }
        j = (int)seg[j].next;
    } while (j != first && have < n);
    // A repeated string: its cycle's bytes again.
    while (have < n) {
        uint32_t len = n - have < have ? n - have : have;
        memcpy(ll + have, ll, len);
        have += len;
    }
    for (int k = 0; k < nseg; k++) tt[seg[k].row] &= ~MARK;
}

static void walk(nk_bz2_decoder *d) {
    if (d->nblock < SEGMENTS * 256) walk_one(d);
    else walk_lanes(d);
}

int nk_bz2_decode(nk_bz2_decoder *d, const uint8_t *data, size_t nbytes, uint64_t first_bit, uint64_t nbits, int level) {
    int r = read_block(d, data, nbytes, first_bit, nbits, level);
    if (r != 0) { d->nblock = 0; return r; }
    walk(d);
    return 0;
}

// MARK: Output

static uint32_t crc_tables[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void make_crc_tables(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i << 24;
        for (int k = 0; k < 8; k++) c = (c & 0x80000000u) ? (c << 1) ^ 0x04C11DB7u : c << 1;
        crc_tables[0][i] = c;
    }
    for (int t = 1; t < 8; t++)
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = crc_tables[t - 1][i];
            crc_tables[t][i] = (c << 8) ^ crc_tables[0][c >> 24];
        }
}

uint32_t nk_bz2_crc_update(uint32_t crc, const uint8_t *p, size_t len) {
    pthread_once(&crc_once, make_crc_tables);
    while (len >= 8) {
        uint32_t hi;
        memcpy(&hi, p, 4);
        hi = __builtin_bswap32(hi) ^ crc;
        crc = crc_tables[7][hi >> 24] ^ crc_tables[6][(hi >> 16) & 0xFF] ^ crc_tables[5][(hi >> 8) & 0xFF] ^ crc_tables[4][hi & 0xFF] ^
              crc_tables[3][p[4]] ^ crc_tables[2][p[5]] ^ crc_tables[1][p[6]] ^ crc_tables[0][p[7]];
        p += 8;
        len -= 8;
    }
    while (len--) crc = (crc << 8) ^ crc_tables[0][(crc >> 24) ^ *p++];
    return crc;
}

// The length of the block's bytes: runs of four equal bytes are followed by
// a count of more. -1 when a count is missing.
static int64_t output_length(const uint8_t *in, uint32_t n) {
    int64_t need = 0;
    uint32_t i = 0;
    int prev = -1, same = 0;
    while (i < n) {
        int c = in[i++];
        need++;
        same = c == prev ? same + 1 : 1;
        prev = c;
        if (same == 4) {
            if (i >= n) return -1;
            need += in[i++];
            prev = -1;
            same = 0;
        }
    }
    return need;
}

int64_t nk_bz2_output(nk_bz2_decoder *d, uint8_t *out, size_t cap, uint32_t *crc) {
    const uint8_t *in = d->ll;
    uint32_t n = d->nblock;
    uint8_t *o = out, *limit = out + cap;
    uint32_t i = 0;
    while (i < n) {
        // Up to the next run of four equal bytes (the first window of four,
        // as a byte-at-a-time count from the last run's end finds it).
        uint32_t start = i;
        while (i + 3 < n) {
            uint8_t c = in[i];
            if (in[i + 1] != c) { i += 1; continue; }
            if (in[i + 2] != c) { i += 2; continue; }
            if (in[i + 3] != c) { i += 3; continue; }
            break;
        }
        if (i + 3 >= n) {
            // No run of four starts before the end.
            if ((size_t)(limit - o) < n - start) return output_length(in, n);
            memcpy(o, in + start, n - start);
            o += n - start;
            break;
        }
        // in[i..i+3] are equal: copy through them, then the count's more.
        uint8_t c = in[i];
        i += 4;
        if (i >= n) return -1;
        uint8_t more = in[i++];
        size_t copy = i - 1 - start;
        if ((size_t)(limit - o) < copy + more) return output_length(in, n);
        memcpy(o, in + start, copy);
        o += copy;
        memset(o, c, more);
        o += more;
    }
    *crc = ~nk_bz2_crc_update(0xFFFFFFFFu, out, (size_t)(o - out));
    return (int64_t)(o - out);
}
