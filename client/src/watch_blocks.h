/* Files of verified blocks: a large block's transactions and leaves in a
 * file of its own, <data-dir>/blocks/<blknum>, beside the LevelDB that
 * holds its header. Written once and read for proofs, they stay out of
 * LevelDB, whose log and compactions would copy their megabytes again and
 * again. The header in LevelDB, written after the file is durable, is
 * what makes a file count: a file without one (a crash before the header's
 * write, a block taken back by a reorganisation) is never read, and is
 * removed when the data dir is opened (watch_view_sweep_files). Internal
 * to libplasma_client. */
#ifndef PLASMA_WATCH_BLOCKS_H
#define PLASMA_WATCH_BLOCKS_H

#include <stddef.h>

#include "plasma/types.h"

/* Writes block blknum's file under data_dir (replacing one there):
 * n transactions, tx i at txs[offs[i] .. offs[i+1]) with offs[0] == 0,
 * and their n leaves; on disk (synced) when it returns. Returns 0,
 * PLASMA_ERR_IO or PLASMA_ERR_NOMEM. */
int watch_blocks_write(const char *data_dir, uint64_t blknum, size_t n, const uint8_t *txs,
                       const size_t *offs, const plasma_hash *leaves);

/* Out: tx txindex of the n of blknum's file, appended to tx. Returns 0,
 * PLASMA_ERR_NOT_FOUND (txindex ≥ n), PLASMA_ERR_IO (no such file, or not
 * one of n transactions) or PLASMA_ERR_NOMEM. */
int watch_blocks_read_tx(const char *data_dir, uint64_t blknum, uint32_t n, uint32_t txindex, plasma_buf *tx);

/* Out: the n leaves of blknum's file, appended to leaves. Returns as
 * watch_blocks_read_tx. */
int watch_blocks_read_leaves(const char *data_dir, uint64_t blknum, uint32_t n, plasma_buf *leaves);

/* Out: *blknums (caller frees), the *n blocks that have a file under
 * data_dir, in no order; other names there are not files of blocks.
 * Returns 0 (none without a blocks dir), PLASMA_ERR_IO or
 * PLASMA_ERR_NOMEM. */
int watch_blocks_list(const char *data_dir, uint64_t **blknums, size_t *n);
/* Removes blknum's file. Returns 0 (also when there is none) or
 * PLASMA_ERR_IO. */
int watch_blocks_remove(const char *data_dir, uint64_t blknum);

#endif
