#ifndef NK_BZBLOCK_H
#define NK_BZBLOCK_H

#include <stddef.h>
#include <stdint.h>

/// A decoder of single bzip2 blocks, for the parallel bzip2 reader: each
/// worker keeps one and decodes the blocks the splitter found, from the
/// block's 48-bit magic to its last bit, on any bit boundary.
///
/// It takes the common case fast and leaves everything else to libbz2: a
/// block it does not take (randomised, an incomplete or oversubscribed code,
/// any damage, a piece that does not end exactly where the block does) gets
/// a negative result and the caller decodes the piece with libbz2, whose
/// rules for damage stay the reference. A block it takes is checked against
/// the block's CRC by the caller.
typedef struct nk_bz2_decoder nk_bz2_decoder;

nk_bz2_decoder *nk_bz2_decoder_new(void);
void nk_bz2_decoder_free(nk_bz2_decoder *d);

/// Decodes the block in bits [first_bit, first_bit + nbits) of `data`
/// (`nbytes` long; bits count from the most significant bit of data[0]),
/// written with block size `level` (1-9), through the prefix codes, the
/// move-to-front and the inverse Burrows-Wheeler transform. Returns 0, or a
/// negative number when the block is not one this decoder takes.
int nk_bz2_decode(nk_bz2_decoder *d, const uint8_t *data, size_t nbytes, uint64_t first_bit, uint64_t nbits, int level);

/// The last decoded block's bytes (its initial run-length coding undone)
/// into `out`: returns how many were written; when `cap` is too small,
/// writes nothing and returns how many are needed (more than `cap`); -1 when
/// a run's length byte is missing. `*crc` gets the CRC computed over the
/// bytes, to compare with `nk_bz2_stored_crc`.
int64_t nk_bz2_output(nk_bz2_decoder *d, uint8_t *out, size_t cap, uint32_t *crc);

/// The CRC stored in the last decoded block's header.
uint32_t nk_bz2_stored_crc(const nk_bz2_decoder *d);

/// The bytes of the last decoded block before its run-length coding was undone.
uint32_t nk_bz2_block_length(const nk_bz2_decoder *d);

/// bzip2's CRC (CRC-32, polynomial 0x04C11DB7, most significant bit first)
/// of `len` bytes continued from `crc` (0xFFFFFFFF at the start; the final
/// value is complemented by the caller): by table, eight bytes at a time.
uint32_t nk_bz2_crc_update(uint32_t crc, const uint8_t *buf, size_t len);

#endif
