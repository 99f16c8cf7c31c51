#include "nk_curl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static struct {
    void *(*easy_init)(void);
    void (*easy_cleanup)(void *);
    void (*easy_reset)(void *);
    int (*easy_setopt)(void *, int, ...);
    int (*easy_perform)(void *);
    int (*easy_getinfo)(void *, int, ...);
    const char *(*easy_strerror)(int);
    int (*global_init)(long);
    void *(*slist_append)(void *, const char *);
    void (*slist_free_all)(void *);
    const char *(*version)(void);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *load_error;
static char load_message[600];
static const char *version_text;

#define NK_CURLINFO_RESPONSE_CODE 0x200002
#define NK_CURL_GLOBAL_DEFAULT 3

static void *symbol(void *lib, const char *name) {
    void *p = dlsym(lib, name);
    if (!p && !load_error) {
        snprintf(load_message, sizeof load_message, "the libcurl found has no %s", name);
        load_error = load_message;
    }
    return p;
}

static void load(void) {
    static const char *const names[] = {"libcurl.so.4", "libcurl.so", "libcurl.4.dylib", "libcurl.dylib", NULL};
    // NKWATCH_LIBCURL names the library to use instead (a path or a name).
    const char *chosen = getenv("NKWATCH_LIBCURL");
    const char *const only[] = {chosen, NULL};
    const char *const *tried = chosen && *chosen ? only : names;
    void *lib = NULL;
    char first[400] = "";
    for (int i = 0; tried[i] && !lib; i++) {
        lib = dlopen(tried[i], RTLD_NOW | RTLD_LOCAL);
        if (!lib && !first[0]) {
            const char *why = dlerror();
            snprintf(first, sizeof first, "%s", why ? why : tried[i]);
        }
    }
    if (!lib) {
        snprintf(load_message, sizeof load_message, "downloading needs libcurl, which could not be loaded (%s); install it (Debian: apt-get install libcurl4)", first);
        load_error = load_message;
        return;
    }
    *(void **)&api.easy_init = symbol(lib, "curl_easy_init");
    *(void **)&api.easy_cleanup = symbol(lib, "curl_easy_cleanup");
    *(void **)&api.easy_reset = symbol(lib, "curl_easy_reset");
    *(void **)&api.easy_setopt = symbol(lib, "curl_easy_setopt");
    *(void **)&api.easy_perform = symbol(lib, "curl_easy_perform");
    *(void **)&api.easy_getinfo = symbol(lib, "curl_easy_getinfo");
    *(void **)&api.easy_strerror = symbol(lib, "curl_easy_strerror");
    *(void **)&api.global_init = symbol(lib, "curl_global_init");
    *(void **)&api.slist_append = symbol(lib, "curl_slist_append");
    *(void **)&api.slist_free_all = symbol(lib, "curl_slist_free_all");
    *(void **)&api.version = symbol(lib, "curl_version");
    if (load_error) return;
    int code = api.global_init(NK_CURL_GLOBAL_DEFAULT);
    if (code != NK_CURLE_OK) {
        snprintf(load_message, sizeof load_message, "libcurl failed to start: %s", api.easy_strerror(code));
        load_error = load_message;
        return;
    }
    version_text = api.version();
}

const char *nk_curl_load(void) {
    pthread_once(&once, load);
    return load_error;
}

const char *nk_curl_version(void) { return version_text; }

void *nk_curl_easy_init(void) { return nk_curl_load() ? NULL : api.easy_init(); }
void nk_curl_easy_reset(void *easy) { api.easy_reset(easy); }
void nk_curl_easy_cleanup(void *easy) { api.easy_cleanup(easy); }
int nk_curl_setopt_long(void *easy, int option, long value) { return api.easy_setopt(easy, option, value); }
int nk_curl_setopt_pointer(void *easy, int option, const void *value) { return api.easy_setopt(easy, option, value); }
int nk_curl_setopt_callback(void *easy, int option, nk_curl_data_callback callback) { return api.easy_setopt(easy, option, callback); }

int nk_curl_perform(void *easy) {
    sigset_t pipe_only, old;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
    int code = api.easy_perform(easy);
#if defined(__linux__)
    sigset_t pending;
    if (!sigismember(&old, SIGPIPE) && sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE)) {
        const struct timespec zero = {0, 0};
        sigtimedwait(&pipe_only, NULL, &zero);
    }
#endif
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return code;
}

long nk_curl_response_code(void *easy) {
    long code = 0;
    if (api.easy_getinfo(easy, NK_CURLINFO_RESPONSE_CODE, &code) != NK_CURLE_OK) return 0;
    return code;
}

const char *nk_curl_strerror(int code) { return api.easy_strerror(code); }
void *nk_curl_slist_append(void *list, const char *text) { return api.slist_append(list, text); }
void nk_curl_slist_free_all(void *list) { api.slist_free_all(list); }
