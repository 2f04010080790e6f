#ifndef IDEMTOP_CLIBPQ_SHIM_H
#define IDEMTOP_CLIBPQ_SHIM_H
// Debian's libpq-dev puts the client header under /usr/include/postgresql.
#include <postgresql/libpq-fe.h>
#endif
