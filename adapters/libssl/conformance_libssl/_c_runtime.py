"""The C side of a reproducer: what every C program needs besides the replayed calls.

Design: C text, in pieces the generator (``_reproducer``) puts together. Every
library call here goes through an ``op_*`` name, and the ``op_*`` names are
defined by the generator from the dialect table (``_dialects``), so each C call
has one definition, shared with the ctypes adapter. The pieces mirror the
adapter's methods: ``make_context`` its context set-up steps, ``make_connection``
its memory BIOs, ``handshake`` the lab's pump, ``set_session``/``get_session``
its calls, and the observers (ex_data free callback, allocator free hook,
remove callback, BoringSSL's new-session callback) those of ``_observers`` and
``_new_sessions``. Optional pieces are switched with preprocessor flags the
generator sets (``HAVE_*``).
"""

from __future__ import annotations

__all__ = ["RUNTIME"]

RUNTIME = r"""
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK 65536
#define MAX_ROUNDS 20
#define MAX_HANDLES 256

typedef struct { void *ctx; int server; } Ctx;
typedef struct { void *ssl; void *rbio; void *wbio; int server; } Conn;
typedef struct { int ret; char errors[4096]; char queue[4096]; } Raw;

static unsigned char buffer[CHUNK];
static int deviations = 0;
static char last_step[512] = "(before the first step)";
static char cert_dir[] = "/tmp/repro-certs-XXXXXX";
static char ca_file[256], chain_file[256], key_file[256];

static void finish(void) {
    printf("RESULT: %s\n", deviations ? "DEVIATES" : "as documented");
    exit(deviations ? 1 : 0);
}

static void report(const char *what, const char *expected, const char *observed, int ok) {
    printf("CHECK %s\n  expected: %s\n  observed: %s\n  -> %s\n", what, expected, observed,
           ok ? "as documented" : "DEVIATES");
    if (!ok) deviations++;
}

static void check(const char *what, const char *expected, const char *observed) {
    report(what, expected, observed, strcmp(expected, observed) == 0);
}

static void step(const char *text) {
    snprintf(last_step, sizeof last_step, "%s", text);
    printf("%s\n", text);
}

/* A crash is the observation: say so, then die of the same signal. */
static void on_signal(int sig) {
    char line[800];
    int n = snprintf(line, sizeof line,
                     "CHECK %s\n  expected: the call returns (a designed answer, no crash)\n"
                     "  observed: the process died of signal %s (%d)\n  -> DEVIATES\n",
                     last_step, sig == SIGABRT ? "SIGABRT" : sig == SIGSEGV ? "SIGSEGV" :
                     sig == SIGBUS ? "SIGBUS" : sig == SIGILL ? "SIGILL" : "a signal", sig);
    if (n > 0) { ssize_t ignored = write(1, line, (size_t)n); (void)ignored; }
    signal(sig, SIG_DFL);
    raise(sig);
}

static const char *show_bool(int value) { return value ? "True" : "False"; }

/* The error queue, oldest first, joined by "; " (empty string if none). */
static void take_errors(char *out, size_t size) {
    unsigned long code;
    char text[256];
    out[0] = 0;
    while ((code = op_err_get()) != 0) {
        op_err_string(code, text, sizeof text);
        if (out[0]) strncat(out, "; ", size - strlen(out) - 1);
        strncat(out, text, size - strlen(out) - 1);
    }
}

static void describe_errors(char *out, size_t size) {
    take_errors(out, size);
    if (!out[0]) snprintf(out, size, "the error queue is empty");
}

static void write_file(char *path, size_t size, const char *name, const char *text) {
    snprintf(path, size, "%s/%s", cert_dir, name);
    FILE *file = fopen(path, "w");
    if (!file || fputs(text, file) < 0 || fclose(file) != 0) {
        perror(path);
        exit(2);
    }
}

static void write_certificates(void) {
    if (!mkdtemp(cert_dir)) { perror("mkdtemp"); exit(2); }
    write_file(ca_file, sizeof ca_file, "ca.pem", TEST_CA_PEM);
    write_file(chain_file, sizeof chain_file, "chain.pem", TEST_CHAIN_PEM);
    write_file(key_file, sizeof key_file, "key.pem", TEST_KEY_PEM);
}

/* -- observers --------------------------------------------------------------------------- */
static int freed_tokens[MAX_HANDLES];
static int next_token = 0;

#ifdef HAVE_ALLOCATOR_HOOK
/* wolfSSL without ex_data cleanup hooks: watch the library's free() of tracked sessions. */
static void *watched[MAX_HANDLES];
static void on_free(void *pointer) {
    for (int token = 1; token <= next_token; token++)
        if (pointer && watched[token] == pointer) { freed_tokens[token] = 1; watched[token] = NULL; }
    free(pointer);
}
static void start_lifetime(void) { op_set_allocators(NULL, (void *)on_free, NULL); }
static int track(void *session) {
    for (int token = 1; token <= next_token; token++)
        if (watched[token] == session) return token;
    watched[++next_token] = session;
    return next_token;
}
#else
/* An SSL_SESSION ex_data index whose free callback notes the death of tracked sessions. */
static int ex_index = -1;
static void on_ex_free(void *parent, void *pointer, void *ad, int idx, long argl, void *argp) {
    intptr_t token = (intptr_t)pointer;
    if (token > 0 && token < MAX_HANDLES) freed_tokens[token] = 1;
}
static int on_ex_dup(void *to, const void *from, void **from_d, int idx, long argl, void *argp) {
    *from_d = NULL; /* a copy is another object: it carries no token */
    return 1;
}
static void start_lifetime(void) {
    ex_index = op_session_ex_new_index(0, NULL, NULL, (void *)on_ex_dup, (void *)on_ex_free);
}
static int track(void *session) {
    intptr_t token = (intptr_t)op_session_get_ex_data(session, ex_index);
    if (token > 0 && token <= next_token && !freed_tokens[token]) return (int)token;
    op_session_set_ex_data(session, ex_index, (void *)(intptr_t)++next_token);
    return next_token;
}
#endif

#ifdef HAVE_CACHE_EVENTS
static void *removal_contexts[MAX_HANDLES];
static long removals[MAX_HANDLES];
static void on_remove(void *ctx, void *session) {
    for (int i = 0; i < MAX_HANDLES; i++)
        if (removal_contexts[i] == ctx || !removal_contexts[i]) { removal_contexts[i] = ctx; removals[i]++; return; }
}
static long removals_of(void *ctx) {
    for (int i = 0; i < MAX_HANDLES && removal_contexts[i]; i++)
        if (removal_contexts[i] == ctx) return removals[i];
    return 0;
}
#endif

#ifdef HAVE_NEW_SESSION_CB
/* BoringSSL, TLS 1.3: resumable client sessions come only through the new-session callback. */
static void *newest_ssl[MAX_HANDLES], *newest_session[MAX_HANDLES];
static void forget_newest(void *ssl) {
    for (int i = 0; i < MAX_HANDLES; i++)
        if (newest_ssl[i] == ssl && ssl) { op_session_free(newest_session[i]); newest_ssl[i] = newest_session[i] = NULL; }
}
static int on_new_session(void *ssl, void *session) {
    if (!ssl || !session) return 0;
    forget_newest(ssl);
    for (int i = 0; i < MAX_HANDLES; i++)
        if (!newest_ssl[i]) { newest_ssl[i] = ssl; newest_session[i] = session; return 1; }
    return 0;
}
#endif

/* -- contexts and connections (as LibsslAdapter.make_context / make_connection) ---------- */
static void setup_step(int ok, const char *call) {
    char errors[4096];
    if (ok) return;
    describe_errors(errors, sizeof errors);
    printf("cannot build the configuration: %s failed: %s\n", call, errors);
    exit(2);
}

static Ctx *make_context(int server, int version, int tickets, int server_cache) {
    Ctx *x = calloc(1, sizeof *x);
    x->server = server;
    x->ctx = op_ctx_new(op_tls_method());
    setup_step(x->ctx != NULL, "SSL_CTX_new");
    op_err_clear(); setup_step(op_ctx_set_min_version(x->ctx, version) == 1, "SSL_CTX_set_min_proto_version");
    op_err_clear(); setup_step(op_ctx_set_max_version(x->ctx, version) == 1, "SSL_CTX_set_max_proto_version");
    if (!tickets) {
        op_err_clear();
        setup_step((op_ctx_set_options(x->ctx, OP_NO_TICKET) & OP_NO_TICKET) != 0, "SSL_CTX_set_options(SSL_OP_NO_TICKET)");
    }
    if (server) {
        op_err_clear(); setup_step(op_ctx_use_chain_file(x->ctx, chain_file) == 1, "SSL_CTX_use_certificate_chain_file");
        op_err_clear(); setup_step(op_ctx_use_key_file(x->ctx, key_file, FILETYPE_PEM) == 1, "SSL_CTX_use_PrivateKey_file");
        op_err_clear(); setup_step(op_ctx_check_key(x->ctx) == 1, "SSL_CTX_check_private_key");
        op_err_clear();
        setup_step(op_ctx_set_sid_context(x->ctx, SESSION_ID_CONTEXT, strlen(SESSION_ID_CONTEXT)) == 1,
                   "SSL_CTX_set_session_id_context");
        op_ctx_set_cache_mode(x->ctx, server_cache ? SESS_CACHE_SERVER : SESS_CACHE_OFF);
    } else {
        op_err_clear(); setup_step(op_ctx_load_verify(x->ctx, ca_file, NULL) == 1, "SSL_CTX_load_verify_locations");
        op_ctx_set_verify(x->ctx, VERIFY_PEER, NULL);
#ifdef HAVE_NEW_SESSION_CB
        op_ctx_set_cache_mode(x->ctx, SESS_CACHE_CLIENT);
        op_ctx_set_new_cb(x->ctx, (void *)on_new_session);
#endif
#ifdef HAVE_USE_SESSION_TICKET
        if (tickets) { op_err_clear(); setup_step(op_ctx_use_session_ticket(x->ctx) == 1, "wolfSSL_CTX_UseSessionTicket"); }
#endif
    }
#ifdef HAVE_CACHE_EVENTS
    op_ctx_set_remove_cb(x->ctx, (void *)on_remove);
#endif
    return x;
}

static Conn *make_connection(Ctx *x) {
    Conn *c = calloc(1, sizeof *c);
    c->server = x->server;
    c->ssl = op_ssl_new(x->ctx);
    c->rbio = op_bio_new(op_bio_s_mem());
    c->wbio = op_bio_new(op_bio_s_mem());
    op_ssl_set_bio(c->ssl, c->rbio, c->wbio);
    if (x->server) {
        op_ssl_set_accept_state(c->ssl);
    } else {
        op_ssl_set_connect_state(c->ssl);
        op_err_clear();
        setup_step(op_ssl_set1_host(c->ssl, SERVER_NAME) == 1 && op_ssl_set_sni(c->ssl, SERVER_NAME) == 1,
                   "SSL_set1_host/SNI");
    }
    return c;
}

/* -- the handshake in memory (as the lab pumps it) ----------------------------------------- */
static int wants_more(void *ssl, int result, int closed_is_fine) {
    int code = op_ssl_get_error(ssl, result);
    return code == ERROR_WANT_READ || code == ERROR_WANT_WRITE || (closed_is_fine && code == ERROR_ZERO_RETURN);
}

static void failed(const char *call, Conn *c, int result) {
    char errors[4096], observed[8192];
    int code = op_ssl_get_error(c->ssl, result);
    describe_errors(errors, sizeof errors);
    long verify = op_ssl_get_verify_result(c->ssl);
    int n = snprintf(observed, sizeof observed, "it failed: %s on the %s returned %d, SSL_get_error %d; %s",
                     call, c->server ? "server" : "client", result, code, errors);
    if (verify && n > 0) snprintf(observed + n, sizeof observed - (size_t)n, "; certificate verify result %ld", verify);
    report(last_step, "the handshake completes", observed, 0);
    finish();
}

static int advance(Conn *c) {
    op_err_clear();
    int result = op_ssl_do_handshake(c->ssl);
    if (result == 1) return 1;
    if (wants_more(c->ssl, result, 0)) return 0;
    failed("SSL_do_handshake", c, result);
    return 0;
}

static long move_bytes(Conn *from, Conn *to) {
    long moved = 0;
    int count;
    while ((count = op_bio_read(from->wbio, buffer, CHUNK)) > 0) {
        op_bio_write(to->rbio, (const char *)buffer, count);
        moved += count;
    }
    return moved;
}

static size_t read_data(Conn *c, char *into, size_t have, size_t size) {
    for (;;) {
        op_err_clear();
        int count = op_ssl_read(c->ssl, buffer, CHUNK);
        if (count > 0) {
            if (have + (size_t)count < size) memcpy(into + have, buffer, (size_t)count);
            have += (size_t)count;
            continue;
        }
        if (wants_more(c->ssl, count, 1)) return have;
        failed("SSL_read", c, count);
    }
}

static long deliver(Conn *sender, Conn *receiver, const char *data) {
    char received[256];
    size_t have = 0;
    long sent = 0;
    op_err_clear();
    if (op_ssl_write(sender->ssl, data, (int)strlen(data)) != (int)strlen(data)) failed("SSL_write", sender, -1);
    for (int round = 0; round < MAX_ROUNDS; round++) {
        sent += move_bytes(sender, receiver);
        have = read_data(receiver, received, have, sizeof received);
        move_bytes(receiver, sender);
        if (have == strlen(data) && memcmp(received, data, have) == 0) return sent;
    }
    report(last_step, "the handshake completes", "it failed: the data did not arrive", 0);
    finish();
    return sent;
}

/* The bytes the server sent, from its first flight to the end of the data exchange. */
static long handshake(Conn *client, Conn *server, int exchange) {
    int client_done = 0, server_done = 0;
    long server_bytes = 0;
    for (int round = 0;; round++) {
        if (round == MAX_ROUNDS) {
            report(last_step, "the handshake completes", "it failed: no end after 20 rounds", 0);
            finish();
        }
        if (!client_done) client_done = advance(client);
        long moved = move_bytes(client, server);
        if (!server_done) server_done = advance(server);
        long back = move_bytes(server, client);
        server_bytes += back;
        if (client_done && server_done && !(moved + back)) break;
    }
    if (exchange) {
        server_bytes += deliver(server, client, "from-server");
        deliver(client, server, "from-client");
    }
    return server_bytes;
}

static void check_wire(const char *what, const char *expected, long server_bytes) {
    char observed[256];
    int resumed = server_bytes < LEAF_DER_LENGTH;
    snprintf(observed, sizeof observed, "%s on the wire: the server sent %ld bytes (the leaf certificate alone is %d)",
             resumed ? "resumed" : "full", server_bytes, LEAF_DER_LENGTH);
    report(what, expected, observed, resumed == (strcmp(expected, "a resumed handshake") == 0));
}

/* -- the API under test (as LibsslAdapter.set_session_raw / set_session / get_session) ---- */
static Raw set_session_raw(Conn *c, void *session) {
    Raw raw;
    op_err_clear();
    raw.ret = op_ssl_set_session(c->ssl, session);
    take_errors(raw.queue, sizeof raw.queue);
    if (raw.queue[0]) snprintf(raw.errors, sizeof raw.errors, "('%s',)", raw.queue);
    else snprintf(raw.errors, sizeof raw.errors, "()");
    return raw;
}

static void check_raw(const char *what, const char *expected, Raw raw) {
    char observed[4200];
    snprintf(observed, sizeof observed, "%d with error queue: %s", raw.ret, raw.queue[0] ? raw.queue : "empty");
    report(what, expected, observed, (raw.ret == 1 && !raw.queue[0]) || (raw.ret == 0 && raw.queue[0]));
}

static void set_session(Conn *c, void *session, int refusal_allowed) {
    Raw raw = set_session_raw(c, session);
    if (raw.ret == 1) return;
    char observed[4300];
    snprintf(observed, sizeof observed, "refused: set_session was refused: SSL_set_session returned %d: %s",
             raw.ret, raw.queue[0] ? raw.queue : "no error-queue entry");
    if (refusal_allowed) { printf("  %s (which this clause allows)\n", observed); return; }
    report(last_step, "the call is accepted (returns 1)", observed, 0);
    finish();
}

static void *get_session(Conn *c) {
    void *session = op_ssl_get1_session(c->ssl);
#ifdef HAVE_NEW_SESSION_CB
    for (int i = 0; session && i < MAX_HANDLES; i++)
        if (newest_ssl[i] == c->ssl && !op_session_is_resumable(session)) {
            op_session_free(session);
            op_session_up_ref(newest_session[i]);
            return newest_session[i];
        }
#endif
    return session;
}

static void shutdown_connection(Conn *c) {
    op_err_clear();
    int result = op_ssl_shutdown(c->ssl);
    if (result < 0 && !wants_more(c->ssl, result, 0)) printf("  SSL_shutdown returned %d\n", result);
}

static void release_connection(Conn *c) {
    void *ssl = c->ssl;
    op_ssl_free(ssl);
#ifdef HAVE_NEW_SESSION_CB
    forget_newest(ssl);
#endif
}

static void show_id(void *session, char *out, size_t size) {
    unsigned int length = 0;
    const unsigned char *id = op_session_get_id(session, &length);
    out[0] = 0;
    for (unsigned int i = 0; id && i < length && 2 * i + 2 < size; i++) sprintf(out + 2 * i, "%02x", id[i]);
    if (!out[0]) snprintf(out, size, "(empty)");
}
"""
