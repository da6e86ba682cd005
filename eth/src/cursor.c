/* The follower's cursor in a file. See plasma/eth_follow.h.
 *
 * The file is two lines: "plasma-eth-cursor 1" and "<number> 0x<hash>". */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plasma/err.h"
#include "plasma/eth_follow.h"

#define MAGIC "plasma-eth-cursor 1\n"
#define FILE_MAX 160

int plasma_eth_cursor_save(const char *path, const plasma_eth_cursor *cursor)
{
    char tmp[PATH_MAX], text[FILE_MAX], hash[67];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return PLASMA_ERR_IO;
    int n = snprintf(text, sizeof text, MAGIC "%" PRIu64 " %s\n", cursor->number,
                     plasma_hash_format(hash, &cursor->hash));
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return PLASMA_ERR_IO;
    int rc = plasma_write_all(fd, text, (size_t)n) == 0 ? PLASMA_OK : PLASMA_ERR_IO;
    if (rc == 0 && fsync(fd) != 0)
        rc = PLASMA_ERR_IO;
    if (close(fd) != 0 && rc == 0)
        rc = PLASMA_ERR_IO;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = PLASMA_ERR_IO;
    if (rc == 0 && plasma_sync_parent_dir(path) != 0) /* the rename is durable */
        rc = PLASMA_ERR_IO;
    if (rc != 0)
        unlink(tmp);
    return rc;
}

/* Parses "<number> 0x<64 hex>\n" exactly. */
static int parse_line(plasma_eth_cursor *out, const char *line)
{
    plasma_eth_cursor c;
    const char *p = line;
    uint64_t v = 0;
    if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] != ' '))
        return PLASMA_ERR_BAD_REQUEST;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
            return PLASMA_ERR_BAD_REQUEST;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    char hash[67];
    if (*p++ != ' ' || strlen(p) != 67 || p[66] != '\n')
        return PLASMA_ERR_BAD_REQUEST;
    memcpy(hash, p, 66);
    hash[66] = '\0';
    if (plasma_hash_parse(&c.hash, hash) != 0)
        return PLASMA_ERR_BAD_REQUEST;
    c.number = v;
    *out = c;
    return PLASMA_OK;
}

int plasma_eth_cursor_load(plasma_eth_cursor *out, const char *path)
{
    char text[FILE_MAX + 1];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? PLASMA_ERR_NOT_FOUND : PLASMA_ERR_IO;
    size_t n = 0;
    int rc = PLASMA_OK;
    while (n < FILE_MAX) {
        ssize_t r = read(fd, text + n, FILE_MAX - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            rc = PLASMA_ERR_IO;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (rc != 0)
        return rc;
    text[n] = '\0';
    if (n == FILE_MAX || strlen(text) != n || strncmp(text, MAGIC, strlen(MAGIC)) != 0)
        return PLASMA_ERR_BAD_REQUEST;
    return parse_line(out, text + strlen(MAGIC));
}
