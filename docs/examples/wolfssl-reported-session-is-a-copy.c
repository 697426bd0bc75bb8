/*
 * Reproducer of test_get.py::test_reported_session_is_the_set_object[tls13]: The reported session is the very object that was set.
 * Clause get (DESCRIPTION ¶1; SEE ALSO SSL_get_session): Between the set and the handshake, the connection reports the set session as its own.
 * Man page, SSL_set_session(3): "SSL_set_session() sets session to be used when the TLS/SSL connection is to be established. (SEE ALSO SSL_get_session)"
 * Library: wolfSSL 5.5.4 (adapter 'wolfssl': wolfSSL OpenSSL compatibility layer (C API through ctypes) 5.5.4)
 * Configuration: tls13: TLS 1.3 only, tickets (PSK resumption)
 * Outcome in the run: fail: the reported session is the set object: expected True, observed False
 *   expected: True
 *   observed: False
 * Made by: conformance reproduce reports/results/wolfssl.jsonl 'test_get.py::test_reported_session_is_the_set_object[tls13]' -o repro.c
 *
 * Standalone: no -dev headers; the prototypes below are declared here. Build and run:
 *     cc repro.c -o repro /usr/lib/x86_64-linux-gnu/libwolfssl.so.35.3.0 -Wl,-rpath,/usr/lib/x86_64-linux-gnu
 *     ./repro
 * It prints, for each check, what the man page leads one to expect and what was observed,
 * and exits 1 while the library deviates (or dies of the signal the run died of).
 */
