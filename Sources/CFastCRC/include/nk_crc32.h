#ifndef NK_CRC32_H
#define NK_CRC32_H

#include <stddef.h>
#include <stdint.h>

/// The CRC-32 of gzip (ISO 3309, reflected polynomial 0xEDB88320) of `len`
/// bytes at `buf`, continuing from `crc` (0 for a new stream), as zlib's
/// crc32_z computes it. Uses carry-less multiplication (PCLMULQDQ) when the
/// CPU has it, a table otherwise.
uint32_t nk_crc32(uint32_t crc, const void *buf, size_t len);

/// 1 when `nk_crc32` folds with PCLMULQDQ on this CPU, 0 when it uses the table.
int nk_crc32_uses_clmul(void);

/// `nk_crc32` with the table only (tests compare the two paths).
uint32_t nk_crc32_table(uint32_t crc, const void *buf, size_t len);

#endif
