#!/usr/bin/env bash
# Sources/CCurl declares the few libcurl option, info and error numbers it
# uses instead of including curl.h (libcurl is loaded at run time, and no
# curl headers are needed to build). This compiles them against the real
# curl.h: every number must be curl's. Needs libcurl4-openssl-dev (or any
# libcurl -dev package) and a C compiler; run from the repository root.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/abi.c" <<'C'
#define CURL_DISABLE_DEPRECATION 1
#include <curl/curl.h>
#include "nk_curl.h"
#define SAME(ours, theirs) _Static_assert((long)(ours) == (long)(theirs), #ours " is not " #theirs);
SAME(NK_CURLOPT_WRITEDATA, CURLOPT_WRITEDATA)
SAME(NK_CURLOPT_URL, CURLOPT_URL)
SAME(NK_CURLOPT_ERRORBUFFER, CURLOPT_ERRORBUFFER)
SAME(NK_CURLOPT_WRITEFUNCTION, CURLOPT_WRITEFUNCTION)
SAME(NK_CURLOPT_USERAGENT, CURLOPT_USERAGENT)
SAME(NK_CURLOPT_LOW_SPEED_LIMIT, CURLOPT_LOW_SPEED_LIMIT)
SAME(NK_CURLOPT_LOW_SPEED_TIME, CURLOPT_LOW_SPEED_TIME)
SAME(NK_CURLOPT_HTTPHEADER, CURLOPT_HTTPHEADER)
SAME(NK_CURLOPT_HEADERDATA, CURLOPT_HEADERDATA)
SAME(NK_CURLOPT_FOLLOWLOCATION, CURLOPT_FOLLOWLOCATION)
SAME(NK_CURLOPT_MAXREDIRS, CURLOPT_MAXREDIRS)
SAME(NK_CURLOPT_HEADERFUNCTION, CURLOPT_HEADERFUNCTION)
SAME(NK_CURLOPT_HTTPGET, CURLOPT_HTTPGET)
SAME(NK_CURLOPT_NOSIGNAL, CURLOPT_NOSIGNAL)
SAME(NK_CURLOPT_CONNECTTIMEOUT_MS, CURLOPT_CONNECTTIMEOUT_MS)
SAME(NK_CURLOPT_PROTOCOLS, CURLOPT_PROTOCOLS)
SAME(NK_CURLOPT_REDIR_PROTOCOLS, CURLOPT_REDIR_PROTOCOLS)
SAME(NK_CURLPROTO_HTTP, CURLPROTO_HTTP)
SAME(NK_CURLPROTO_HTTPS, CURLPROTO_HTTPS)
SAME(NK_CURLE_OK, CURLE_OK)
SAME(NK_CURLE_WRITE_ERROR, CURLE_WRITE_ERROR)
SAME(NK_CURLE_OPERATION_TIMEDOUT, CURLE_OPERATION_TIMEDOUT)
SAME(NK_CURL_ERROR_SIZE, CURL_ERROR_SIZE)
int main(void) { return 0; }
C
# The two numbers private to nk_curl.c.
grep -q '#define NK_CURLINFO_RESPONSE_CODE 0x200002' Sources/CCurl/nk_curl.c
grep -q '#define NK_CURL_GLOBAL_DEFAULT 3' Sources/CCurl/nk_curl.c
cat >> "$work/abi.c" <<'C'
_Static_assert(CURLINFO_RESPONSE_CODE == 0x200002, "CURLINFO_RESPONSE_CODE");
_Static_assert(CURL_GLOBAL_DEFAULT == 3, "CURL_GLOBAL_DEFAULT");
C
cc -fsyntax-only -I Sources/CCurl/include "$work/abi.c"
echo "libcurl numbers: every one declared in Sources/CCurl is curl.h's ($(grep -o 'LIBCURL_VERSION "[^"]*"' "$(echo '#include <curl/curlver.h>' | cc -E -H - 2>&1 >/dev/null | grep -o '/[^ ]*curlver.h' | head -1)" || echo "curl.h"))"