#include <stddef.h>
#include <stdint.h>
#define HAVE_ALLOCATOR_HOOK 1
#define HAVE_USE_SESSION_TICKET 1
/* The wolfSSL calls, from the adapter's dialect table (one definition each). */
void * wolfSSL_BIO_new(void *);
#define op_bio_new wolfSSL_BIO_new
int wolfSSL_BIO_read(void *, void *, int);
#define op_bio_read wolfSSL_BIO_read
void * wolfSSL_BIO_s_mem(void);
#define op_bio_s_mem wolfSSL_BIO_s_mem
int wolfSSL_BIO_write(void *, const char *, int);
#define op_bio_write wolfSSL_BIO_write
int wolfSSL_CTX_check_private_key(void *);
#define op_ctx_check_key wolfSSL_CTX_check_private_key
int wolfSSL_CTX_load_verify_locations(void *, const char *, const char *);
#define op_ctx_load_verify wolfSSL_CTX_load_verify_locations
void * wolfSSL_CTX_new(void *);
#define op_ctx_new wolfSSL_CTX_new
long wolfSSL_CTX_set_session_cache_mode(void *, long);
#define op_ctx_set_cache_mode wolfSSL_CTX_set_session_cache_mode
int wolfSSL_CTX_set_max_proto_version(void *, int);
#define op_ctx_set_max_version wolfSSL_CTX_set_max_proto_version
int wolfSSL_CTX_set_min_proto_version(void *, int);
#define op_ctx_set_min_version wolfSSL_CTX_set_min_proto_version
long wolfSSL_CTX_set_options(void *, long);
#define op_ctx_set_options wolfSSL_CTX_set_options
void wolfSSL_CTX_sess_set_remove_cb(void *, void *);
#define op_ctx_set_remove_cb wolfSSL_CTX_sess_set_remove_cb
int wolfSSL_CTX_set_session_id_context(void *, const char *, unsigned int);
#define op_ctx_set_sid_context wolfSSL_CTX_set_session_id_context
void wolfSSL_CTX_set_verify(void *, int, void *);
#define op_ctx_set_verify wolfSSL_CTX_set_verify
int wolfSSL_CTX_use_certificate_chain_file(void *, const char *);
#define op_ctx_use_chain_file wolfSSL_CTX_use_certificate_chain_file
int wolfSSL_CTX_use_PrivateKey_file(void *, const char *, int);
#define op_ctx_use_key_file wolfSSL_CTX_use_PrivateKey_file
int wolfSSL_CTX_UseSessionTicket(void *);
#define op_ctx_use_session_ticket wolfSSL_CTX_UseSessionTicket
void wolfSSL_ERR_clear_error(void);
#define op_err_clear wolfSSL_ERR_clear_error
unsigned long wolfSSL_ERR_get_error(void);
#define op_err_get wolfSSL_ERR_get_error
void wolfSSL_ERR_error_string_n(unsigned long, void *, unsigned long);
#define op_err_string wolfSSL_ERR_error_string_n
int wolfSSL_SESSION_get_ex_new_index(long, void *, void *, void *, void *);
#define op_session_ex_new_index wolfSSL_SESSION_get_ex_new_index
void wolfSSL_SESSION_free(void *);
#define op_session_free wolfSSL_SESSION_free
void * wolfSSL_SESSION_get_ex_data(void *, int);
#define op_session_get_ex_data wolfSSL_SESSION_get_ex_data
void * wolfSSL_SESSION_get_id(void *, unsigned int *);
#define op_session_get_id wolfSSL_SESSION_get_id
int wolfSSL_SESSION_set_ex_data(void *, int, void *);
#define op_session_set_ex_data wolfSSL_SESSION_set_ex_data
int wolfSSL_SESSION_up_ref(void *);
#define op_session_up_ref wolfSSL_SESSION_up_ref
int wolfSSL_SetAllocators(void *, void *, void *);
#define op_set_allocators wolfSSL_SetAllocators
int wolfSSL_SSL_do_handshake(void *);
#define op_ssl_do_handshake wolfSSL_SSL_do_handshake
void wolfSSL_free(void *);
#define op_ssl_free wolfSSL_free
void * wolfSSL_get1_session(void *);
#define op_ssl_get1_session wolfSSL_get1_session
int wolfSSL_get_error(void *, int);
#define op_ssl_get_error wolfSSL_get_error
long wolfSSL_get_verify_result(void *);
#define op_ssl_get_verify_result wolfSSL_get_verify_result
void * wolfSSL_new(void *);
#define op_ssl_new wolfSSL_new
int wolfSSL_read(void *, void *, int);
#define op_ssl_read wolfSSL_read
int wolfSSL_set1_host(void *, const char *);
#define op_ssl_set1_host wolfSSL_set1_host
void wolfSSL_set_accept_state(void *);
#define op_ssl_set_accept_state wolfSSL_set_accept_state
void wolfSSL_set_bio(void *, void *, void *);
#define op_ssl_set_bio wolfSSL_set_bio
void wolfSSL_set_connect_state(void *);
#define op_ssl_set_connect_state wolfSSL_set_connect_state
int wolfSSL_set_session(void *, void *);
#define op_ssl_set_session wolfSSL_set_session
int wolfSSL_set_tlsext_host_name(void *, const char *);
#define op_ssl_set_sni wolfSSL_set_tlsext_host_name
int wolfSSL_shutdown(void *);
#define op_ssl_shutdown wolfSSL_shutdown
int wolfSSL_write(void *, const char *, int);
#define op_ssl_write wolfSSL_write
void * wolfSSLv23_method(void);
#define op_tls_method wolfSSLv23_method
const char * wolfSSL_lib_version(void);
#define op_version_text wolfSSL_lib_version
#define OP_NO_TICKET 0x80000
#define SESS_CACHE_OFF 0x0
#define SESS_CACHE_CLIENT 0x1
#define SESS_CACHE_SERVER 0x2
#define FILETYPE_PEM 0x1
#define VERIFY_PEER 0x1
#define SENT_SHUTDOWN 0x1
#define ERROR_WANT_READ 0x2
#define ERROR_WANT_WRITE 0x3
#define ERROR_ZERO_RETURN 0x6
#define FLUSH_ALL_TIME 0x0
#define TLS1_2 0x0303
#define TLS1_3 0x0304
#define SESSION_ID_CONTEXT "ssl-set-session-conformance"
#define SERVER_NAME "server.conformance.test"
/* TEST CERTIFICATE: a throwaway CA and server certificate, made with trustme for this
 * reproducer only (the server's is padded with names so that a full handshake, which sends
 * it, is longer than a resumed one). Never use them for anything else. */
