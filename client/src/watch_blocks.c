/* Files of verified blocks (see watch_blocks.h). A file is
 *   "PWB1" | n (4 bytes) | offs[0 .. n] (4 bytes each) | the txs | n leaves
 * numbers big-endian, offs relative to the first tx: tx i is bytes
 * offs[i] .. offs[i+1] of the txs. */
#include "watch_blocks.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plasma/err.h"
#include "watch_view.h"

static const uint8_t MAGIC[4] = {'P', 'W', 'B', '1'};

static size_t txs_at(uint32_t n)
{
    return 8 + 4 * ((size_t)n + 1);
}

static int block_path(char *path, size_t len, const char *data_dir, uint64_t blknum)
{
    int k = snprintf(path, len, "%s/blocks/%llu", data_dir, (unsigned long long)blknum);
    return k > 0 && (size_t)k < len ? 0 : PLASMA_ERR_IO;
}

int watch_blocks_write(const char *data_dir, uint64_t blknum, size_t n, const uint8_t *txs,
                       const size_t *offs, const plasma_hash *leaves)
{
    char dir[PATH_MAX], path[PATH_MAX];
    size_t head_len = txs_at((uint32_t)n), tx_len = offs[n];
    if (n > UINT32_MAX - 1 || tx_len > UINT32_MAX || block_path(path, sizeof path, data_dir, blknum) != 0)
        return PLASMA_ERR_IO;
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0'; /* DIR/blocks */
    uint8_t *head = malloc(head_len);
    if (!head)
        return PLASMA_ERR_NOMEM;
    memcpy(head, MAGIC, 4);
    watch_be32(head + 4, (uint32_t)n);
    for (size_t i = 0; i <= n; i++)
        watch_be32(head + 8 + 4 * i, (uint32_t)offs[i]);
    int rc = plasma_mkdir_parents(dir) == 0 ? 0 : PLASMA_ERR_IO, fd = -1;
    if (rc == 0 && (fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
        rc = PLASMA_ERR_IO;
    if (rc == 0 && (plasma_write_all(fd, head, head_len) != 0 || plasma_write_all(fd, txs, tx_len) != 0 ||
                    plasma_write_all(fd, leaves, n * sizeof *leaves) != 0 || fdatasync(fd) != 0))
        rc = PLASMA_ERR_IO;
    if (fd >= 0 && close(fd) != 0)
        rc = PLASMA_ERR_IO;
    if (rc == 0 && plasma_sync_parent_dir(path) != 0) /* the new file's name reaches the disk too */
        rc = PLASMA_ERR_IO;
    free(head);
    return rc;
}

static int read_at(int fd, void *out, size_t len, off_t at)
{
    uint8_t *p = out;
    while (len) {
        ssize_t k = pread(fd, p, len, at);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return PLASMA_ERR_IO;
        p += k;
        len -= (size_t)k;
        at += k;
    }
    return 0;
}

/* Opens blknum's file and checks it holds n transactions. Out: *fd, *tx_len
 * (the bytes of the txs). */
static int open_block(const char *data_dir, uint64_t blknum, uint32_t n, int *fd, size_t *tx_len)
{
    char path[PATH_MAX];
    uint8_t head[8], last[4];
    struct stat st;
    *fd = -1;
    if (block_path(path, sizeof path, data_dir, blknum) != 0 || (*fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return PLASMA_ERR_IO;
    int rc = fstat(*fd, &st) == 0 ? read_at(*fd, head, 8, 0) : PLASMA_ERR_IO;
    if (rc == 0 && (memcmp(head, MAGIC, 4) != 0 || watch_rd32(head + 4) != n))
        rc = PLASMA_ERR_IO;
    if (rc == 0)
        rc = read_at(*fd, last, 4, (off_t)(txs_at(n) - 4));
    if (rc == 0) {
        *tx_len = watch_rd32(last);
        if ((uint64_t)st.st_size != txs_at(n) + *tx_len + (uint64_t)n * sizeof(plasma_hash))
            rc = PLASMA_ERR_IO;
    }
    if (rc) {
        close(*fd);
        *fd = -1;
    }
    return rc;
}

int watch_blocks_read_tx(const char *data_dir, uint64_t blknum, uint32_t n, uint32_t txindex, plasma_buf *tx)
{
    int fd;
    size_t tx_len;
    uint8_t span[8];
    if (txindex >= n)
        return PLASMA_ERR_NOT_FOUND;
    uint32_t from = 0, to = 0;
    int rc = open_block(data_dir, blknum, n, &fd, &tx_len);
    if (rc == 0 && (rc = read_at(fd, span, 8, (off_t)(8 + 4 * (size_t)txindex))) == 0) {
        from = watch_rd32(span);
        to = watch_rd32(span + 4);
        if (from > to || to > tx_len)
            rc = PLASMA_ERR_IO;
    }
    if (rc == 0)
        rc = plasma_buf_reserve(tx, to - from);
    if (rc == 0 && (rc = read_at(fd, tx->data + tx->len, to - from, (off_t)(txs_at(n) + from))) == 0)
        tx->len += to - from;
    if (fd >= 0)
        close(fd);
    return rc;
}

int watch_blocks_read_leaves(const char *data_dir, uint64_t blknum, uint32_t n, plasma_buf *leaves)
{
    int fd;
    size_t tx_len, len = (size_t)n * sizeof(plasma_hash);
    int rc = open_block(data_dir, blknum, n, &fd, &tx_len);
    if (rc == 0)
        rc = plasma_buf_reserve(leaves, len);
    if (rc == 0 && (rc = read_at(fd, leaves->data + leaves->len, len, (off_t)(txs_at(n) + tx_len))) == 0)
        leaves->len += len;
    if (fd >= 0)
        close(fd);
    return rc;
}

/* A block's file name: its number in decimal, as block_path writes it. */
static bool parse_name(const char *name, uint64_t *blknum)
{
    char *end = NULL;
    if (name[0] < '1' || name[0] > '9' || strlen(name) > 20)
        return false;
    errno = 0;
    unsigned long long v = strtoull(name, &end, 10);
    if (errno || *end)
        return false;
    *blknum = v;
    return true;
}

int watch_blocks_list(const char *data_dir, uint64_t **blknums, size_t *n)
{
    char dir[PATH_MAX];
    int k = snprintf(dir, sizeof dir, "%s/blocks", data_dir);
    *blknums = NULL;
    *n = 0;
    if (k <= 0 || (size_t)k >= sizeof dir)
        return PLASMA_ERR_IO;
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : PLASMA_ERR_IO;
    size_t cap = 0;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        uint64_t blknum;
        if (!parse_name(e->d_name, &blknum))
            continue;
        if (plasma_grow((void **)blknums, &cap, *n + 1, sizeof **blknums) < 0)
            rc = PLASMA_ERR_NOMEM;
        else
            (*blknums)[(*n)++] = blknum;
    }
    closedir(d);
    if (rc) {
        free(*blknums);
        *blknums = NULL;
        *n = 0;
    }
    return rc;
}

int watch_blocks_remove(const char *data_dir, uint64_t blknum)
{
    char path[PATH_MAX];
    if (block_path(path, sizeof path, data_dir, blknum) != 0)
        return PLASMA_ERR_IO;
    return unlink(path) == 0 || errno == ENOENT ? 0 : PLASMA_ERR_IO;
}
