/* The wallet's records (client.h, docs/client.md "The wallet's records"):
 * an append-only file of JSON lines per address,
 *   {"kind": "sent", "txhash", "tx", "inputs": [{"utxo_pos", "tx" | null}], "time"}
 *   {"kind": "acked", "txhash", "blknum", "txindex"}
 *   {"kind": "refused", "txhash", "code"}
 * Appends hold an exclusive flock and are fsync'd before they return; a
 * reader holds a shared one. A line is complete once its newline is on
 * disk: a crash can only leave a torn last line, which readers ignore and
 * the next append cuts off. */
#include "client_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FILE_NAME "txs.jsonl"

int plasma_wallet_path(char *path, size_t path_len, const char *dir, const plasma_addr *owner)
{
    char a[43];
    int n = snprintf(path, path_len, "%s/%s/" FILE_NAME, dir, plasma_addr_format(a, owner));
    return n > 0 && (size_t)n < path_len ? 0 : PLASMA_ERR_BAD_REQUEST;
}

/* --- appending --- */

/* Cuts a last line left without its newline by a crash. */
static int cut_torn_tail(int fd)
{
    struct stat st;
    uint8_t chunk[4096];
    if (fstat(fd, &st) != 0)
        return PLASMA_ERR_IO;
    off_t end = st.st_size;
    while (end > 0) {
        size_t n = end < (off_t)sizeof chunk ? (size_t)end : sizeof chunk;
        if (pread(fd, chunk, n, end - (off_t)n) != (ssize_t)n)
            return PLASMA_ERR_IO;
        for (size_t i = n; i > 0; i--)
            if (chunk[i - 1] == '\n') {
                off_t keep = end - (off_t)n + (off_t)i;
                return keep == st.st_size || ftruncate(fd, keep) == 0 ? 0 : PLASMA_ERR_IO;
            }
        end -= (off_t)n;
    }
    return st.st_size == 0 || ftruncate(fd, 0) == 0 ? 0 : PLASMA_ERR_IO;
}

/* Appends one line (line ends with its newline) to owner's file. */
static int append_line(const char *dir, const plasma_addr *owner, const char *line)
{
    char path[4096], sub[4096];
    int rc = plasma_wallet_path(path, sizeof path, dir, owner);
    if (rc)
        return rc;
    snprintf(sub, sizeof sub, "%s", path);
    *strrchr(sub, '/') = '\0';
    if (plasma_mkdir_parents(sub) != 0)
        return PLASMA_ERR_IO;
    bool existed = access(path, F_OK) == 0;
    int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return PLASMA_ERR_IO;
    if (flock(fd, LOCK_EX) != 0)
        rc = PLASMA_ERR_IO;
    if (rc == 0)
        rc = cut_torn_tail(fd);
    if (rc == 0)
        rc = plasma_write_all(fd, line, strlen(line)) == 0 ? 0 : PLASMA_ERR_IO;
    if (rc == 0 && fsync(fd) != 0)
        rc = PLASMA_ERR_IO;
    close(fd);
    /* a new file's name is durable once its directory is synced */
    return rc == 0 && !existed && plasma_sync_parent_dir(path) != 0 ? PLASMA_ERR_IO : rc;
}

static int append_json(const char *dir, const plasma_addr *owner, json_t *obj)
{
    char *s = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    size_t len = s ? strlen(s) : 0;
    char *line = s ? malloc(len + 2) : NULL;
    int rc = line ? 0 : PLASMA_ERR_NOMEM;
    if (rc == 0) {
        memcpy(line, s, len);
        memcpy(line + len, "\n", 2);
        rc = append_line(dir, owner, line);
    }
    free(line);
    free(s);
    json_decref(obj);
    return rc;
}

static json_t *tx_json(const plasma_tx *tx, bool with_sigs)
{
    plasma_buf b = {0};
    json_t *j = NULL;
    if ((with_sigs ? plasma_tx_encode_signed(&b, tx) : plasma_tx_encode_unsigned(&b, tx)) == 0)
        j = plasma_json_hex(b.data, b.len);
    plasma_buf_free(&b);
    return j;
}