#define LEAF_DER_LENGTH 4614
#define TEST_CA_PEM \
    "-----BEGIN CERTIFICATE-----\n" \
    "MIIByTCCAW+gAwIBAgIUDooIqMpxJ/sbbDSW00dm5eILp2wwCgYIKoZIzj0EAwIw\n" \
    "QDEXMBUGA1UECgwOdHJ1c3RtZSB2MS4yLjExJTAjBgNVBAsMHFRlc3RpbmcgQ0Eg\n" \
    "I1A5ZUVDaFFocU54U1AzY0cwIBcNMDAwMTAxMDAwMDAwWhgPMzAwMDAxMDEwMDAw\n" \
    "MDBaMEAxFzAVBgNVBAoMDnRydXN0bWUgdjEuMi4xMSUwIwYDVQQLDBxUZXN0aW5n\n" \
    "IENBICNQOWVFQ2hRaHFOeFNQM2NHMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n" \
    "S9V2FematqRSpT7XIskCNhJSyw7IToI8zSPaZX9cMXtznnrNl01W4xXyeSWMXINB\n" \
    "rYomC2XBmyap6JSSOPKDfqNFMEMwHQYDVR0OBBYEFDTdzRZGafg8YZ3smqhBkyjj\n" \
    "a4YAMBIGA1UdEwEB/wQIMAYBAf8CAQkwDgYDVR0PAQH/BAQDAgGGMAoGCCqGSM49\n" \
    "BAMCA0gAMEUCIFT6d/8z+CEp/wYSbNgotEaEDnwN7LwYNAQWXqgW2bSKAiEA9ItE\n" \
    "xOPtps8KHoylvJVi/WF0BFHvV7+kzHPfGln9tA4=\n" \
    "-----END CERTIFICATE-----\n"
