"""Rust structural checks: each fires on its bug and stays quiet on the
close-but-fine code next to it (test code included)."""

from __future__ import annotations

import pytest

from tests.checks.helpers import only

PATH = "src/lib.rs"
# Built at run time so this file does not itself hold a key block.
KEY_HEADER = "-----BEGIN " + "PRIVATE KEY-----"

# (rule, source, line of the finding)
POSITIVE: list[tuple[str, str, int]] = [
    ("rust-dbg-macro", "fn f(x: u32) -> u32 {\n    dbg!(x) + 1\n}\n", 2),
    ("rust-dbg-macro", "fn f(v: &[u8]) {\n    let n = v.len();\n    std::dbg!(&v);\n}\n", 3),
    ("rust-todo", "fn parse(s: &str) -> Ast {\n    todo!()\n}\n", 2),
    (
        "rust-todo",
        "impl Codec for Json {\n    fn decode(&self) -> Value {\n"
        '        unimplemented!("decode")\n    }\n}\n',
        3,
    ),
    (
        "rust-unwrap-in-result-fn",
        """\
        fn load(path: &Path) -> io::Result<Config> {
            let text = fs::read_to_string(path).unwrap();
            Ok(Config::from(text))
        }
        """,
        2,
    ),
    (
        "rust-unwrap-in-result-fn",
        """\
        pub fn port(
            raw: &str,
        ) -> Result<u16, Error> {
            let port = raw.trim().parse::<u16>().unwrap();
            Ok(port)
        }
        """,
        4,
    ),
    (
        "rust-blocking-sleep-in-async",
        """\
        pub async fn poll(client: &Client) {
            loop {
                client.tick().await;
                std::thread::sleep(Duration::from_secs(1));
            }
        }
        """,
        4,
    ),
    (
        "rust-blocking-sleep-in-async",
        "fn spawn() {\n    tokio::spawn(async move {\n        thread::sleep(DELAY);\n    });\n}\n",
        3,
    ),
    (
        "rust-mem-uninitialized",
        "fn f() {\n    let buf: [u8; 64] = unsafe { mem::uninitialized() };\n}\n",
        2,
    ),
    (
        "rust-mem-uninitialized",
        "fn f() -> Big {\n    unsafe { std::mem::uninitialized::<Big>() }\n}\n",
        2,
    ),
    (
        "rust-sql-injection",
        """\
        fn delete(conn: &Connection, id: &str) -> Result<usize> {
            conn.execute(&format!("DELETE FROM users WHERE id = {}", id), [])
        }
        """,
        2,
    ),
    (
        "rust-sql-injection",
        """\
        fn find(name: &str) -> String {
            let q = format!("SELECT id FROM users WHERE name = '{name}'");
            q
        }
        """,
        2,
    ),
    (
        "rust-private-key",
        f'const KEY: &str = r#"{KEY_HEADER}\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n"#;\n',
        1,
    ),
    ("rust-hardcoded-credential", 'const API_KEY: &str = "Zq8xT3vR9mL2wP7k";\n', 1),
    (
        "rust-hardcoded-credential",
        'fn f() {\n    let password = String::from("hunter22");\n    login(&password);\n}\n',
        2,
    ),
    (
        "rust-hardcoded-credential",
        'fn f() -> Config {\n    Config {\n        user: "app".into(),\n'
        '        client_secret: "9f8e7d6c5b4a".to_string(),\n    }\n}\n',
        4,
    ),
]

# (rule, source): close to the bug, but fine.
NEGATIVE: list[tuple[str, str]] = [
    (
        "rust-dbg-macro",
        """\
        fn f(x: u32) -> u32 {
            debug!("x = {}", x);
            x + 1
        }

        #[cfg(test)]
        mod tests {
            fn helper() {
                dbg!(1);
            }
        }

        #[test]
        fn it_works() {
            dbg!(2);
        }

        #[cfg(all(test, feature = "slow"))]
        mod slow_tests {
            fn helper() {
                dbg!(3);
            }
        }
        """,
    ),
    (
        "rust-todo",
        """\
        macro_rules! forward {
            () => { unimplemented!() };
        }

        // todo!() once the parser lands
        fn f() -> u32 {
            todo_count!()
        }

        #[tokio::test]
        async fn pending() {
            todo!()
        }
        """,
    ),
    (
        "rust-unwrap-in-result-fn",
        """\
        fn pick(items: &mut Vec<Item>) -> Result<Item> {
            let last = items.pop().unwrap();
            let guard = LOCK.lock().unwrap();
            let text = CELL.get().unwrap();
            let open = |p: &Path| File::open(p).unwrap();
            Ok(last)
        }

        fn config() -> Config {
            let text = fs::read_to_string("app.toml").unwrap();
            toml::from_str(&text).unwrap()
        }

        #[test]
        fn reads() -> Result<()> {
            let text = fs::read_to_string("fixture").unwrap();
            Ok(())
        }
        """,
    ),
    (
        "rust-blocking-sleep-in-async",
        """\
        fn backoff() {
            std::thread::sleep(Duration::from_millis(50));
        }

        async fn poll() {
            tokio::time::sleep(Duration::from_secs(1)).await;
            tokio::task::spawn_blocking(|| std::thread::sleep(Duration::from_secs(1)));
        }
        """,
    ),
    (
        "rust-mem-uninitialized",
        """\
        fn f() {
            let buf = MaybeUninit::<[u8; 64]>::uninit();
            let z: [u8; 4] = unsafe { mem::zeroed() };
        }
        """,
    ),
    (
        "rust-sql-injection",
        """\
        fn q(conn: &Connection, table: &str, name: &str) -> Result<()> {
            conn.execute("DELETE FROM users WHERE name = ?1", [name])?;
            conn.execute(&format!("DELETE FROM {} WHERE name = ?1", table), [name])?;
            let msg = format!("user '{}' not found", name);
            Ok(())
        }
        """,
    ),
    (
        "rust-private-key",
        f'fn is_key(s: &str) -> bool {{\n    s.starts_with("{KEY_HEADER}")\n}}\n',
    ),
    (
        "rust-hardcoded-credential",
        """\
        const API_KEY_ENV: &str = "API_KEY";
        const PASSWORD: &str = "";

        fn f() {
            let password = std::env::var("DB_PASSWORD").unwrap_or_default();
            let api_key = "<your-api-key>";
            let secret = String::from("changeme123");
        }

        #[cfg(test)]
        mod tests {
            const API_KEY: &str = "Zq8xT3vR9mL2wP7k";
        }
        """,
    ),
]


@pytest.mark.parametrize(
    "path", ["tests/cli.rs", "crate/benches/parse.rs", "build.rs", "src/parser/tests.rs"]
)
def test_test_and_build_files_are_skipped(path: str) -> None:
    for rule in ("rust-dbg-macro", "rust-todo", "rust-unwrap-in-result-fn"):
        source = next(source for r, source, _ in POSITIVE if r == rule)
        assert only(path, source, rule) == []


def test_unwrap_message_names_the_failing_call() -> None:
    source = next(s for r, s, _ in POSITIVE if r == "rust-unwrap-in-result-fn")
    (found,) = only(PATH, source, "rust-unwrap-in-result-fn")
    assert "`read_to_string` fails" in found.message