int plasma_wallet_record_sent(const char *dir, const plasma_addr *owner, const plasma_wallet_tx *rec)
{
    json_t *inputs = json_array();
    for (unsigned i = 0; inputs && i < rec->tx.n_inputs; i++) {
        json_t *in = json_pack("{s:o, s:o}", "utxo_pos", plasma_json_u64_str(rec->tx.inputs[i]), "tx",
                               rec->have_input_tx[i] ? tx_json(&rec->input_txs[i], false) : json_null());
        if (json_array_append_new(inputs, in) != 0) {
            json_decref(inputs);
            inputs = NULL;
        }
    }
    json_t *obj = inputs ? json_pack("{s:s, s:o, s:o, s:o, s:I}", "kind", "sent", "txhash",
                                     plasma_json_hash(&rec->txhash), "tx", tx_json(&rec->tx, true), "inputs",
                                     inputs, "time", (json_int_t)rec->time)
                         : NULL;
    return append_json(dir, owner, obj);
}

int plasma_wallet_record_answer(const char *dir, const plasma_addr *owner, const plasma_hash *txhash,
                                plasma_wallet_state state, uint64_t blknum, uint32_t txindex, int err)
{
    json_t *obj = state == PLASMA_WALLET_ACKED
                      ? json_pack("{s:s, s:o, s:I, s:I}", "kind", "acked", "txhash", plasma_json_hash(txhash),
                                  "blknum", (json_int_t)blknum, "txindex", (json_int_t)txindex)
                      : json_pack("{s:s, s:o, s:s}", "kind", "refused", "txhash", plasma_json_hash(txhash),
                                  "code", plasma_err_code(err));
    return append_json(dir, owner, obj);
}

/* --- reading --- */

typedef struct loaded {
    plasma_wallet_tx *recs;
    size_t n, cap;
} loaded;

/* A hex field that decodes as a tx: signed (a payment) or unsigned (any
 * kind a block holds). */
static bool read_tx(plasma_tx *tx, const json_t *j, bool signed_form)
{
    uint8_t *raw = NULL;
    size_t len = 0;
    const char *hex = json_string_value(j);
    bool ok =
        hex && plasma_hex_decode_alloc(&raw, &len, hex) == 0 &&
        (signed_form ? plasma_tx_decode_signed(tx, raw, len) : plasma_tx_decode_unsigned(tx, raw, len)) == 0;
    free(raw);
    return ok;
}

static bool read_input(plasma_wallet_tx *r, unsigned i, const json_t *in)
{
    uint64_t pos;
    const json_t *tx = json_object_get(in, "tx");
    if (!plasma_json_get_u64(&pos, in, "utxo_pos") || pos != r->tx.inputs[i])
        return false;
    if (json_is_null(tx))
        return true;
    r->have_input_tx[i] = read_tx(&r->input_txs[i], tx, false);
    return r->have_input_tx[i] && plasma_pos_oindex(pos) < r->input_txs[i].n_outputs;
}

static bool read_sent(plasma_wallet_tx *r, const json_t *o)
{
    const json_t *inputs = json_object_get(o, "inputs");
    plasma_hash h;
    memset(r, 0, sizeof *r);
    if (plasma_hash_parse(&r->txhash, plasma_json_get_str(o, "txhash")) != 0 ||
        !read_tx(&r->tx, json_object_get(o, "tx"), true) || plasma_tx_hash(&h, &r->tx) != 0 ||
        !plasma_hash_eq(&h, &r->txhash) || !plasma_json_get_u64(&r->time, o, "time") ||
        json_array_size(inputs) != r->tx.n_inputs)
        return false;
    for (unsigned i = 0; i < r->tx.n_inputs; i++)
        if (!read_input(r, i, json_array_get(inputs, i)))
            return false;
    return true;
}

/* The latest record of txhash, or NULL. */
static plasma_wallet_tx *find(loaded *l, const plasma_hash *txhash)
{
    for (size_t i = l->n; i > 0; i--)
        if (plasma_hash_eq(&l->recs[i - 1].txhash, txhash))
            return &l->recs[i - 1];
    return NULL;
}