#define TEST_CHAIN_PEM \
    "-----BEGIN CERTIFICATE-----\n" \
    "MIISAjCCEamgAwIBAgIUFi30WmF5MziHJlvyfGXEZEDwjZ0wCgYIKoZIzj0EAwIw\n" \
    "QDEXMBUGA1UECgwOdHJ1c3RtZSB2MS4yLjExJTAjBgNVBAsMHFRlc3RpbmcgQ0Eg\n" \
    "I1A5ZUVDaFFocU54U1AzY0cwIBcNMDAwMTAxMDAwMDAwWhgPMzAwMDAxMDEwMDAw\n" \
    "MDBaMEIxFzAVBgNVBAoMDnRydXN0bWUgdjEuMi4xMScwJQYDVQQLDB5UZXN0aW5n\n" \
    "IGNlcnQgI0Y1TzVOM0R4aWsyTmF2Y0swWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC\n" \
    "AASBjwKxDviqrI85tyUtIoP0xz5pBL9OfJoZgfutj0Tq7PQrly2EQ5So3B1epMlY\n" \
    "omQlSmfZW6SLTvUuccrgPVBxo4IQezCCEHcwHQYDVR0OBBYEFHkgDm0wJIOVjsVS\n" \
    "r5BYWKzI8DjEMAwGA1UdEwEB/wQCMAAwHwYDVR0jBBgwFoAUNN3NFkZp+Dxhneya\n" \
    "qEGTKONrhgAwgg/pBgNVHREBAf8Egg/dMIIP2YIXc2VydmVyLmNvbmZvcm1hbmNl\n" \
    "LnRlc3SCPTVmZWNlYjY2ZmZjODZmMzhkOTUyNzg2YzZkNjk2Yzc5YzJkYmMyMzku\n" \
    "cGFkLmNvbmZvcm1hbmNlLnRlc3SCPTZiODZiMjczZmYzNGZjZTE5ZDZiODA0ZWZm\n" \
    "NWEzZjU3NDdhZGE0ZWEucGFkLmNvbmZvcm1hbmNlLnRlc3SCPWQ0NzM1ZTNhMjY1\n" \
    "ZTE2ZWVlMDNmNTk3MThiOWI1ZDAzMDE5YzA3ZDgucGFkLmNvbmZvcm1hbmNlLnRl\n" \
    "c3SCPTRlMDc0MDg1NjJiZWRiOGI2MGNlMDVjMWRlY2ZlM2FkMTZiNzIyMzAucGFk\n" \
    "LmNvbmZvcm1hbmNlLnRlc3SCPTRiMjI3Nzc3ZDRkZDFmYzYxYzZmODg0ZjQ4NjQx\n" \
    "ZDAyYjRkMTIxZDMucGFkLmNvbmZvcm1hbmNlLnRlc3SCPWVmMmQxMjdkZTM3Yjk0\n" \
    "MmJhYWQwNjE0NWU1NGIwYzYxOWExZjIyMzIucGFkLmNvbmZvcm1hbmNlLnRlc3SC\n" \
    "PWU3ZjZjMDExNzc2ZThkYjdjZDMzMGI1NDE3NGZkNzZmN2QwMjE2YjYucGFkLmNv\n" \
    "bmZvcm1hbmNlLnRlc3SCPTc5MDI2OTliZTQyYzhhOGU0NmZiYmI0NTAxNzI2NTE3\n" \
    "ZTg2YjIyYzUucGFkLmNvbmZvcm1hbmNlLnRlc3SCPTJjNjI0MjMyY2RkMjIxNzcx\n" \
    "Mjk0ZGZiYjMxMGFjYTAwMGEwZGY2YWMucGFkLmNvbmZvcm1hbmNlLnRlc3SCPTE5\n" \
    "NTgxZTI3ZGU3Y2VkMDBmZjFjZTUwYjIwNDdlN2E1NjdjNzZiMWMucGFkLmNvbmZv\n" \
    "cm1hbmNlLnRlc3SCPTRhNDRkYzE1MzY0MjA0YTgwZmU4MGU5MDM5NDU1Y2MxNjA4\n" \
    "MjgxODIucGFkLmNvbmZvcm1hbmNlLnRlc3SCPTRmYzgyYjI2YWVjYjQ3ZDI4Njhj\n" \
    "NGVmYmUzNTgxNzMyYTNlN2NiY2MucGFkLmNvbmZvcm1hbmNlLnRlc3SCPTZiNTFk\n" \
    "NDMxZGY1ZDdmMTQxY2JlY2VjY2Y3OWVkZjNkZDg2MWMzYjQucGFkLmNvbmZvcm1h\n" \
    "bmNlLnRlc3SCPTNmZGJhMzVmMDRkYzhjNDYyOTg2Yzk5MmJjZjg3NTU0NjI1NzEx\n" \
    "MzAucGFkLmNvbmZvcm1hbmNlLnRlc3SCPTg1MjdhODkxZTIyNDEzNjk1MGZmMzJj\n" \
    "YTIxMmI0NWJjOTNmNjlmYmIucGFkLmNvbmZvcm1hbmNlLnRlc3SCPWU2MjlmYTY1\n" \
    "OThkNzMyNzY4ZjdjNzI2YjRiNjIxMjg1ZjljM2I4NTMucGFkLmNvbmZvcm1hbmNl\n" \
    "LnRlc3SCPWIxN2VmNmQxOWM3YTViMWVlODNiOTA3YzU5NTUyNmRjYjFlYjA2ZGIu\n" \
    "cGFkLmNvbmZvcm1hbmNlLnRlc3SCPTQ1MjM1NDBmMTUwNGNkMTcxMDBjNDgzNWU4\n" \
    "NWI3ZWVmZDQ5OTExNTgucGFkLmNvbmZvcm1hbmNlLnRlc3SCPTRlYzk1OTlmYzIw\n" \
    "M2QxNzZhMzAxNTM2YzJlMDkxYTE5YmM4NTI3NTkucGFkLmNvbmZvcm1hbmNlLnRl\n" \
    "c3SCPTk0MDBmMWIyMWNiNTI3ZDdmYTNkM2VhYmJhOTM1NTdhMThlYmU3YTIucGFk\n" \
    "LmNvbmZvcm1hbmNlLnRlc3SCPWY1Y2EzOGY3NDhhMWQ2ZWFmNzI2YjhhNDJmYjU3\n" \
    "NWMzYzcxZjE4NjQucGFkLmNvbmZvcm1hbmNlLnRlc3SCPTZmNGI2NjEyMTI1ZmIz\n" \
    "YTBkYWVjZDI3OTlkZmQ2YzljMjk5NDI0ZmQucGFkLmNvbmZvcm1hbmNlLnRlc3SC\n" \
    "PTc4NWYzZWM3ZWIzMmYzMGI5MGNkMGZjZjM2NTdkMzg4YjVmZjQyOTcucGFkLmNv\n" \
    "bmZvcm1hbmNlLnRlc3SCPTUzNWZhMzBkN2UyNWRkOGE0OWYxNTM2Nzc5NzM0ZWM4\n" \
    "Mjg2MTA4ZDEucGFkLmNvbmZvcm1hbmNlLnRlc3SCPWMyMzU2MDY5ZTlkMWU3OWNh\n" \
    "OTI0Mzc4MTUzY2ZiYmZiNGQ0NDE2YjEucGFkLmNvbmZvcm1hbmNlLnRlc3SCPWI3\n" \
    "YTU2ODczY2Q3NzFmMmM0NDZkMzY5YjY0OTQzMGI2NWE3NTZiYTIucGFkLmNvbmZv\n" \
    "cm1hbmNlLnRlc3SCPTVmOWM0YWIwOGNhYzc0NTdlOTExMWEzMGU0NjY0OTIwNjA3\n" \
    "ZWEyYzEucGFkLmNvbmZvcm1hbmNlLnRlc3SCPTY3MDY3MWNkOTc0MDQxNTYyMjZl\n" \
    "NTA3OTczZjJhYjgzMzBkMzAyMmMucGFkLmNvbmZvcm1hbmNlLnRlc3SCPTU5ZTE5\n" \
    "NzA2ZDUxZDM5ZjY2NzExYzI2NTNjZDdlYjEyOTFjOTRkOWIucGFkLmNvbmZvcm1h\n" \
    "bmNlLnRlc3SCPTM1MTM1YWFhNmNjMjM4OTFiNDBjYjNmMzc4YzUzYTE3YTExMjcy\n" \
    "MTAucGFkLmNvbmZvcm1hbmNlLnRlc3SCPTYyNGI2MGM1OGM5ZDhiZmI2ZmYxODg2\n" \
    "YzJmZDYwNWQyYWRlYjZlYTQucGFkLmNvbmZvcm1hbmNlLnRlc3SCPWViMWUzM2U4\n" \
    "YTgxYjY5N2I3NTg1NWFmNmJmY2RiY2JmN2NiYmRlOWYucGFkLmNvbmZvcm1hbmNl\n" \
    "LnRlc3SCPWUyOWM5YzE4MGM2Mjc5YjBiMDJhYmQ2YTE4MDFjN2MwNDA4MmNmNDgu\n" \
    "cGFkLmNvbmZvcm1hbmNlLnRlc3SCPWM2ZjNhYzU3OTQ0YTUzMTQ5MGNkMzk5MDJk\n" \
    "MGY3Nzc3MTVmZDAwNWUucGFkLmNvbmZvcm1hbmNlLnRlc3SCPTg2ZTUwMTQ5NjU4\n" \
    "NjYxMzEyYTllMGIzNTU1OGQ4NGY2YzZkM2RhNzkucGFkLmNvbmZvcm1hbmNlLnRl\n" \
    "c3SCPTlmMTQwMjVhZjAwNjViMzBlNDdlMjNlYmIzYjQ5MWQzOWFlOGVkMTcucGFk\n" \
    "LmNvbmZvcm1hbmNlLnRlc3SCPTc2YTUwODg3ZDhmMWMyZTkzMDE3NTU0Mjg5OTBh\n" \
    "ZDgxNDc5ZWUyMWMucGFkLmNvbmZvcm1hbmNlLnRlc3SCPTdhNjFiNTM3MDFiZWZk\n" \
    "YWUwZWVlZmZhZWNjNzNmMTRlMjBiNTM3YmIucGFkLmNvbmZvcm1hbmNlLnRlc3SC\n" \
    "PWFlYTkyMTMyYzRjYmViMjYzZTZhYzJiZjZjMTgzYjVkODE3MzdmMTcucGFkLmNv\n" \
    "bmZvcm1hbmNlLnRlc3SCPTBiOTE4OTQzZGYwOTYyYmM3YTE4MjRjMDU1NWEzODkz\n" \
    "NDdiNGZlYmQucGFkLmNvbmZvcm1hbmNlLnRlc3SCPWQ1OWVjZWQxZGVkMDdmODRj\n" \
    "MTQ1NTkyZjY1YmRmODU0MzU4ZTAwOWMucGFkLmNvbmZvcm1hbmNlLnRlc3SCPTNk\n" \
    "OTE0ZjkzNDhjOWNjMGZmOGE3OTcxNjcwMGI5ZmNkNGQyZjNlNzEucGFkLmNvbmZv\n" \
    "cm1hbmNlLnRlc3SCPTczNDc1Y2I0MGE1NjhlOGRhOGEwNDVjZWQxMTAxMzdlMTU5\n" \
    "Zjg5MGEucGFkLmNvbmZvcm1hbmNlLnRlc3SCPTQ0Y2I3MzBjNDIwNDgwYTA0Nzdi\n" \
    "NTA1YWU2OGFmNTA4ZmI5MGY5NmMucGFkLmNvbmZvcm1hbmNlLnRlc3SCPTcxZWU0\n" \
    "NWEzYzBkYjlhOTg2NWY3MzEzZGQzMzcyY2Y2MGRjYTY0NzkucGFkLmNvbmZvcm1h\n" \
    "bmNlLnRlc3SCPTgxMTc4NmFkMWFlNzRhZGZkZDIwZGQwMzcyYWJhYWViYzYyNDZl\n" \
    "MzQucGFkLmNvbmZvcm1hbmNlLnRlc3SCPTI1ZmMwZTcwOTZmYzY1MzcxODIwMmRj\n" \
    "MzBiMGM1ODBiOGFiODdlYWMucGFkLmNvbmZvcm1hbmNlLnRlc3SCPTMxNDg5MDU2\n" \
    "ZTA5MTZkNTlmZTNhZGQ3OWU2M2YwOTVhZjNmZmI4MTYucGFkLmNvbmZvcm1hbmNl\n" \
    "LnRlc3SCPTk4MDEwYmQ5MjcwZjliMTAwYjYyMTRhMjE3NTRmZDMzYmRjOGQ0MWIu\n" \
    "cGFkLmNvbmZvcm1hbmNlLnRlc3SCPTBlMTdkYWNhNWYzZTE3NWY0NDhiYWNhY2Uz\n" \
    "YmMwZGE0N2QwNjU1YTcucGFkLmNvbmZvcm1hbmNlLnRlc3SCPTFhNjU2MjU5MGVm\n" \
    "MTlkMTA0NWQwNmM0MDU1NzQyZDM4Mjg4ZTllNmQucGFkLmNvbmZvcm1hbmNlLnRl\n" \
    "c3SCPTAzMWI0YWY1MTk3ZWMzMGE5MjZmNDhjZjQwZTExYTdkYmM0NzAwNDgucGFk\n" \
    "LmNvbmZvcm1hbmNlLnRlc3SCPTQxY2ZjMGQxZjJkMTI3YjA0NTU1YjcyNDZkODQw\n" \
    "MTliNGQyNzcxMGEucGFkLmNvbmZvcm1hbmNlLnRlc3SCPTI4NThkY2QxMDU3ZDNl\n" \
    "YWU3ZjdkNWY3ODIxNjdlMjRiNjExNTNjMDEucGFkLmNvbmZvcm1hbmNlLnRlc3SC\n" \
    "PTJmY2EzNDZkYjY1NjE4NzEwMmNlODA2YWM3MzJlMDZhNjJkZjBkYmIucGFkLmNv\n" \
    "bmZvcm1hbmNlLnRlc3SCPTAyZDIwYmJkN2UzOTRhZDU5OTlhNGNlYmFiYWM5NjE5\n" \
    "NzMyYzM0M2EucGFkLmNvbmZvcm1hbmNlLnRlc3SCPTc2ODhiNmVmNTI1NTU5NjJk\n" \
    "MDA4ZmZmODk0MjIzNTgyYzQ4NDUxN2MucGFkLmNvbmZvcm1hbmNlLnRlc3SCPWM4\n" \
    "Mzc2NDljY2U0M2YyNzI5MTM4ZTcyY2MzMTUyMDcwNTdhYzgyNTkucGFkLmNvbmZv\n" \
    "cm1hbmNlLnRlc3SCPTYyMDhlZjBmNzc1MGMxMTE1NDhjZjkwYjZlYTFkMGQwYTY2\n" \
    "ZjZiZmYucGFkLmNvbmZvcm1hbmNlLnRlc3SCPTNlMWU5NjdlOWI3OTNlOTA4Zjhl\n" \
    "YWU4M2M3NGRiYTliY2NjY2U2YTUucGFkLmNvbmZvcm1hbmNlLnRlc3SCPTM5ZmE5\n" \
    "ZWMxOTBlZWU3YjZmNGRmZjExMDBkNjM0M2UxMDkxOGQwNDQucGFkLmNvbmZvcm1h\n" \
    "bmNlLnRlc3SCPWQwMjlmYTNhOTVlMTc0YTE5OTM0ODU3ZjUzNWViOTQyN2Q5Njcy\n" \
    "MTgucGFkLmNvbmZvcm1hbmNlLnRlc3SCPTgxYjhhMDNmOTdlODc4N2M1M2ZlMWE4\n" \
    "NmJkYTA0MmI2ZjBkZTliMGUucGFkLmNvbmZvcm1hbmNlLnRlc3SCPWRhNGVhMmE1\n" \
    "NTA2ZjI2OTNlYWUxOTBkOTM2MGExZjMxNzkzYzk4YTEucGFkLmNvbmZvcm1hbmNl\n" \
    "LnRlc3QwDgYDVR0PAQH/BAQDAgWgMCoGA1UdJQEB/wQgMB4GCCsGAQUFBwMCBggr\n" \
    "BgEFBQcDAQYIKwYBBQUHAwMwCgYIKoZIzj0EAwIDRwAwRAIgNECld21mXxd7VkFX\n" \
    "xkbcRtpPP2d6qpNgym0L9kMBrcgCIByLxTn+jN6d2bKW0VO3+oKr2dENPhtX7xSO\n" \
    "W7ACYRPY\n" \
    "-----END CERTIFICATE-----\n"
