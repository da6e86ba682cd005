/* plasma-balance: prints the child-chain balances of an address, using only
 * the installed libplasma-client.
 *
 *   plasma-balance ADDRESS [OPERATOR_URL]
 *   plasma-balance --check-amount AMOUNT    (offline: parse and print in wei)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plasma/client.h"

static int check_amount(const char *text)
{
    plasma_u256 wei;
    char err[160], dec[PLASMA_U256_DEC_MAX];
    if (plasma_amount_parse(&wei, text, err, sizeof err) != 0) {
        fprintf(stderr, "plasma-balance: %s\n", err);
        return 1;
    }
    printf("%s\n", plasma_u256_format_dec(dec, &wei));
    return 0;
}

static int print_balances(const char *address, const char *url)
{
    plasma_addr owner;
    plasma_client *c = NULL;
    plasma_client_utxo *utxos = NULL;
    plasma_client_balance *bal = NULL;
    size_t n = 0, nb = 0;
    int rc = 1;

    if (plasma_addr_parse(&owner, address) != 0) {
        fprintf(stderr, "plasma-balance: '%s' is not an address (0x + 40 hex digits)\n", address);
        return 2;
    }
    if (plasma_client_new(&c, url, NULL) != 0 || plasma_client_utxos(c, &owner, &utxos, &n) != 0 ||
        plasma_client_balances(&bal, &nb, utxos, n) != 0) {
        fprintf(stderr, "plasma-balance: cannot read balances from %s\n", url);
        goto cleanup;
    }
    for (size_t i = 0; i < nb; i++) {
        char token[43], amount[PLASMA_U256_DEC_MAX];
        printf("%s %s\n", plasma_addr_format(token, &bal[i].token), plasma_u256_format_dec(amount, &bal[i].amount));
    }
    rc = 0;
cleanup:
    free(bal);
    free(utxos);
    plasma_client_free(c);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--check-amount") == 0)
        return check_amount(argv[2]);
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: plasma-balance ADDRESS [OPERATOR_URL] | --check-amount AMOUNT\n");
        return 2;
    }
    return print_balances(argv[1], argc == 3 ? argv[2] : "http://127.0.0.1:7434");
}
