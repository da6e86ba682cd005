/* ABI encoding and decoding. See plasma/eth_abi.h.
 *
 * A type list is parsed into a small tree of nodes on the stack, then the
 * values are encoded or decoded against it. The decoder walks the data
 * twice: once to count the values (so that one allocation holds them all),
 * once to fill them. */
#include <stdlib.h>
#include <string.h>

#include "plasma/err.h"
#include "plasma/eth_abi.h"
#include "plasma/keccak.h"
#include "plasma/u256.h"

#define TYPE_MAX_NODES 64
#define TYPE_MAX_DEPTH 8
/* Offsets can point many array heads at the same items; this bounds what a
 * malicious answer can make the decoder allocate. */
#define DECODE_MAX_VALUES 65536

typedef enum tkind { T_UINT, T_BOOL, T_ADDRESS, T_BYTES32, T_BYTES, T_ARRAY, T_TUPLE } tkind;

typedef struct tnode {
    tkind kind;
    unsigned bits;  /* T_UINT */
    int child;      /* T_ARRAY: the element; T_TUPLE: the first member (-1 if none) */
    int next;       /* the next member of the enclosing tuple, or -1 */
    size_t members; /* T_TUPLE */
    bool dynamic;
    size_t size; /* head size: 32 for a dynamic type, else its encoded size */
} tnode;

typedef struct ttree {
    tnode n[TYPE_MAX_NODES];
    int count;
} ttree;

/* --- the type list --- */

static int parse_type(ttree *t, const char **s, int depth);

static int new_node(ttree *t, tkind kind)
{
    if (t->count == TYPE_MAX_NODES)
        return PLASMA_ERR_BAD_REQUEST;
    tnode *nd = &t->n[t->count];
    memset(nd, 0, sizeof *nd);
    nd->kind = kind;
    nd->child = -1;
    nd->next = -1;
    nd->size = 32;
    return t->count++;
}

/* Parses "T,U,..." up to (not past) the closing character `close` ('\0' or
 * ')'), linking the members. Out: *first (-1 for none) and *members. */
static int parse_members(ttree *t, const char **s, char close, int depth, int *first, size_t *members)
{
    int prev = -1;
    *first = -1;
    *members = 0;
    if (**s == close)
        return PLASMA_OK;
    for (;;) {
        int idx = parse_type(t, s, depth);
        if (idx < 0)
            return idx;
        if (prev < 0)
            *first = idx;
        else
            t->n[prev].next = idx;
        prev = idx;
        (*members)++;
        if (**s != ',')
            break;
        (*s)++;
    }
    return **s == close ? PLASMA_OK : PLASMA_ERR_BAD_REQUEST;
}

static int parse_tuple(ttree *t, const char **s, int depth)
{
    int idx = new_node(t, T_TUPLE);
    if (idx < 0)
        return idx;
    (*s)++;
    int first = -1;
    size_t members = 0;
    int rc = parse_members(t, s, ')', depth + 1, &first, &members);
    if (rc != 0 || members == 0)
        return PLASMA_ERR_BAD_REQUEST;
    (*s)++;
    tnode *nd = &t->n[idx];
    nd->child = first;
    nd->members = members;
    nd->size = 0;
    for (int m = first; m >= 0; m = t->n[m].next) {
        nd->dynamic |= t->n[m].dynamic;
        nd->size += t->n[m].size;
    }
    if (nd->dynamic)
        nd->size = 32;
    return idx;
}

static bool take_word(const char **s, const char *word)
{
    size_t n = strlen(word);
    if (strncmp(*s, word, n) != 0)
        return false;
    *s += n;
    return true;
}

