/* Fuzz target: the wallet's records file (docs/client.md, "The wallet's
 * records"), as plasma_wallet_load reads it: the input is the file's
 * contents. Only documented errors may come back, a refusal with a
 * message; every record read back is a signed payment whose hash is its
 * txhash, whose input txs hold the outputs they are said to create. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "plasma/client.h"

static char dir[64];
static char path[256];
static plasma_addr owner;

static char sub[256];

/* The private directory goes when the process ends. */
static void remove_dir(void)
{
    unlink(path);
    rmdir(sub);
    rmdir(dir);
}

/* The records file of owner under a private directory, made once. */
static void prepare(void)
{
    if (dir[0])
        return;
    snprintf(dir, sizeof dir, "/tmp/plasma-fuzz-wallet-XXXXXX");
    FUZZ_CHECK(mkdtemp(dir) != NULL);
    FUZZ_CHECK(plasma_dev_addr(&owner, 1) == 0);
    FUZZ_CHECK(plasma_wallet_path(path, sizeof path, dir, &owner) == 0);
    snprintf(sub, sizeof sub, "%s", path);
    *strrchr(sub, '/') = '\0';
    FUZZ_CHECK(plasma_mkdir_parents(sub) == 0);
    atexit(remove_dir);
}

static void check_record(const plasma_wallet_tx *r)
{
    plasma_hash h;
    FUZZ_CHECK(plasma_tx_hash(&h, &r->tx) == 0 && plasma_hash_eq(&h, &r->txhash));
    FUZZ_CHECK(plasma_tx_check(&r->tx, true) == 0);
    for (unsigned i = 0; i < r->tx.n_inputs; i++)
        FUZZ_CHECK(!r->have_input_tx[i] || plasma_pos_oindex(r->tx.inputs[i]) < r->input_txs[i].n_outputs);
    FUZZ_CHECK(r->state <= PLASMA_WALLET_REFUSED && (r->state != PLASMA_WALLET_REFUSED || r->refused < 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    prepare();
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
    close(fd);
    plasma_wallet_tx *recs = NULL;
    size_t n = 0;
    char msg[300] = "";
    int rc = plasma_wallet_load(dir, &owner, &recs, &n, msg, sizeof msg);
    FUZZ_CHECK(rc == 0 || rc == PLASMA_ERR_BAD_REQUEST || rc == PLASMA_ERR_NOMEM);
    FUZZ_CHECK(rc != PLASMA_ERR_BAD_REQUEST || strstr(msg, "line"));
    for (size_t i = 0; rc == 0 && i < n; i++)
        check_record(&recs[i]);
    FUZZ_CHECK(rc == 0 || recs == NULL);
    free(recs);
    return 0;
}
