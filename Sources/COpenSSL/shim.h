// The system OpenSSL 3 (Debian's libssl-dev), for rediss:// connections. Macros Swift cannot import are wrapped
// in static inline functions here.
#ifndef IDEMTOP_COPENSSL_SHIM_H
#define IDEMTOP_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

/// SNI: the server name sent in the ClientHello (SSL_set_tlsext_host_name is a macro).
static inline long idem_ssl_set_sni(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}
#endif