static int parse_elementary(ttree *t, const char **s)
{
    if (take_word(s, "address"))
        return new_node(t, T_ADDRESS);
    if (take_word(s, "bool"))
        return new_node(t, T_BOOL);
    if (take_word(s, "bytes32"))
        return new_node(t, T_BYTES32);
    if (take_word(s, "bytes") || take_word(s, "string")) {
        int idx = new_node(t, T_BYTES);
        if (idx >= 0)
            t->n[idx].dynamic = true;
        return idx;
    }
    if (!take_word(s, "uint"))
        return PLASMA_ERR_BAD_REQUEST;
    unsigned bits = 0;
    while (**s >= '0' && **s <= '9' && bits <= 256)
        bits = bits * 10 + (unsigned)(*(*s)++ - '0');
    if (bits == 0 || bits > 256 || bits % 8 != 0)
        return PLASMA_ERR_BAD_REQUEST;
    int idx = new_node(t, T_UINT);
    if (idx >= 0)
        t->n[idx].bits = bits;
    return idx;
}

static int parse_type(ttree *t, const char **s, int depth)
{
    if (depth > TYPE_MAX_DEPTH)
        return PLASMA_ERR_BAD_REQUEST;
    int idx = **s == '(' ? parse_tuple(t, s, depth) : parse_elementary(t, s);
    while (idx >= 0 && (*s)[0] == '[' && (*s)[1] == ']') {
        *s += 2;
        int arr = new_node(t, T_ARRAY);
        if (arr < 0)
            return arr;
        t->n[arr].child = idx;
        t->n[arr].dynamic = true;
        idx = arr;
    }
    return idx;
}

/* Reads a type list into *t as one tuple, its root the returned index. */
static int parse_list(ttree *t, const char *types)
{
    t->count = 0;
    int root = new_node(t, T_TUPLE);
    int first = -1;
    size_t members = 0;
    int rc = parse_members(t, &types, '\0', 1, &first, &members);
    if (rc != 0)
        return rc;
    t->n[root].child = first;
    t->n[root].members = members;
    return root;
}

/* The type list of a signature "name(types)": a copy of what is between the
 * first '(' and the last character, which must be ')'. */
static int signature_types(char **out, const char *signature)
{
    const char *open = strchr(signature, '(');
    size_t len = strlen(signature);
    if (!open || len < 2 || signature[len - 1] != ')')
        return PLASMA_ERR_BAD_REQUEST;
    size_t n = (size_t)(signature + len - 1 - (open + 1));
    char *types = malloc(n + 1);
    if (!types)
        return PLASMA_ERR_NOMEM;
    memcpy(types, open + 1, n);
    types[n] = '\0';
    *out = types;
    return PLASMA_OK;
}

void plasma_eth_abi_selector(uint8_t out[4], const char *signature)
{
    plasma_hash h;
    plasma_keccak256(&h, signature, strlen(signature));
    memcpy(out, h.b, 4);
}

void plasma_eth_abi_topic(plasma_hash *out, const char *signature)
{
    plasma_keccak256(out, signature, strlen(signature));
}

/* --- encoding --- */

static void put_u64_word(uint8_t word[32], uint64_t v)
{
    memset(word, 0, 32);
    for (int i = 0; i < 8; i++)
        word[31 - i] = (uint8_t)(v >> (8 * i));
}

static int append_u64_word(plasma_buf *out, uint64_t v)
{
    uint8_t word[32];
    put_u64_word(word, v);
    return plasma_buf_append(out, word, 32);
}

static bool uint_fits(const plasma_u256 *v, unsigned bits)
{
    if (bits == 256)
        return true;
    unsigned limb = bits / 64, rest = bits % 64;
    for (unsigned i = limb + (rest ? 1 : 0); i < 4; i++)
        if (v->w[i])
            return false;
    return rest == 0 || (v->w[limb] >> rest) == 0;
}

static int enc_value(plasma_buf *out, const ttree *t, int node, const plasma_eth_abi_value *v);

/* Encodes n items as a tuple: heads in order, then the tails of the dynamic
 * items, each head of those holding its tail's offset from the tuple's
 * start. Item i has type `first` when same_type, else the i-th member of
 * the list that starts at `first`. */
