"""Ruby structural checks: each fires on its bug and stays quiet on the
close-but-fine code next to it."""

from __future__ import annotations

import pytest

from tests.checks.helpers import only

PATH = "app/models/user.rb"
# Built at run time so this file does not itself hold a key block.
KEY_HEADER = "-----BEGIN RSA " + "PRIVATE KEY-----"

# (rule, source, line of the finding, suggested line or None)
POSITIVE: list[tuple[str, str, int, str | None]] = [
    ("rb-debugger", "def show\n  binding.pry\n  render\nend\n", 2, None),
    ("rb-debugger", "items.each do |i|\n  byebug\nend\n", 2, None),
    ("rb-debugger", "if x\n  debugger\nend\n", 2, None),
    ("rb-hardcoded-credential", "PASSWORD = 'hunter22'\n", 1, None),
    ("rb-hardcoded-credential", 'self.api_key = "sk_live_4eC39HqLyjWD"\n', 1, None),
    ("rb-hardcoded-credential", "conn = connect(\n  password: 's3cr3tP4ss',\n)\n", 2, None),
    ("rb-hardcoded-credential", "opts = { 'auth_token' => 'tok_123456789' }\n", 1, None),
    # A heredoc body starts at the end of its `<<~` line, so the finding does too.
    (
        "rb-private-key",
        f"KEY = <<~PEM\n  {KEY_HEADER}\n  MIIEpAIBAAKCAQEA75f3Yq0abc\nPEM\n",
        1,
        None,
    ),
    ("rb-private-key", f'KEY = "{KEY_HEADER}\\nMIIEpAIBAAKCAQEA75f3Yq0abc"\n', 1, None),
    ("rb-sql-injection", "User.where(\"name = '#{params[:name]}'\")\n", 1, None),
    ("rb-sql-injection", 'conn.execute("DELETE FROM t WHERE id = #{id}")\n', 1, None),
    (
        "rb-sql-injection",
        "Post.find_by_sql(\"SELECT * FROM posts WHERE title LIKE '%#{q}%'\")\n",
        1,
        None,
    ),
    ("rb-eval", "def run(code)\n  eval(code)\nend\n", 2, None),
    ("rb-eval", 'eval("@#{name} = 1")\n', 1, None),
    ("rb-shell-injection", 'system("tar xf #{file}")\n', 1, None),
    ("rb-shell-injection", 'out = Open3.capture2("git log #{ref}")\n', 1, None),
    (
        "rb-rescue-exception",
        "begin\n  work\nrescue Exception => e\n  logger.error(e)\nend\n",
        3,
        None,
    ),
    ("rb-empty-rescue", "begin\n  work\nrescue => e\nend\n", 3, None),
    ("rb-empty-rescue", "def f\n  work\nrescue StandardError\nend\n", 3, None),
]

# (rule, source): close to the bug, but fine.
NEGATIVE: list[tuple[str, str]] = [
    ("rb-debugger", "def show\n  binding.local_variable_get(:x)\n  logger.debug('x')\nend\n"),
    ("rb-debugger", "debugger_enabled = true\nputs debugger_enabled\n"),
    ("rb-hardcoded-credential", "PASSWORD = ENV.fetch('PASSWORD')\nTOKEN = ''\n"),
    ("rb-hardcoded-credential", "api_key = 'changeme123'\npassword_field = 'pw123456'\n"),
    ("rb-hardcoded-credential", 'token = "#{prefix}123abc"\nopts = { password: pw }\n'),
    ("rb-private-key", f"HEADER = '{KEY_HEADER}'\n"),
    ("rb-sql-injection", "User.where('name = ?', params[:name])\nUser.where(name: n)\n"),
    ("rb-sql-injection", 'User.joins(:posts).where("#{table_name}.id = ?", id)\n'),
    ("rb-sql-injection", 'logger.info("where = #{x}")\nputs("id = #{id}")\n'),
    ("rb-eval", "eval('1 + 1')\nobj.instance_eval { x }\nbinding.eval(src)\n"),
    ("rb-shell-injection", "system('tar', 'xf', file)\nsystem('make test')\n"),
    ("rb-shell-injection", 'File.exec("#{x}", y)\nputs("run #{x}")\n'),
    ("rb-rescue-exception", "begin\n  work\nrescue Exception => e\n  log(e)\n  raise\nend\n"),
    ("rb-rescue-exception", "begin\n  work\nrescue StandardError => e\n  log(e)\nend\n"),
    ("rb-empty-rescue", "begin\n  require 'oj'\nrescue LoadError\nend\n"),
    ("rb-empty-rescue", "begin\n  work\nrescue => e\n  log(e)\nend\n"),
    ("rb-empty-rescue", "begin\n  work\nrescue\n  # optional cache, ignore\nend\n"),
    ("rb-sql-injection", 'execute("UPDATE t SET a = #{quote(v)} WHERE id = ?")\n'),
    (
        "rb-rescue-exception",
        "begin\n  work\nrescue Exception => e # rubocop:disable Lint/RescueException\n"
        "  report(e)\nend\n",
    ),
]


@pytest.mark.parametrize("path", ["spec/models/user_spec.rb", "test/user_test.rb"])
def test_credentials_are_not_checked_in_tests(path: str) -> None:
    assert only(path, "PASSWORD = 'hunter22'\n", "rb-hardcoded-credential") == []


@pytest.mark.parametrize(
    ("rule", "source"),
    [
        ("rb-sql-injection", 'execute("DELETE FROM t WHERE id = #{id}")\n'),
        ("rb-eval", "eval(code)\n"),
        ("rb-shell-injection", 'system("ls #{dir}")\n'),
        ("rb-empty-rescue", "begin\n  x\nrescue\nend\n"),
    ],
)
def test_tests_may_do_risky_things_on_purpose(rule: str, source: str) -> None:
    assert only("test/models/user_test.rb", source, rule) == []
    assert only("spec/user_spec.rb", source, rule) == []
    assert only(PATH, source, rule) != []


def test_rescue_exception_with_empty_body_is_one_finding() -> None:
    found = [
        f.rule_id for f in only(PATH, "begin\n  x\nrescue Exception\nend\n", "rb-rescue-exception")
    ]
    found += [
        f.rule_id for f in only(PATH, "begin\n  x\nrescue Exception\nend\n", "rb-empty-rescue")
    ]
    assert found == ["rb-rescue-exception"]
