// libcurl's easy interface, loaded when the first transfer needs it
// (dlopen), so that commands that fetch nothing do not pay for loading
// libcurl and the libraries it depends on at start-up. No curl.h is needed
// to build: the few option numbers used are declared here with the values
// of curl.h (its ABI is stable; .ci/check-curl-abi.sh compares them).
#ifndef NK_CURL_H
#define NK_CURL_H

#include <stddef.h>

enum {
    NK_CURLOPT_WRITEDATA = 10001,
    NK_CURLOPT_URL = 10002,
    NK_CURLOPT_ERRORBUFFER = 10010,
    NK_CURLOPT_WRITEFUNCTION = 20011,
    NK_CURLOPT_USERAGENT = 10018,
    NK_CURLOPT_LOW_SPEED_LIMIT = 19,
    NK_CURLOPT_LOW_SPEED_TIME = 20,
    NK_CURLOPT_HTTPHEADER = 10023,
    NK_CURLOPT_HEADERDATA = 10029,
    NK_CURLOPT_FOLLOWLOCATION = 52,
    NK_CURLOPT_MAXREDIRS = 68,
    NK_CURLOPT_HEADERFUNCTION = 20079,
    NK_CURLOPT_HTTPGET = 80,
    NK_CURLOPT_NOSIGNAL = 99,
    NK_CURLOPT_CONNECTTIMEOUT_MS = 156,
    NK_CURLOPT_PROTOCOLS = 181,
    NK_CURLOPT_REDIR_PROTOCOLS = 182,
};

enum {
    NK_CURLPROTO_HTTP = 1,
    NK_CURLPROTO_HTTPS = 2,
    NK_CURLE_OK = 0,
    NK_CURLE_WRITE_ERROR = 23,
    NK_CURLE_OPERATION_TIMEDOUT = 28,
    NK_CURL_ERROR_SIZE = 256,
};

/// curl's write and header callbacks: bytes, 1, count, the user's pointer;
/// returns the count taken (anything else ends the transfer).
typedef size_t (*nk_curl_data_callback)(char *data, size_t size, size_t count, void *context);

/// Loads libcurl and initialises it, once per process. NULL when it is
/// ready, else why not (static storage).
const char *nk_curl_load(void);
/// libcurl's version text ("libcurl/7.88.1 OpenSSL/3.0.17 ..."), or NULL before a load.
const char *nk_curl_version(void);

void *nk_curl_easy_init(void);
void nk_curl_easy_reset(void *easy);
void nk_curl_easy_cleanup(void *easy);
int nk_curl_setopt_long(void *easy, int option, long value);
int nk_curl_setopt_pointer(void *easy, int option, const void *value);
int nk_curl_setopt_callback(void *easy, int option, nk_curl_data_callback callback);
/// curl_easy_perform with SIGPIPE blocked on the calling thread: a write to
/// a connection the server closed fails with EPIPE instead of ending the
/// process, and the signal it raised is taken before the mask is restored.
int nk_curl_perform(void *easy);
/// The last response's status code (0 when none came).
long nk_curl_response_code(void *easy);
const char *nk_curl_strerror(int code);
void *nk_curl_slist_append(void *list, const char *text);
void nk_curl_slist_free_all(void *list);

#endif
