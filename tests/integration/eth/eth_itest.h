/* The eth library's integration tests: a real anvil on a free loopback port
 * (chain id 31337, the development accounts of PROTOCOL §8), always stopped;
 * raw calls of anvil's test methods; the probe contract; and a loopback
 * proxy in front of anvil that fails or stalls requests on demand.
 * Header-only, static. */
#ifndef PLASMA_ETH_ITEST_H
#define PLASMA_ETH_ITEST_H

#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "plasma/eth.h"
#include "plasma/exitgame.h"
#include "plasma/http.h"

#ifndef PLASMA_ANVIL_BIN
#error "PLASMA_ANVIL_BIN must name the anvil binary"
#endif
#ifndef PLASMA_ETH_PROBE_BIN
#error "PLASMA_ETH_PROBE_BIN must name the probe contract's bytecode file"
#endif

static inline plasma_privkey eit_key(int i)
{
    plasma_privkey k;
    assert_int_equal(plasma_dev_key(&k, (unsigned)i), 0);
    return k;
}

static inline plasma_addr eit_addr(int i)
{
    plasma_privkey k = eit_key(i);
    plasma_addr a;
    assert_int_equal(plasma_privkey_addr(&a, &k), 0);
    return a;
}

/* --- anvil --- */

typedef struct eit_anvil {
    pid_t pid;
    uint16_t port;
    char url[64];
    char dir[64];
    char log[96];
    char state[96];  /* --state file in dir, when kept across restarts */
} eit_anvil;

/* The anvil still running when a failed assertion ends the test is killed
 * at exit. */
static pid_t eit_live_pid;

static inline void eit_kill_live(void)
{
    if (eit_live_pid > 0)
        kill(eit_live_pid, SIGKILL);
}

static inline plasma_eth_rpc *eit_rpc(const char *url, unsigned attempts)
{
    plasma_eth_rpc_config cfg;
    plasma_eth_rpc_config_default(&cfg);
    cfg.url = url;
    cfg.max_attempts = attempts;
    cfg.timeout_ms = 5000;
    cfg.backoff_base_ms = 20;
    cfg.backoff_max_ms = 100;
    plasma_eth_rpc *rpc = NULL;
    assert_int_equal(plasma_eth_rpc_new(&rpc, &cfg), 0);
    return rpc;
}

/* The port anvil printed in its log ("Listening on 127.0.0.1:PORT"), or 0
 * while it has not. */
static inline uint16_t eit_anvil_logged_port(const eit_anvil *a)
{
    FILE *f = fopen(a->log, "r");
    char line[256];
    unsigned port = 0;
    while (f && !port && fgets(line, sizeof line, f))
        if (sscanf(line, "Listening on 127.0.0.1:%u", &port) != 1 || port > 65535)
            port = 0;
    if (f)
        fclose(f);
    return (uint16_t)port;
}

/* Spawns anvil on a->port (0: a port anvil picks, read back from its log;
 * its chain in a->state when set) and waits until it answers eth_chainId
 * with 31337. */
static inline void eit_anvil_spawn(eit_anvil *a)
{
    char port[8];
    snprintf(port, sizeof port, "%u", a->port);
    bool picks = a->port == 0;
    if (picks)
        unlink(a->log);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(a->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        if (a->state[0])
            execl(PLASMA_ANVIL_BIN, "anvil", "--host", "127.0.0.1", "--port", port, "--chain-id", "31337",
                  "--accounts", "10", "--state", a->state, (char *)NULL);
        else
            execl(PLASMA_ANVIL_BIN, "anvil", "--host", "127.0.0.1", "--port", port, "--chain-id", "31337",
                  "--accounts", "10", (char *)NULL);
        _exit(127);
    }
    a->pid = pid;
    eit_live_pid = pid;
    static bool registered;
    if (!registered)
        registered = atexit(eit_kill_live) == 0;
    for (double t0 = tu_now(); picks && !(a->port = eit_anvil_logged_port(a));) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid || tu_now() - t0 > 30)
            fail_msg("anvil (%s) did not say where it listens; see %s (run tools/setup.sh?)", PLASMA_ANVIL_BIN,
                     a->log);
        tu_sleep_ms(10);
    }
    snprintf(a->url, sizeof a->url, "http://127.0.0.1:%u", a->port);
    plasma_eth_rpc *rpc = eit_rpc(a->url, 1);
    for (double t0 = tu_now(); tu_now() - t0 < 30;) {
        uint64_t chain = 0;
        if (plasma_eth_chain_id(rpc, &chain) == 0) {
            assert_int_equal(chain, 31337);
            plasma_eth_rpc_free(rpc);
            return;
        }
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid)
            fail_msg("anvil (%s) exited during start-up; see %s (run tools/setup.sh?)", PLASMA_ANVIL_BIN,
                     a->log);
        tu_sleep_ms(50);
    }
    plasma_eth_rpc_free(rpc);
    fail_msg("anvil did not answer within 30 s; see %s", a->log);
}

