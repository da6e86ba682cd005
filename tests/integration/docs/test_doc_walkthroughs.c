/* The shell blocks of the docs a newcomer follows, run as written.
 *
 * Each document of `docs` below runs in its own bash session, against its
 * own fresh `plasma-operator --dev` (started as tools/run.sh starts it, on a
 * loopback port it picks, but with its chain mining and its blocks sealed
 * every 250 ms instead of every second, and an exit period of 600 s instead
 * of 60: the commands wait less for blocks, and the in-flight exit's first
 * phase, half the exit period of chain time, lasts 300 blocks, over a
 * minute even on a loaded machine instead of 30 s), and the test fails on
 * the first command that fails, naming the document, its line and the
 * command.
 *
 * The convention for doc authors:
 *  - Every fenced block whose info string is `sh` or `bash` runs, in the
 *    order of the document, in one session (`set -e -o pipefail`), so an
 *    `export` in one block holds in the next. Other blocks (no language,
 *    `json`, `console`, …) are text.
 *  - A block that must not run is preceded, on the line just before its
 *    fence, by `<!-- doc-test: skip (REASON) -->`: a daemon that runs in the
 *    foreground, a full build, a package install, a placeholder to fill in.
 *    Keep these rare; the reason is required. Any other `doc-test:` comment
 *    is refused, so that a typo cannot skip a block silently.
 *  - The session starts where a newcomer stands after `./tools/run.sh`: in
 *    a directory laid out like the repository's root whose `build/release`
 *    is the build under test (`tools/`, `docs/`, `examples/`, `contracts/`
 *    are the source tree's), with a fresh empty HOME, only PATH, HOME,
 *    PLASMA_OPERATOR, ETH_PORT and OP_PORT in the environment. PATH is the
 *    test's own, so `plasma` is found only if the document puts it there.
 *    PLASMA_OPERATOR (read by the CLI as its default --operator) names the
 *    test's operator, which the documents may assume at
 *    http://127.0.0.1:7434. ETH_PORT and OP_PORT are free loopback ports
 *    for the daemons a document starts itself (an Ethereum node and an
 *    operator on it), which it reads as `${ETH_PORT:-8545}`.
 *  - To cover another document, add it to `docs`.
 *
 * Built and run with gcc only: the sanitizer build skips it (scrypt and a
 * whole walkthrough are slow there, and the CLI's paths are tested under
 * the sanitizers by test_client_cli). */
#include "itest.h"

#ifndef PLASMA_SOURCE_DIR
#error "PLASMA_SOURCE_DIR must name the source tree"
#endif
#ifndef PLASMA_BUILD_DIR
#error "PLASMA_BUILD_DIR must name the build tree under test"
#endif

#define SESSION_TIMEOUT_S 240
#define MAX_SCRIPT_LINES 4096
#define SKIP_MARK "<!-- doc-test: skip ("
#define ANY_MARK "<!-- doc-test:"

static const char *const docs[] = {"README.md", "docs/client.md"};

/* The operator of the running test; the teardown stops it even when the
 * test failed half-way. */
static it_daemon daemon_;
static bool daemon_started;

/* A document turned into a script: script line i came from doc line
 * doc_line[i] (0 for lines the test added). */
typedef struct walkthrough {
    char *script;
    size_t len, cap;
    int doc_line[MAX_SCRIPT_LINES];
    int n_lines;
    int blocks_run, blocks_skipped;
} walkthrough;