static bool read_answer(loaded *l, const json_t *o, const char *kind)
{
    plasma_hash h;
    uint64_t blknum, txindex;
    if (plasma_hash_parse(&h, plasma_json_get_str(o, "txhash")) != 0)
        return false;
    plasma_wallet_tx *r = find(l, &h);
    if (strcmp(kind, "acked") == 0) {
        if (!plasma_json_get_u64(&blknum, o, "blknum") || !plasma_json_get_u64(&txindex, o, "txindex") ||
            txindex >= PLASMA_MAX_TXS_PER_BLOCK)
            return false;
        if (r) {
            r->state = PLASMA_WALLET_ACKED;
            r->blknum = blknum;
            r->txindex = (uint32_t)txindex;
        }
        return true;
    }
    int err = plasma_err_from_code(plasma_json_get_str(o, "code"));
    if (err >= 0)
        return false;
    if (r) {
        r->state = PLASMA_WALLET_REFUSED;
        r->refused = err;
    }
    return true;
}

static bool read_line(loaded *l, const char *line, size_t len)
{
    json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
    const char *kind = json_string_value(json_object_get(o, "kind"));
    bool ok = false;
    if (kind && strcmp(kind, "sent") == 0) {
        plasma_wallet_tx r;
        ok = read_sent(&r, o) && plasma_grow((void **)&l->recs, &l->cap, l->n + 1, sizeof r) == 0;
        if (ok)
            l->recs[l->n++] = r;
    } else if (kind && (strcmp(kind, "acked") == 0 || strcmp(kind, "refused") == 0)) {
        ok = read_answer(l, o, kind);
    }
    json_decref(o);
    return ok;
}

/* Reads the whole file under a shared lock. Out: *data (caller frees),
 * *len; a missing file is empty. */
static int read_file(const char *path, char **data, size_t *len)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    *data = NULL;
    *len = 0;
    if (fd < 0)
        return errno == ENOENT ? 0 : PLASMA_ERR_IO;
    int rc = flock(fd, LOCK_SH) == 0 && fstat(fd, &st) == 0 ? 0 : PLASMA_ERR_IO;
    if (rc == 0 && (uint64_t)st.st_size > PLASMA_WALLET_MAX_FILE)
        rc = PLASMA_ERR_IO;
    if (rc == 0 && !(*data = malloc((size_t)st.st_size + 1)))
        rc = PLASMA_ERR_NOMEM;
    size_t got = 0;
    while (rc == 0 && got < (size_t)st.st_size) {
        ssize_t r = read(fd, *data + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break; /* shorter than it was: read what is there */
        got += (size_t)r;
    }
    close(fd);
    if (rc) {
        free(*data);
        *data = NULL;
        return rc;
    }
    *len = got;
    return 0;
}

int plasma_wallet_load(const char *dir, const plasma_addr *owner, plasma_wallet_tx **recs, size_t *n,
                       char *errmsg, size_t errmsg_len)
{
    char path[4096], *data = NULL;
    size_t len = 0, line_no = 0;
    loaded l = {0};
    int rc = plasma_wallet_path(path, sizeof path, dir, owner);
    if (rc == 0)
        rc = read_file(path, &data, &len);
    /* Only complete lines: what follows the last newline is a torn write. */
    for (size_t at = 0; rc == 0 && at < len;) {
        char *nl = memchr(data + at, '\n', len - at);
        if (!nl)
            break;
        line_no++;
        if (!read_line(&l, data + at, (size_t)(nl - data - at))) {
            rc = PLASMA_ERR_BAD_REQUEST;
            if (errmsg && errmsg_len)
                snprintf(errmsg, errmsg_len, "%s: line %zu is not a wallet record", path, line_no);
        }
        at = (size_t)(nl - data) + 1;
    }
    free(data);
    if (rc) {
        free(l.recs);
        return rc;
    }
    *recs = l.recs;
    *n = l.n;
    return 0;
}