/* Starts anvil on a port it picks (one chosen beforehand could be taken by
 * another test's anvil, which would answer the probe as well); with
 * keep_state, its chain is written to a file when it stops and read back by
 * eit_anvil_resume, on the same port. */
static inline void eit_anvil_start_kept(eit_anvil *a, bool keep_state)
{
    memset(a, 0, sizeof *a);
    snprintf(a->dir, sizeof a->dir, "/tmp/plasma-eth-it-XXXXXX");
    assert_non_null(mkdtemp(a->dir));
    snprintf(a->log, sizeof a->log, "%s/anvil.log", a->dir);
    if (keep_state)
        snprintf(a->state, sizeof a->state, "%s/state.json", a->dir);
    eit_anvil_spawn(a);
}

static inline void eit_anvil_start(eit_anvil *a)
{
    eit_anvil_start_kept(a, false);
}

/* Stops anvil (SIGTERM: it writes its state file) and keeps its files. */
static inline void eit_anvil_halt(eit_anvil *a)
{
    if (a->pid > 0) {
        kill(a->pid, SIGTERM);
        int st;
        while (waitpid(a->pid, &st, 0) < 0 && errno == EINTR)
            ;
        eit_live_pid = 0;
        a->pid = 0;
    }
}

/* Starts a halted anvil again on its port, from its state file. */
static inline void eit_anvil_resume(eit_anvil *a)
{
    eit_anvil_spawn(a);
}

static inline void eit_anvil_stop(eit_anvil *a)
{
    eit_anvil_halt(a);
    unlink(a->log);
    if (a->state[0])
        unlink(a->state);
    rmdir(a->dir);
}

/* One anvil per test program, and a client of it. */
static eit_anvil anvil;
static plasma_eth_rpc *rpc;

static int eit_group_setup(void **state)
{
    (void)state;
    eit_anvil_start(&anvil);
    rpc = eit_rpc(anvil.url, 3);
    return 0;
}

static int eit_group_teardown(void **state)
{
    (void)state;
    plasma_eth_rpc_free(rpc);
    eit_anvil_stop(&anvil);
    return 0;
}

/* --- raw calls --- */

/* Calls method with params given as JSON text; returns the result. */
static inline json_t *eit_call(plasma_eth_rpc *node, const char *method, const char *params_json)
{
    json_t *params = json_loads(params_json, 0, NULL), *res = NULL;
    assert_non_null(params);
    int rc = plasma_eth_rpc_call(node, method, params, &res);
    if (rc != 0)
        fail_msg("%s failed: %s", method, plasma_eth_rpc_last_error(node)->message);
    json_decref(params);
    return res;
}

static inline void eit_call_void(plasma_eth_rpc *node, const char *method, const char *params_json)
{
    json_decref(eit_call(node, method, params_json));
}

static inline uint64_t eit_head(plasma_eth_rpc *node)
{
    uint64_t head = 0;
    assert_int_equal(plasma_eth_block_number(node, &head), 0);
    return head;
}

/* Mines n empty blocks. */
static inline void eit_mine(plasma_eth_rpc *node, unsigned n)
{
    char params[32];
    snprintf(params, sizeof params, "[\"0x%x\"]", n);
    eit_call_void(node, "anvil_mine", params);
}

static inline void eit_automine(plasma_eth_rpc *node, bool on)
{
    eit_call_void(node, "evm_setAutomine", on ? "[true]" : "[false]");
}

static inline plasma_u256 eit_balance(plasma_eth_rpc *node, const plasma_addr *a)
{
    plasma_u256 b;
    assert_int_equal(plasma_eth_balance(node, a, &b), 0);
    return b;
}

/* The account's count of mined transactions: its next nonce on chain. */
static inline uint64_t eit_mined_nonce(const plasma_addr *a)
{
    char hex[43], params[80];
    snprintf(params, sizeof params, "[\"%s\",\"latest\"]", plasma_addr_format(hex, a));
    json_t *res = eit_call(rpc, "eth_getTransactionCount", params);
    uint64_t n;
    assert_int_equal(plasma_eth_quantity_u64(&n, res), 0);
    json_decref(res);
    return n;
}

/* --- the sender --- */

static inline plasma_eth_sender *eit_sender(plasma_eth_rpc *node, int key, unsigned confirmations)
{
    plasma_eth_sender_config cfg;
    plasma_eth_sender_config_default(&cfg);
    cfg.key = eit_key(key);
    cfg.chain_id = 31337;
    cfg.confirmations = confirmations;
    cfg.poll_ms = 20;
    cfg.wait_timeout_ms = 20000;
    plasma_eth_sender *s = NULL;
    assert_int_equal(plasma_eth_sender_new(&s, node, &cfg), 0);
    plasma_wipe(&cfg.key, sizeof cfg.key);
    return s;
}