static void emit(walkthrough *w, int doc_line, const char *text)
{
    size_t n = strlen(text);
    if (w->len + n + 2 > w->cap) {
        w->cap = (w->len + n + 2) * 2;
        w->script = realloc(w->script, w->cap);
        assert_non_null(w->script);
    }
    memcpy(w->script + w->len, text, n);
    w->len += n;
    w->script[w->len++] = '\n';
    w->script[w->len] = '\0';
    assert_true(w->n_lines < MAX_SCRIPT_LINES);
    w->doc_line[w->n_lines++] = doc_line;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text;
    long len;
    if (!f)
        fail_msg("cannot read %s", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    len = ftell(f);
    assert_true(len >= 0);
    rewind(f);
    text = malloc((size_t)len + 1);
    assert_non_null(text);
    text[fread(text, 1, (size_t)len, f)] = '\0';
    fclose(f);
    return text;
}

/* Whether a fence line opens a block that runs: ```sh or ```bash. */
static bool runnable_fence(const char *line)
{
    const char *info = line + 3;
    size_t n = strcspn(info, " \t{");
    return (n == 2 && strncmp(info, "sh", 2) == 0) || (n == 4 && strncmp(info, "bash", 4) == 0);
}

/* Whether line is a skip marker; any other doc-test comment fails. */
static bool skip_marker(const char *doc, int lineno, const char *line)
{
    if (strncmp(line, ANY_MARK, strlen(ANY_MARK)) != 0)
        return false;
    const char *reason = line + strlen(SKIP_MARK), *close = strstr(line, ") -->");
    if (strncmp(line, SKIP_MARK, strlen(SKIP_MARK)) != 0 || !close || close <= reason)
        fail_msg("%s:%d: write the marker as " SKIP_MARK "REASON) -->", doc, lineno);
    return true;
}

/* The next line of *p, NUL-terminated in place (empty lines included);
 * NULL at the end. */
static char *next_line(char **p)
{
    char *line = *p, *nl;
    if (!*line)
        return NULL;
    nl = strchr(line, '\n');
    if (nl) {
        *nl = '\0';
        *p = nl + 1;
    } else {
        *p = line + strlen(line);
    }
    return line;
}

static void parse_doc(walkthrough *w, const char *doc, char *text)
{
    char *p = text, *line;
    int lineno = 0, marked_at = 0;
    bool in_block = false, running = false;
    while ((line = next_line(&p)) != NULL) {
        lineno++;
        if (in_block) {
            if (strncmp(line, "```", 3) == 0)
                in_block = false;
            else if (running)
                emit(w, lineno, line);
            continue;
        }
        if (strncmp(line, "```", 3) == 0) {
            bool shell = runnable_fence(line), skipped = marked_at == lineno - 1 && marked_at > 0;
            if (skipped && !shell)
                fail_msg("%s:%d: a skip marker before a block that would not run anyway", doc, marked_at);
            in_block = true;
            running = shell && !skipped;
            w->blocks_run += running;
            w->blocks_skipped += skipped;
            continue;
        }
        if (marked_at == lineno - 1 && marked_at > 0)
            fail_msg("%s:%d: a skip marker must be the line just before a ```sh fence", doc, marked_at);
        if (skip_marker(doc, lineno, line))
            marked_at = lineno;
    }
    if (in_block)
        fail_msg("%s: a ``` block is not closed", doc);
    if (marked_at == lineno && marked_at > 0)
        fail_msg("%s:%d: a skip marker at the end of the file", doc, marked_at);
}

/* The script: strict mode, and a trap that names the failing line. */
static void build_script(walkthrough *w, const char *doc)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", PLASMA_SOURCE_DIR, doc);
    char *text = read_file(path);
    emit(w, 0, "set -eE -o pipefail");
    emit(w, 0, "trap 's=$?; echo \"doc-test-failed $LINENO $s $BASH_COMMAND\" >&2' ERR");
    parse_doc(w, doc, text);
    free(text);
}

/* A directory laid out like the repository's root after ./tools/run.sh. */
static void make_repo_view(const char *dir)
{
    static const char *const from_source[] = {"tools", "docs", "examples", "contracts", "README.md"};
    char link[4096], target[4096], build[4096];
    snprintf(build, sizeof build, "%s/build", dir);
    assert_int_equal(mkdir(build, 0700), 0);
    snprintf(link, sizeof link, "%s/build/release", dir);
    assert_int_equal(symlink(PLASMA_BUILD_DIR, link), 0);
    for (size_t i = 0; i < sizeof from_source / sizeof from_source[0]; i++) {
        snprintf(link, sizeof link, "%s/%s", dir, from_source[i]);
        snprintf(target, sizeof target, "%s/%s", PLASMA_SOURCE_DIR, from_source[i]);
        assert_int_equal(symlink(target, link), 0);
    }
}

/* Runs bash on script in repo with a minimal environment, output into log.
 * Returns its wait status, or -1 after SESSION_TIMEOUT_S (group killed). */
static int run_session(const char *script, const char *repo, const char *home, const char *log, uint16_t port)
{
    char env_path[4096], env_home[4096], env_op[64], env_eth[32], env_op_port[32];
    const char *path = getenv("PATH");
    snprintf(env_path, sizeof env_path, "PATH=%s", path ? path : "/usr/local/bin:/usr/bin:/bin");
    snprintf(env_home, sizeof env_home, "HOME=%s", home);
    snprintf(env_op, sizeof env_op, "PLASMA_OPERATOR=http://127.0.0.1:%u", port);
    snprintf(env_eth, sizeof env_eth, "ETH_PORT=%u", it_free_port());
    snprintf(env_op_port, sizeof env_op_port, "OP_PORT=%u", it_free_port());
    char *const envp[] = {env_path, env_home, env_op, env_eth, env_op_port, NULL};
    char *const argv[] = {"bash", (char *)script, NULL};
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        setpgid(0, 0);
        if (fd < 0 || chdir(repo) != 0)
            _exit(126);
        dup2(fd, 1);
        dup2(fd, 2);
        execve("/bin/bash", argv, envp);
        _exit(127);
    }
    double deadline = it_now() + SESSION_TIMEOUT_S;
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (it_now() > deadline) {
            kill(-pid, SIGKILL);
            waitpid(pid, NULL, 0);
            return -1;
        }
        it_sleep_ms(50);
    }
    return status;
}