static int enc_seq(plasma_buf *out, const ttree *t, int first, bool same_type, const plasma_eth_abi_value *v,
                   size_t n)
{
    size_t start = out->len;
    int node = first;
    for (size_t i = 0; i < n; i++, node = same_type ? node : t->n[node].next) {
        int rc = t->n[node].dynamic ? append_u64_word(out, 0) : enc_value(out, t, node, &v[i]);
        if (rc != 0)
            return rc;
    }
    size_t head = start;
    node = first;
    for (size_t i = 0; i < n; i++, node = same_type ? node : t->n[node].next) {
        if (t->n[node].dynamic) {
            if (out->failed)
                return PLASMA_ERR_NOMEM;
            put_u64_word(out->data + head, out->len - start);
            int rc = enc_value(out, t, node, &v[i]);
            if (rc != 0)
                return rc;
        }
        head += t->n[node].size;
    }
    return PLASMA_OK;
}

static int enc_bytes(plasma_buf *out, const uint8_t *data, size_t len)
{
    static const uint8_t zeros[32];
    append_u64_word(out, len);
    plasma_buf_append(out, data, len);
    return plasma_buf_append(out, zeros, (32 - len % 32) % 32);
}

static int enc_value(plasma_buf *out, const ttree *t, int node, const plasma_eth_abi_value *v)
{
    const tnode *nd = &t->n[node];
    uint8_t word[32] = {0};
    switch (nd->kind) {
    case T_UINT:
    case T_BOOL:
        if (v->kind != PLASMA_ETH_ABI_UINT)
            return PLASMA_ERR_BAD_REQUEST;
        if (!uint_fits(&v->uint, nd->kind == T_BOOL ? 1 : nd->bits))
            return PLASMA_ERR_OVERFLOW;
        plasma_u256_to_be(word, &v->uint);
        return plasma_buf_append(out, word, 32);
    case T_ADDRESS:
        if (v->kind != PLASMA_ETH_ABI_ADDRESS)
            return PLASMA_ERR_BAD_REQUEST;
        memcpy(word + 12, v->addr.b, 20);
        return plasma_buf_append(out, word, 32);
    case T_BYTES32:
        if (v->kind != PLASMA_ETH_ABI_BYTES32)
            return PLASMA_ERR_BAD_REQUEST;
        return plasma_buf_append(out, v->word.b, 32);
    case T_BYTES:
        if (v->kind != PLASMA_ETH_ABI_BYTES || (v->len && !v->bytes))
            return PLASMA_ERR_BAD_REQUEST;
        return enc_bytes(out, v->bytes, v->len);
    case T_ARRAY:
        if (v->kind != PLASMA_ETH_ABI_LIST || (v->len && !v->items))
            return PLASMA_ERR_BAD_REQUEST;
        append_u64_word(out, v->len);
        return enc_seq(out, t, nd->child, true, v->items, v->len);
    case T_TUPLE:
        if (v->kind != PLASMA_ETH_ABI_LIST || v->len != nd->members)
            return PLASMA_ERR_BAD_REQUEST;
        return enc_seq(out, t, nd->child, false, v->items, v->len);
    }
    return PLASMA_ERR_BAD_REQUEST;
}

static int encode_root(plasma_buf *out, const ttree *t, int root, const plasma_eth_abi_value *args, size_t n)
{
    if (n != t->n[root].members || (n && !args))
        return PLASMA_ERR_BAD_REQUEST;
    int rc = enc_seq(out, t, t->n[root].child, false, args, n);
    if (rc == 0 && out->failed)
        rc = PLASMA_ERR_NOMEM;
    return rc;
}

int plasma_eth_abi_encode(plasma_buf *out, const char *types, const plasma_eth_abi_value *args, size_t n)
{
    ttree t;
    size_t mark = out->len;
    int root = parse_list(&t, types);
    int rc = root < 0 ? root : encode_root(out, &t, root, args, n);
    if (rc != 0 && !out->failed)
        out->len = mark;
    return rc;
}