/* --- the probe contract --- */

static inline uint8_t *eit_probe_code(size_t *len)
{
    FILE *fp = fopen(PLASMA_ETH_PROBE_BIN, "r");
    if (!fp)
        fail_msg("cannot read %s", PLASMA_ETH_PROBE_BIN);
    static char hex[16384];
    size_t n = fread(hex, 1, sizeof hex - 1, fp);
    fclose(fp);
    hex[n] = '\0';
    while (n > 0 && (hex[n - 1] == '\n' || hex[n - 1] == '\r'))
        hex[--n] = '\0';
    return tu_hex(hex, len);
}

/* Deploys the probe from the sender; returns its address (checked against
 * the address its creator and nonce give). */
static inline plasma_addr eit_deploy_probe(plasma_eth_sender *s, uint64_t *block)
{
    size_t len;
    uint8_t *code = eit_probe_code(&len);
    uint64_t nonce;
    assert_int_equal(plasma_eth_sender_next_nonce(s, &nonce), 0);
    plasma_eth_txreq req = {.create = true, .data = code, .data_len = len};
    plasma_eth_receipt r;
    int rc = plasma_eth_sender_transact(s, &req, &r);
    if (rc != 0)
        fail_msg("deploying the probe: %s", plasma_eth_sender_errmsg(s));
    free(code);
    assert_true(r.success && r.has_contract);
    plasma_addr want;
    plasma_eth_create_address(&want, plasma_eth_sender_address(s), nonce);
    assert_true(plasma_addr_eq(&want, &r.contract_address));
    if (block)
        *block = r.block_number;
    return r.contract_address;
}

/* Sends calldata to the contract and returns the receipt; fails the test
 * unless it succeeds. */
static inline plasma_eth_receipt eit_transact(plasma_eth_sender *s, const plasma_addr *to,
                                              const plasma_buf *data, uint64_t value)
{
    plasma_eth_txreq req = {
        .to = *to, .value = plasma_u256_from_u64(value), .data = data->data, .data_len = data->len};
    plasma_eth_receipt r;
    int rc = plasma_eth_sender_transact(s, &req, &r);
    if (rc != 0)
        fail_msg("transaction failed (%s): %s", plasma_err_code(rc), plasma_eth_sender_errmsg(s));
    assert_true(r.success);
    return r;
}

/* --- a proxy that fails on demand --- */

typedef struct eit_proxy {
    plasma_http_server *srv;
    char url[64];
    const char *upstream;
    pthread_mutex_t mu;
    int requests;  /* requests received */
    int fail_next; /* the next n requests get fail_status */
    int fail_status;
    int stall_next; /* the next n requests are answered after stall_ms */
    long stall_ms;
    int fail_every; /* when > 0, every n-th request gets fail_status */
    bool fail_all;
    uint64_t max_logs_range;  /* when > 0, an eth_getLogs over more blocks gets "too many results" */
    int refused_logs;         /* eth_getLogs refused so far */
    const char *lose_method;  /* the next lose_answers requests of this method reach anvil, */
    int lose_answers;         /* but their answers are replaced by a 503 */
    const char *forge_method; /* the next request of this method is answered with */
    const char *forge_result; /* this JSON as its result, without reaching anvil */
} eit_proxy;

/* The forged answer to req, or NULL when it is not the method to forge. */
static char *eit_proxy_forge(eit_proxy *p, const plasma_http_req *req)
{
    json_t *j = json_loadb((const char *)req->body, req->body_len, 0, NULL);
    const char *m = json_string_value(json_object_get(j, "method"));
    char *answer = NULL;
    if (m && strcmp(m, p->forge_method) == 0) {
        size_t len = strlen(p->forge_result) + 64;
        answer = malloc(len);
        snprintf(answer, len, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"result\":%s}",
                 (long long)json_integer_value(json_object_get(j, "id")), p->forge_result);
    }
    json_decref(j);
    return answer;
}

static bool eit_proxy_is_method(const plasma_http_req *req, const char *method)
{
    json_t *j = json_loadb((const char *)req->body, req->body_len, 0, NULL);
    const char *m = json_string_value(json_object_get(j, "method"));
    bool is = m && strcmp(m, method) == 0;
    json_decref(j);
    return is;
}

/* The "too many results" answer some providers give to a wide eth_getLogs,
 * or NULL when the request is not one. */
