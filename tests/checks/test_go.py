"""Go structural checks: each fires on its bug and stays quiet on the
close-but-fine code next to it."""

from __future__ import annotations

import pytest

from tests.checks.helpers import only

PATH = "pkg/server.go"
# Built at run time so this file does not itself hold a key block.
KEY_HEADER = "-----BEGIN RSA " + "PRIVATE KEY-----"

# (rule, source, line of the finding)
POSITIVE: list[tuple[str, str, int]] = [
    (
        "go-defer-in-loop",
        """\
        package p

        func serve(l net.Listener) {
            for {
                conn, _ := l.Accept()
                defer conn.Close()
            }
        }
        """,
        6,
    ),
    (
        "go-defer-in-loop",
        """\
        package p

        func dump(rows *sql.Rows) {
            for rows.Next() {
                mu.Lock()
                defer mu.Unlock()
            }
        }
        """,
        6,
    ),
    (
        "go-defer-before-error-check",
        """\
        package p

        func fetch(url string) error {
            resp, err := http.Get(url)
            defer resp.Body.Close()
            if err != nil {
                return err
            }
            return nil
        }
        """,
        5,
    ),
    (
        "go-defer-before-error-check",
        """\
        package p

        func read(path string) (f *os.File, err error) {
            f, err = os.Open(path)
            defer f.Close()
            return f, err
        }
        """,
        5,
    ),
    (
        "go-ignored-error",
        """\
        package p

        func load(path string) []byte {
            f, _ := os.Open(path)
            return readAll(f)
        }
        """,
        4,
    ),
    (
        "go-ignored-error",
        """\
        package p

        func build(u string) *http.Request {
            var req *http.Request
            req, _ = http.NewRequest("GET", u, nil)
            return req
        }
        """,
        5,
    ),
    (
        "go-error-swallowed",
        """\
        package p

        func find(id string) (*User, error) {
            u, err := store.Get(id)
            if err != nil {
                return nil, nil
            }
            return u, nil
        }
        """,
        6,
    ),
    (
        "go-waitgroup-add-in-goroutine",
        """\
        package p

        func run(jobs []Job) {
            var wg sync.WaitGroup
            for _, j := range jobs {
                go func(j Job) {
                    wg.Add(1)
                    defer wg.Done()
                    j.Do()
                }(j)
            }
            wg.Wait()
        }
        """,
        7,
    ),
    (
        "go-sql-injection",
        """\
        package p

        func byName(db *sql.DB, name string) (*sql.Rows, error) {
            return db.Query(fmt.Sprintf("SELECT id FROM users WHERE name = '%s'", name))
        }
        """,
        4,
    ),
    (
        "go-sql-injection",
        """\
        package p

        func del(ctx context.Context, db *sql.DB, id string) error {
            _, err := db.ExecContext(ctx, "DELETE FROM users WHERE id = " + id)
            return err
        }
        """,
        4,
    ),
    (
        "go-sql-injection",
        """\
        package p

        func query(name string) string {
            q := fmt.Sprintf(`SELECT id FROM users WHERE name LIKE '%%%s%%'`, name)
            return q
        }
        """,
        4,
    ),
    (
        "go-tls-insecure-skip-verify",
        """\
        package p

        var client = &http.Client{
            Transport: &http.Transport{
                TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
            },
        }
        """,
        5,
    ),
    (
        "go-debug-breakpoint",
        """\
        package p

        func parse(b []byte) {
            runtime.Breakpoint()
            decode(b)
        }
        """,
        4,
    ),
    (
        "go-private-key",
        f"""\
        package p

        const signingKey = `{KEY_HEADER}
        MIIEpAIBAAKCAQEA75f3Yq0abcdEFGHijklMNOP
        -----END RSA PRIVATE KEY-----`
        """,
        3,
    ),
    (
        "go-hardcoded-credential",
        """\
        package p

        const apiKey = "Zq8xT3vR9mL2wP7k"
        """,
        3,
    ),
    (
        "go-hardcoded-credential",
        """\
        package p

        func connect() *DB {
            return open(Config{
                User:     "app",
                Password: "hunter22",
            })
        }
        """,
        6,
    ),
    (
        "go-hardcoded-credential",
        """\
        package p

        func setup(cfg *Config) {
            cfg.ClientSecret = "9f8e7d6c5b4a"
        }
        """,
        4,
    ),
    (
        "go-hardcoded-credential",
        """\
        package p

        func setup() {
            dbPassword := "P@ssw0rd!"
            use(dbPassword)
        }
        """,
        4,
    ),
    (
        "go-method-calls-itself",
        """\
        package p

        func (w *compressWriter) WriteHeader(code int) {
            if w.wroteHeader {
                return
            }
            w.wroteHeader = true
            defer w.WriteHeader(code)
        }
        """,
        8,
    ),
    (
        "go-method-calls-itself",
        """\
        package p

        func (h *logged) ServeHTTP(w http.ResponseWriter, r *http.Request) {
            log.Println(r.URL)
            h.ServeHTTP(w, r)
        }
        """,
        5,
    ),
]