/* Prints the end of the session's log and the doc line that failed. */
static void report_failure(const walkthrough *w, const char *doc, const char *log, int status)
{
    if (access(log, R_OK) != 0)
        fail_msg("%s: the session ended with status %d and left no log at %s (%s)", doc, status, log,
                 strerror(errno));
    char *text = read_file(log), *mark = strstr(text, "doc-test-failed ");
    size_t len = strlen(text);
    fprintf(stderr, "---- last output of the %s session ----\n%s\n----\n", doc,
            len > 3000 ? text + len - 3000 : text);
    if (status < 0) {
        free(text);
        fail_msg("%s: the commands did not finish within %d s", doc, SESSION_TIMEOUT_S);
    }
    int line = 0, code = 0, used = 0;
    if (mark && sscanf(mark, "doc-test-failed %d %d %n", &line, &code, &used) == 2 && line >= 1 &&
        line <= w->n_lines && w->doc_line[line - 1] > 0) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "%.*s", (int)strcspn(mark + used, "\n"), mark + used);
        int doc_line = w->doc_line[line - 1];
        free(text);
        fail_msg("%s:%d: `%s` failed with exit status %d", doc, doc_line, cmd, code);
    }
    free(text);
    fail_msg("%s: the session ended with status %d", doc, status);
}

static void run_doc(const char *doc)
{
    static walkthrough w;
    it_daemon *d = &daemon_;
    char repo[1024], home[1024], script[1024], log[1024];
    static const char *const dev[] = {"--dev", "--rc-block-interval-ms", "250", "--seal-interval-ms", "250",
                                      "--rc-min-exit-period-s", "600", NULL};
    free(w.script);
    memset(&w, 0, sizeof w);
    build_script(&w, doc);
    if (w.blocks_run == 0)
        fail_msg("%s has no sh block to run", doc);
    daemon_started = true;
    it_start(d, dev);
    snprintf(repo, sizeof repo, "%s/repo", d->dir);
    snprintf(home, sizeof home, "%s/home", d->dir);
    snprintf(script, sizeof script, "%s/walkthrough.sh", d->dir);
    snprintf(log, sizeof log, "%s/walkthrough.log", d->dir);
    assert_int_equal(mkdir(repo, 0700), 0);
    assert_int_equal(mkdir(home, 0700), 0);
    make_repo_view(repo);
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    assert_int_equal(fputs(w.script, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    double t0 = it_now();
    int status = run_session(script, repo, home, log, d->port);
    if (status != 0)
        report_failure(&w, doc, log, status);
    printf("%s: %d block(s) run, %d skipped, %.1f s\n", doc, w.blocks_run, w.blocks_skipped, it_now() - t0);
    it_stop(d);
}

static int teardown(void **state)
{
    (void)state;
    if (daemon_started)
        it_cleanup(&daemon_);
    daemon_started = false;
    return 0;
}

static void test_readme(void **state)
{
    (void)state;
    run_doc(docs[0]);
}

static void test_client_md(void **state)
{
    (void)state;
    run_doc(docs[1]);
}

/* The parser itself: which blocks run, skips, and where lines come from. */
static void test_parser(void **state)
{
    (void)state;
    walkthrough w = {0};
    char text[] = "# t\n\n```sh\necho one\n```\n"
                  "<!-- doc-test: skip (a daemon) -->\n```sh\nsleep 1000\n```\n"
                  "```\nnot shell\n```\n```bash\n\necho two\n```\n```json\n{}\n```\n";
    parse_doc(&w, "t.md", text);
    assert_int_equal(w.blocks_run, 2);
    assert_int_equal(w.blocks_skipped, 1);
    assert_string_equal(w.script, "echo one\n\necho two\n");
    assert_int_equal(w.n_lines, 3);
    assert_int_equal(w.doc_line[0], 4);
    assert_int_equal(w.doc_line[1], 14);
    assert_int_equal(w.doc_line[2], 15);
    free(w.script);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parser),
        cmocka_unit_test_teardown(test_readme, teardown),
        cmocka_unit_test_teardown(test_client_md, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