#define TEST_KEY_PEM \
    "-----BEGIN EC PRIVATE KEY-----\n" \
    "MHcCAQEEID0wW1zBzsxPObCoddAs60yRTIWq6VjVWDVHS8dLJddmoAoGCCqGSM49\n" \
    "AwEHoUQDQgAEgY8CsQ74qqyPObclLSKD9Mc+aQS/TnyaGYH7rY9E6uz0K5cthEOU\n" \
    "qNwdXqTJWKJkJUpn2Vuki071LnHK4D1QcQ==\n" \
    "-----END EC PRIVATE KEY-----\n"

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

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGABRT, on_signal); signal(SIGSEGV, on_signal); signal(SIGBUS, on_signal); signal(SIGILL, on_signal);
    write_certificates();
    start_lifetime();
    printf("library: %s\n", op_version_text());
    step("0: context config=tls13, side=server -> X1");
    Ctx *X1 = make_context(1, TLS1_3, 1, 1);
    step("1: context config=tls13, side=client -> X2");
    Ctx *X2 = make_context(0, TLS1_3, 1, 1);
    step("2: connection context=X2 -> C1");
    Conn *C1 = make_connection(X2);
    step("3: connection context=X1 -> C2");
    Conn *C2 = make_connection(X1);
    step("4: handshake client=C1, exchange=True, server=C2");
    long v4 = handshake(C1, C2, 1);
    step("5: get_session connection=C1 -> S1");
    void *S1 = get_session(C1);
    step("6: shutdown connection=C1");
    shutdown_connection(C1);
    step("7: release handle=C1");
    release_connection(C1);
    step("8: shutdown connection=C2");
    shutdown_connection(C2);
    step("9: release handle=C2");
    release_connection(C2);
    step("10: connection context=X2 -> C3");
    Conn *C3 = make_connection(X2);
    step("11: set_session connection=C3, session=S1");
    set_session(C3, S1, 0);
    step("12: get_session connection=C3 -> S2");
    void *S2 = get_session(C3);
    check("a session is reported after the set", "True", show_bool(S2 != NULL));
    step("13: same_session a=S1, b=S2");
    int v13 = S1 == S2;
    check("the reported session is the set object", "True", show_bool(v13));
    finish();
    return 0;
}
