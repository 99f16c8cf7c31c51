// OpenSSL's libcrypto, for SHA-256 only (uses the CPU's SHA extensions when present).
#include <openssl/evp.h>
