/* The fee policy: fees from eth_feeHistory, bumps for replacements.
 * See plasma/eth_tx.h and docs/eth.md. */
#include <stdlib.h>

#include "plasma/err.h"
#include "plasma/eth_tx.h"
#include "plasma/u256.h"

static int cmp_u256(const void *a, const void *b)
{
    return plasma_u256_cmp(a, b);
}

/* The lower median of the blocks' rewards at the one percentile asked for;
 * zero when the answer holds no block. */
static int median_reward(plasma_u256 *out, const json_t *rewards)
{
    size_t n = json_array_size(rewards);
    *out = plasma_u256_from_u64(0);
    if (!rewards)
        return PLASMA_OK;
    if (!json_is_array(rewards))
        return PLASMA_ERR_BAD_REQUEST;
    if (n == 0)
        return PLASMA_OK;
    plasma_u256 *v = malloc(n * sizeof *v);
    if (!v)
        return PLASMA_ERR_NOMEM;
    int rc = PLASMA_OK;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const json_t *row = json_array_get(rewards, i);
        if (!json_is_array(row) || json_array_size(row) != 1 ||
            plasma_eth_quantity_u256(&v[i], json_array_get(row, 0)) != 0)
            rc = PLASMA_ERR_BAD_REQUEST;
    }
    if (rc == 0) {
        qsort(v, n, sizeof *v, cmp_u256);
        *out = v[(n - 1) / 2];
    }
    free(v);
    return rc;
}

static void cap(plasma_u256 *v, const plasma_u256 *limit)
{
    if (!plasma_u256_is_zero(limit) && plasma_u256_cmp(v, limit) > 0)
        *v = *limit;
}

int plasma_eth_fees_from_history(plasma_eth_fees *out, const plasma_eth_fee_policy *policy,
                                 const json_t *fee_history)
{
    const json_t *bases = json_object_get(fee_history, "baseFeePerGas");
    size_t nb = json_array_size(bases);
    plasma_u256 next_base, priority, max_fee;
    if (!json_is_array(bases) || nb == 0 ||
        plasma_eth_quantity_u256(&next_base, json_array_get(bases, nb - 1)) != 0)
        return PLASMA_ERR_BAD_REQUEST;
    int rc = median_reward(&priority, json_object_get(fee_history, "reward"));
    if (rc != 0)
        return rc;
    if (plasma_u256_cmp(&priority, &policy->min_priority_fee) < 0)
        priority = policy->min_priority_fee;
    if ((rc = plasma_u256_mul_u64(&max_fee, &next_base, policy->base_fee_multiplier)) != 0 ||
        (rc = plasma_u256_add(&max_fee, &max_fee, &priority)) != 0)
        return rc;
    cap(&priority, &policy->max_fee_cap);
    cap(&max_fee, &policy->max_fee_cap);
    out->max_priority_fee = priority;
    out->max_fee = max_fee;
    return PLASMA_OK;
}

/* max(old + ceil(old / 8), old + 1, fresh). */
static int bump_one(plasma_u256 *out, const plasma_u256 *old, const plasma_u256 *fresh)
{
    plasma_u256 eighth, one = plasma_u256_from_u64(1), bumped;
    uint64_t rem;
    plasma_u256_divmod_u64(&eighth, &rem, old, 8);
    if (rem || plasma_u256_is_zero(&eighth))
        plasma_u256_add(&eighth, &eighth, &one);
    int rc = plasma_u256_add(&bumped, old, &eighth);
    if (rc != 0)
        return rc;
    *out = plasma_u256_cmp(fresh, &bumped) > 0 ? *fresh : bumped;
    return PLASMA_OK;
}

int plasma_eth_fees_bump(plasma_eth_fees *out, const plasma_eth_fees *old, const plasma_eth_fees *fresh,
                         const plasma_eth_fee_policy *policy)
{
    plasma_eth_fees f;
    int rc = bump_one(&f.max_priority_fee, &old->max_priority_fee, &fresh->max_priority_fee);
    if (rc == 0)
        rc = bump_one(&f.max_fee, &old->max_fee, &fresh->max_fee);
    if (rc != 0)
        return rc;
    const plasma_u256 *limit = &policy->max_fee_cap;
    if (!plasma_u256_is_zero(limit) && plasma_u256_cmp(&f.max_fee, limit) > 0)
        return PLASMA_ERR_OVERFLOW;
    if (plasma_u256_cmp(&f.max_priority_fee, &f.max_fee) > 0)
        f.max_priority_fee = f.max_fee;
    *out = f;
    return PLASMA_OK;
}