# (rule, source): close to the bug, but fine.
NEGATIVE: list[tuple[str, str]] = [
    (
        "go-defer-in-loop",
        """\
        package p

        func closeAll(files []*os.File) {
            for _, f := range files {
                defer f.Close()
            }
            for i := 0; i < 3; i++ {
                defer release(i)
            }
            for {
                func() {
                    conn := accept()
                    defer conn.Close()
                }()
            }
        }
        """,
    ),
    (
        "go-defer-before-error-check",
        """\
        package p

        func fetch(url string) error {
            resp, err := http.Get(url)
            if err != nil {
                return err
            }
            defer resp.Body.Close()
            mu, ok := locks[url]
            defer mu.Unlock()
            return nil
        }
        """,
    ),
    (
        "go-ignored-error",
        """\
        package p

        func f(s string, r io.Reader) {
            n, _ := strconv.Atoi(s)
            body, _ := io.ReadAll(r)
            _, err := os.Open(s)
            v, _ := cache[s]
            use(n, body, err, v)
        }
        """,
    ),
    (
        "go-error-swallowed",
        """\
        package p

        func find(id string) (*User, error) {
            u, err := store.Get(id)
            if err == sql.ErrNoRows {
                return nil, nil
            }
            if err != nil {
                return nil, err
            }
            if err != nil {
                log.Printf("lookup %s: %v", id, err)
                return nil, nil
            }
            return u, nil
        }
        """,
    ),
    (
        "go-waitgroup-add-in-goroutine",
        """\
        package p

        func run(jobs []Job) {
            var wg sync.WaitGroup
            for _, j := range jobs {
                wg.Add(1)
                go func(j Job) {
                    done.Add(1)
                    defer wg.Done()
                    j.Do()
                }(j)
            }
            wg.Wait()
        }
        """,
    ),
    (
        "go-sql-injection",
        """\
        package p

        func q(db *sql.DB, table, name string, n int) {
            db.Query("SELECT id FROM users WHERE name = ?", name)
            db.Query(fmt.Sprintf("SELECT id FROM %s WHERE name = $1", table), name)
            db.Query(fmt.Sprintf("SELECT id FROM users LIMIT %d", n))
            db.Exec("DELETE FROM " + table + " WHERE id = ?", name)
            log.Println(fmt.Sprintf("user '%s' not found", name))
        }
        """,
    ),
    (
        "go-tls-insecure-skip-verify",
        """\
        package p

        func config(insecure bool) *tls.Config {
            cfg := &tls.Config{InsecureSkipVerify: insecure, MinVersion: tls.VersionTLS12}
            if insecure {
                cfg.InsecureSkipVerify = true
            }
            return cfg
        }
        """,
    ),
    (
        "go-debug-breakpoint",
        """\
        package p

        func f() {
            runtime.Gosched()
            debug.PrintStack()
        }
        """,
    ),
    (
        "go-private-key",
        f"""\
        package p

        func isKey(b []byte) bool {{
            return bytes.HasPrefix(b, []byte("{KEY_HEADER}"))
        }}
        """,
    ),
    (
        "go-hardcoded-credential",
        """\
        package p

        const PasswordEnv = "DB_PASSWORD"
        const tokenHeader = "X-Auth-Token"

        func setup(cfg *Config) {
            password := os.Getenv("DB_PASSWORD")
            apiKey := ""
            cfg.Password = "changeme123"
            cfg.APIKey = "<your-api-key>"
            secret := "/run/secrets/db1"
            use(password, apiKey, secret)
        }
        """,
    ),
    (
        "go-method-calls-itself",
        """\
        package p

        func (w *compressWriter) WriteHeader(code int) {
            defer w.ResponseWriter.WriteHeader(code)
        }

        func (c *concatIterator) Next() bool {
            c.idx++
            return c.Next()
        }

        func (p *parser) skip(n int) {
            if n > 0 {
                p.skip(n)
            }
            p.skip(n - 1)
        }
        """,
    ),
]


@pytest.mark.parametrize(
    "rule", ["go-ignored-error", "go-hardcoded-credential", "go-tls-insecure-skip-verify"]
)
def test_test_files_are_skipped(rule: str) -> None:
    source = next(source for r, source, _ in POSITIVE if r == rule)
    assert only("pkg/server_test.go", source, rule) == []
    assert only("pkg/testdata/fixture.go", source, rule) == []


def test_messages_name_the_values() -> None:
    source = next(s for r, s, _ in POSITIVE if r == "go-defer-before-error-check")
    (found,) = only(PATH, source, "go-defer-before-error-check")
    assert "`resp.Body.Close()`" in found.message and "`resp` is nil" in found.message