int plasma_eth_abi_encode_call(plasma_buf *out, const char *signature, const plasma_eth_abi_value *args,
                               size_t n)
{
    char *types = NULL;
    size_t mark = out->len;
    uint8_t sel[4];
    int rc = signature_types(&types, signature);
    if (rc != 0)
        goto cleanup;
    plasma_eth_abi_selector(sel, signature);
    if ((rc = plasma_buf_append(out, sel, 4)) != 0)
        goto cleanup;
    rc = plasma_eth_abi_encode(out, types, args, n);
    if (rc != 0 && !out->failed)
        out->len = mark;
cleanup:
    free(types);
    return rc;
}

/* --- decoding --- */

typedef struct decoder {
    const ttree *t;
    const uint8_t *data;
    size_t len;
    plasma_eth_abi_value *arena; /* NULL while counting */
    size_t used;
} decoder;

static bool zero_bytes(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* Reads the word at pos as a size (an offset or a length) that must be at
 * most the data length. */
static int read_size(const decoder *d, size_t pos, size_t *out)
{
    if (pos > d->len || d->len - pos < 32 || !zero_bytes(d->data + pos, 24))
        return PLASMA_ERR_BAD_REQUEST;
    uint64_t v = 0;
    for (int i = 24; i < 32; i++)
        v = v << 8 | d->data[pos + i];
    if (v > d->len)
        return PLASMA_ERR_BAD_REQUEST;
    *out = (size_t)v;
    return PLASMA_OK;
}

static plasma_eth_abi_value *take_values(decoder *d, size_t n, int *rc)
{
    if (n > DECODE_MAX_VALUES - d->used) {
        *rc = PLASMA_ERR_BAD_REQUEST;
        return NULL;
    }
    plasma_eth_abi_value *v = d->arena ? d->arena + d->used : NULL;
    d->used += n;
    *rc = PLASMA_OK;
    return v;
}

static int dec_value(decoder *d, int node, size_t pos, plasma_eth_abi_value *v);

/* Decodes n items laid out as a tuple at base (item types as in enc_seq)
 * into items (NULL while counting). */
static int dec_seq(decoder *d, int first, bool same_type, size_t n, size_t base, plasma_eth_abi_value *items)
{
    size_t head = base;
    int node = first;
    for (size_t i = 0; i < n; i++, node = same_type ? node : d->t->n[node].next) {
        const tnode *nd = &d->t->n[node];
        size_t pos = head;
        if (head > d->len || d->len - head < nd->size)
            return PLASMA_ERR_BAD_REQUEST;
        if (nd->dynamic) {
            size_t off;
            int rc = read_size(d, head, &off);
            if (rc != 0 || off > d->len - base)
                return PLASMA_ERR_BAD_REQUEST;
            pos = base + off;
        }
        int rc = dec_value(d, node, pos, items ? &items[i] : NULL);
        if (rc != 0)
            return rc;
        head += nd->size;
    }
    return PLASMA_OK;
}

static int dec_word(const tnode *nd, const uint8_t *w, plasma_eth_abi_value *v)
{
    switch (nd->kind) {
    case T_ADDRESS:
        if (!zero_bytes(w, 12))
            return PLASMA_ERR_BAD_REQUEST;
        if (v) {
            v->kind = PLASMA_ETH_ABI_ADDRESS;
            memcpy(v->addr.b, w + 12, 20);
        }
        return PLASMA_OK;
    case T_BYTES32:
        if (v) {
            v->kind = PLASMA_ETH_ABI_BYTES32;
            memcpy(v->word.b, w, 32);
        }
        return PLASMA_OK;
    default: {
        plasma_u256 u;
        plasma_u256_from_be(&u, w, 32);
        if (!uint_fits(&u, nd->kind == T_BOOL ? 1 : nd->bits))
            return PLASMA_ERR_BAD_REQUEST;
        if (v) {
            v->kind = PLASMA_ETH_ABI_UINT;
            v->uint = u;
        }
        return PLASMA_OK;
    }
    }
}

static int dec_bytes(decoder *d, size_t pos, plasma_eth_abi_value *v)
{
    size_t n;
    int rc = read_size(d, pos, &n);
    if (rc != 0)
        return rc;
    size_t padded = n + (32 - n % 32) % 32;
    if (padded > d->len - pos - 32)
        return PLASMA_ERR_BAD_REQUEST;
    const uint8_t *p = d->data + pos + 32;
    if (!zero_bytes(p + n, padded - n))
        return PLASMA_ERR_BAD_REQUEST;
    if (v) {
        v->kind = PLASMA_ETH_ABI_BYTES;
        v->bytes = p;
        v->len = n;
    }
    return PLASMA_OK;
}

static int dec_list(decoder *d, const tnode *nd, size_t count, size_t base, bool same_type,
                    plasma_eth_abi_value *v)
{
    int rc;
    plasma_eth_abi_value *items = take_values(d, count, &rc);
    if (rc != 0)
        return rc;
    if (v) {
        v->kind = PLASMA_ETH_ABI_LIST;
        v->items = items;
        v->len = count;
    }
    return dec_seq(d, nd->child, same_type, count, base, items);
}

static int dec_value(decoder *d, int node, size_t pos, plasma_eth_abi_value *v)
{
    const tnode *nd = &d->t->n[node];
    if (pos > d->len || d->len - pos < 32)
        return PLASMA_ERR_BAD_REQUEST;
    if (v)
        memset(v, 0, sizeof *v);
    switch (nd->kind) {
    case T_BYTES:
        return dec_bytes(d, pos, v);
    case T_ARRAY: {
        size_t count;
        int rc = read_size(d, pos, &count);
        if (rc != 0)
            return rc;
        /* Every item takes at least one head word: a count the data cannot
         * hold is refused before anything is allocated for it. */
        if (count > (d->len - pos - 32) / d->t->n[nd->child].size)
            return PLASMA_ERR_BAD_REQUEST;
        return dec_list(d, nd, count, pos + 32, true, v);
    }
    case T_TUPLE:
        return dec_list(d, nd, nd->members, pos, false, v);
    default:
        return dec_word(nd, d->data + pos, v);
    }
}

static int decode_root(decoder *d, int root, size_t *n)
{
    const tnode *nd = &d->t->n[root];
    int rc;
    plasma_eth_abi_value *top = take_values(d, nd->members, &rc);
    if (rc == 0)
        rc = dec_seq(d, nd->child, false, nd->members, 0, top);
    *n = nd->members;
    return rc;
}

int plasma_eth_abi_decode(plasma_eth_abi_value **out, size_t *n, const char *types, const uint8_t *data,
                          size_t len)
{
    ttree t;
    int root = parse_list(&t, types);
    if (root < 0)
        return root;
    decoder d = {.t = &t, .data = data, .len = len};
    size_t count;
    int rc = decode_root(&d, root, &count);
    if (rc != 0)
        return rc;
    /* One spare value keeps the allocation non-empty for an empty list. */
    d.arena = calloc(d.used + 1, sizeof *d.arena);
    if (!d.arena)
        return PLASMA_ERR_NOMEM;
    d.used = 0;
    rc = decode_root(&d, root, &count);
    if (rc != 0) {
        free(d.arena);
        return rc;
    }
    *out = d.arena;
    *n = count;
    return PLASMA_OK;
}

int plasma_eth_abi_decode_call(plasma_eth_abi_value **out, size_t *n, const char *signature,
                               const uint8_t *data, size_t len)
{
    char *types = NULL;
    uint8_t sel[4];
    int rc = signature_types(&types, signature);
    if (rc != 0)
        return rc;
    plasma_eth_abi_selector(sel, signature);
    if (len < 4 || memcmp(data, sel, 4) != 0)
        rc = PLASMA_ERR_BAD_REQUEST;
    else
        rc = plasma_eth_abi_decode(out, n, types, data + 4, len - 4);
    free(types);
    return rc;
}

void plasma_eth_abi_values_free(plasma_eth_abi_value *values)
{
    free(values);
}
