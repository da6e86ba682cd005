/* An open-addressing hash map of fixed-size keys and values, for the
 * operator's in-memory indexes. Keys are hashed with XXH3 and a random seed
 * chosen per map, so that an outsider who picks UTXO positions or addresses
 * cannot aim at one probe chain. Not thread-safe: the owner locks. */
#ifndef PLASMA_OP_HMAP_H
#define PLASMA_OP_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct op_hmap {
    uint8_t *slots; /* cap slots of [used byte][key][value] */
    size_t cap;     /* a power of two, or 0 before the first insert */
    size_t count;
    size_t key_len;
    size_t val_len;
    size_t slot_len;
    uint64_t seed;
} op_hmap;

/* Prepares an empty map (no allocation). Returns 0 or PLASMA_ERR_IO when no
 * random seed can be read. */
int op_hmap_init(op_hmap *m, size_t key_len, size_t val_len);
void op_hmap_free(op_hmap *m);
/* Drops every entry, keeping the storage. */
void op_hmap_clear(op_hmap *m);

/* Returns the value stored under key, or NULL. The pointer stays valid until
 * the next insert or delete. */
void *op_hmap_get(const op_hmap *m, const void *key);

/* Finds or inserts key. Out: *val points at its value (zeroed when new).
 * Returns 1 when inserted, 0 when it was present, or PLASMA_ERR_NOMEM. */
int op_hmap_put(op_hmap *m, const void *key, void **val);

/* Removes key. Returns true when it was present. */
bool op_hmap_del(op_hmap *m, const void *key);

/* Bytes of slot storage the map holds. */
static inline size_t op_hmap_bytes(const op_hmap *m)
{
    return m->cap * m->slot_len;
}

/* Slot bytes a map of n entries would need at the maximum load factor. */
size_t op_hmap_bytes_for(size_t n, size_t key_len, size_t val_len);

/* Calls fn for every entry; stops early when fn returns false. */
void op_hmap_each(const op_hmap *m, bool (*fn)(void *arg, const void *key, void *val), void *arg);

/* Fills buf with len random bytes from the OS. Returns 0 or PLASMA_ERR_IO. */
int op_random_bytes(void *buf, size_t len);

#endif