static char *eit_proxy_refuse_logs(eit_proxy *p, const plasma_http_req *req)
{
    json_t *j = json_loadb((const char *)req->body, req->body_len, 0, NULL);
    const char *method = json_string_value(json_object_get(j, "method"));
    json_t *filter = json_array_get(json_object_get(j, "params"), 0);
    uint64_t from = 0, to = 0;
    char *answer = NULL;
    if (method && strcmp(method, "eth_getLogs") == 0 &&
        plasma_eth_quantity_u64(&from, json_object_get(filter, "fromBlock")) == 0 &&
        plasma_eth_quantity_u64(&to, json_object_get(filter, "toBlock")) == 0 &&
        to - from + 1 > p->max_logs_range) {
        answer = malloc(200);
        snprintf(answer, 200,
                 "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"error\":{\"code\":-32005,\"message\":\"query returned "
                 "more than 10000 results\"}}",
                 (long long)json_integer_value(json_object_get(j, "id")));
    }
    json_decref(j);
    return answer;
}

static void eit_proxy_handle(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    eit_proxy *p = ctx;
    pthread_mutex_lock(&p->mu);
    int n = ++p->requests;
    bool fail = p->fail_all || p->fail_next > 0 || (p->fail_every > 0 && n % p->fail_every == 0);
    if (p->fail_next > 0)
        p->fail_next--;
    long stall = 0;
    if (!fail && p->stall_next > 0) {
        p->stall_next--;
        stall = p->stall_ms;
    }
    int status = p->fail_status ? p->fail_status : 503;
    char *refusal = !fail && p->max_logs_range ? eit_proxy_refuse_logs(p, req) : NULL;
    p->refused_logs += refusal != NULL;
    bool lose = !fail && p->lose_answers > 0 && eit_proxy_is_method(req, p->lose_method);
    p->lose_answers -= lose;
    if (!fail && !refusal && p->forge_result && (refusal = eit_proxy_forge(p, req)) != NULL)
        p->forge_result = NULL;
    pthread_mutex_unlock(&p->mu);
    if (refusal) {
        resp->status = 200;
        resp->raw = refusal;
        resp->raw_len = strlen(refusal);
        return;
    }
    if (fail) {
        resp->status = status;
        resp->raw = strdup("upstream unavailable");
        resp->raw_len = strlen(resp->raw);
        resp->content_type = "text/plain";
        return;
    }
    if (stall)
        tu_sleep_ms(stall);
    plasma_http_client *c = NULL;
    plasma_buf body = {0};
    long st = 0;
    if (plasma_http_client_new(&c, p->upstream, 10000) != 0 ||
        plasma_http_request_bytes(c, "POST", "", req->body, req->body_len, &st, &body, SIZE_MAX, NULL, 0) !=
            0) {
        resp->status = 502;
        st = 0;
    }
    plasma_http_client_free(c);
    if (lose) {
        plasma_buf_free(&body);
        resp->status = 503;
        resp->raw = strdup("answer lost");
        resp->raw_len = strlen(resp->raw);
        resp->content_type = "text/plain";
    } else if (st) {
        resp->status = (int)st;
        resp->raw = (char *)body.data;
        resp->raw_len = body.len;
    } else {
        plasma_buf_free(&body);
    }
}

static const plasma_http_route EIT_PROXY_ROUTES[] = {{"POST", "/", eit_proxy_handle}};

static inline void eit_proxy_start(eit_proxy *p, const char *upstream)
{
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    p->upstream = upstream;
    plasma_http_mount m = {"", EIT_PROXY_ROUTES, 1, p};
    plasma_http_config cfg = {.port = 0, .max_body = 1u << 20};
    assert_int_equal(plasma_http_server_start(&p->srv, &cfg, &m, 1), 0);
    snprintf(p->url, sizeof p->url, "http://127.0.0.1:%u", plasma_http_server_port(p->srv));
}

static inline void eit_proxy_set(eit_proxy *p, int fail_next, int fail_status, int stall_next, long stall_ms,
                                 int fail_every, bool fail_all)
{
    pthread_mutex_lock(&p->mu);
    p->fail_next = fail_next;
    p->fail_status = fail_status;
    p->stall_next = stall_next;
    p->stall_ms = stall_ms;
    p->fail_every = fail_every;
    p->fail_all = fail_all;
    p->requests = 0;
    p->max_logs_range = 0;
    p->refused_logs = 0;
    p->lose_answers = 0;
    p->forge_result = NULL;
    pthread_mutex_unlock(&p->mu);
}

static inline int eit_proxy_requests(eit_proxy *p)
{
    pthread_mutex_lock(&p->mu);
    int n = p->requests;
    pthread_mutex_unlock(&p->mu);
    return n;
}

static inline void eit_proxy_stop(eit_proxy *p)
{
    plasma_http_server_free(p->srv);
    pthread_mutex_destroy(&p->mu);
}

#endif
