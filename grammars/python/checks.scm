; Structural checks for Python. See reviewer/checks/catalog.py for the keys.
; Every pattern must stay precise: it fires on code a reviewer would flag,
; not on idioms. Avoid two unanchored sibling sub-patterns under a node that
; can be large (a dict, a module): the matcher goes quadratic on those.

; def f(items=[]): the default is created once and shared by every call.
(default_parameter
  value: [(list) (dictionary) (set)] @finding
  (#set! id "py-mutable-default-arg")
  (#set! severity "warning")
  (#set! message "Mutable default argument `{finding}` is shared between calls; default to None and create it inside"))

; x == None: calls __eq__, which may be overridden; identity is what is meant.
((comparison_operator
   (_) @left
   operators: ["==" "!="] @op
   (none)) @finding
  (#eq? @op "==")
  (#set! id "py-none-equality")
  (#set! severity "warning")
  (#set! message "Comparison to None with `==`; use `is None`")
  (#set! fix "{left} is None"))

; x != None: calls __ne__, which may be overridden; identity is what is meant.
((comparison_operator
   (_) @left
   operators: ["==" "!="] @op
   (none)) @finding
  (#eq? @op "!=")
  (#set! id "py-none-inequality")
  (#set! severity "warning")
  (#set! message "Comparison to None with `!=` calls `__ne__`, which may be overridden; use `is not None`")
  (#set! fix "{left} is not None"))

; x is "abc" / x is 1: identity of literals is an interpreter detail, so the
; result changes between runs and versions (CPython warns: SyntaxWarning).
((comparison_operator
   operators: "is" @fix
   .
   [(string) (concatenated_string) (integer) (float) (tuple) (list) (dictionary) (set)
    (unary_operator argument: [(integer) (float)])] @literal) @finding
  (#set! id "py-is-literal")
  (#set! severity "error")
  (#set! message "`is` compares identity, and the identity of the literal `{literal}` is not guaranteed; use `==`")
  (#set! fix "=="))

; x is not "abc": the same identity-of-a-literal bug, negated.
((comparison_operator
   operators: "is not" @fix
   .
   [(string) (concatenated_string) (integer) (float) (tuple) (list) (dictionary) (set)
    (unary_operator argument: [(integer) (float)])] @literal) @finding
  (#set! id "py-is-literal")
  (#set! severity "error")
  (#set! message "`is not` compares identity, and the identity of the literal `{literal}` is not guaranteed; use `!=`")
  (#set! fix "!="))

; assert (cond, "msg"): a non-empty tuple is always true, the assert never fails.
(assert_statement
  .
  (tuple . (_)) @finding
  (#set! id "py-assert-tuple")
  (#set! severity "error")
  (#set! message "This assert tests a non-empty tuple, which is always true, so it can never fail; drop the parentheses"))

; except: catches SystemExit and KeyboardInterrupt too, so Ctrl-C and
; sys.exit() are silently eaten; fine only when the handler re-raises.
((except_clause
   !value) @finding
  (#not-match? @finding "(^|\\n)[ \\t]*raise[ \\t]*(#.*)?(\\n|$)")
  (#set! id "py-bare-except")
  (#set! severity "warning")
  (#set! message "Bare `except:` also catches KeyboardInterrupt and SystemExit; catch `Exception` (or re-raise)"))

; except Exception: pass: every error, including real bugs, vanishes without a trace.
((except_clause
   value: [(identifier) @type (as_pattern . (identifier) @type)]
   .
   (block . [(pass_statement) (expression_statement . (ellipsis) .)] .)) @finding
  (#any-of? @type "Exception" "BaseException")
  (#set! id "py-exception-swallowed")
  (#set! severity "warning")
  (#set! message "`except {type}` with an empty body silently swallows every error, real bugs included; narrow the exception or at least log it"))

; breakpoint(): a debugger stop left in the code halts the program. (Not in
; functions named for debugging, like `def set_break`: those stop on purpose.)
((call
   function: (identifier) @name) @finding
  (#eq? @name "breakpoint")
  (#not-inside-match? @finding "function_definition" "(?i)def\\s+\\w*(debug|trace|break)")
  (#set! id "py-debugger")
  (#set! severity "error")
  (#set! message "Debugger call `breakpoint()` left in the code stops the program at run time"))

; pdb.set_trace(): a debugger stop left in the code halts the program (same
; exemption for debugging helpers).
((call
   function: (attribute
     object: (identifier) @module
     attribute: (identifier) @name)) @finding
  (#any-of? @module "pdb" "ipdb" "pudb" "pdbpp" "rpdb" "wdb" "web_pdb")
  (#eq? @name "set_trace")
  (#not-inside-match? @finding "function_definition" "(?i)def\\s+\\w*(debug|trace|break)")
  (#set! id "py-debugger")
  (#set! severity "error")
  (#set! message "Debugger call `{module}.set_trace()` left in the code stops the program at run time"))

; import ipdb: interactive debuggers are only ever imported to debug by hand.
((import_statement
   name: (dotted_name . (identifier) @module .)) @finding
  (#any-of? @module "ipdb" "pudb" "pdbpp" "rpdb" "web_pdb")
  (#set! id "py-debugger")
  (#set! severity "error")
  (#set! message "Debugger import `{module}` left in the code (and a dependency the program does not declare)"))

; from pdb import set_trace: the import of a debugger stop.
((import_from_statement
   module_name: (dotted_name . (identifier) @module .)
   name: (dotted_name (identifier) @name)) @finding
  (#any-of? @module "pdb" "ipdb" "pudb" "pdbpp" "rpdb" "web_pdb")
  (#eq? @name "set_trace")
  (#set! id "py-debugger")
  (#set! severity "error")
  (#set! message "Debugger import `from {module} import set_trace` left in the code"))

; password = "hunter2": a secret in source is leaked to everyone who can read
; the repository. Values must look like a secret (letters and digits, no
; spaces or template syntax), which skips placeholders and key names.
((assignment
   left: [(identifier) @name (attribute attribute: (identifier) @name)]
   right: (string . (string_start) . (string_content) @value . (string_end) .)) @finding
  (#match? @name "(?i)(^|_)(passw(or)?d|passphrase|secret|secret_?key|api_?key|access_?key|auth_?key|token|private_?key)$")
  (#match? @value "^(?=[^\\s]*[0-9])(?=[^\\s]*[A-Za-z])[^\\s<>{}$%*()\\[\\]]{6,}$")
  (#not-match? @value "(?i)(x{3}|changeme|change_me|example|dummy|placeholder|redacted|secret|password|your|sample|fake|test|^env)")
  (#set! id "py-hardcoded-credential")
  (#set! severity "error")
  (#set! message "Hard-coded credential in `{name}`: anyone with the source has it; read it from the environment or a secret store")
  (#set! exclude-paths "test_*.py,*_test.py,*/test_*.py,tests/*,*/tests/*,test/*,*/test/*,conftest.py,*/conftest.py"))

; f(password="hunter2") / {"api_key": "..."}: the same leaked secret as an argument or a dict entry.
([(keyword_argument
    name: (identifier) @name
    value: (string . (string_start) . (string_content) @value . (string_end) .))
  (pair
    key: (string . (string_start) . (string_content) @name . (string_end) .)
    value: (string . (string_start) . (string_content) @value . (string_end) .))] @finding
  (#match? @name "(?i)(^|_)(passw(or)?d|passphrase|secret|secret_?key|api_?key|access_?key|auth_?key|token|private_?key)$")
  (#match? @value "^(?=[^\\s]*[0-9])(?=[^\\s]*[A-Za-z])[^\\s<>{}$%*()\\[\\]]{6,}$")
  (#not-match? @value "(?i)(x{3}|changeme|change_me|example|dummy|placeholder|redacted|secret|password|your|sample|fake|test|^env)")
  (#set! id "py-hardcoded-credential")
  (#set! severity "error")
  (#set! message "Hard-coded credential for `{name}`: anyone with the source has it; read it from the environment or a secret store")
  (#set! exclude-paths "test_*.py,*_test.py,*/test_*.py,tests/*,*/tests/*,test/*,*/test/*,conftest.py,*/conftest.py"))

; "-----BEGIN RSA PRIVATE KEY-----\nMIIE...": a private key (header plus key
; material) committed to source is compromised.
((string) @finding
  (#match? @finding "-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----(\\\\n|\\s)+[A-Za-z0-9+/=]{16}")
  (#set! id "py-private-key")
  (#set! severity "error")
  (#set! message "Private key embedded in a string literal: it is exposed to everyone with the source; load it from a file or secret store"))

; cursor.execute(f"SELECT ... WHERE id = {x}"): a value formatted into SQL is
; an injection hole; pass it as a query parameter. Only placeholders in a
; value position count (after `=`, `<`, `>`, LIKE, IN (, VALUES ( or a quote),
; not ones passed through quote/escape helpers: `FROM {table}` is how query
; builders work.
((call
   function: (attribute attribute: (identifier) @method)
   arguments: (argument_list
     .
     (string (interpolation)) @finding))
  (#any-of? @method "execute" "executemany" "executescript" "raw" "exec_driver_sql" "read_sql" "read_sql_query")
  (#match? @finding "(?is)\\b(select|insert|update|delete|where|values)\\b")
  (#match? @finding "(?i)(=|<|>|\\blike|\\bin\\s*\\(|\\bvalues\\s*\\(|')\\s*'?%?\\{(?!\\s*([\\w]+\\.)*(escape|quote|sanitize)\\w*\\s*\\()")
  (#set! id "py-sql-injection")
  (#set! severity "error")
  (#set! message "Value formatted into SQL passed to `{method}()` is open to SQL injection; pass it as a query parameter")
  (#set! exclude-paths "test_*.py,*_test.py,*/test_*.py,tests/*,*/tests/*,test/*,*/test/*,conftest.py,*/conftest.py"))

; cursor.execute("... WHERE id = %s" % x): %-formatting instead of parameters
; (the driver's own `%s` placeholders want the values as a second argument).
((call
   function: (attribute attribute: (identifier) @method)
   arguments: (argument_list
     .
     (binary_operator
       left: [(string) (concatenated_string)] @sql
       operator: "%") @finding))
  (#any-of? @method "execute" "executemany" "executescript" "raw" "exec_driver_sql" "read_sql" "read_sql_query")
  (#match? @sql "(?is)\\b(select|insert|update|delete|where|values)\\b")
  (#match? @sql "(?i)(=|<|>|\\blike|\\bin\\s*\\(|\\bvalues\\s*\\(|')\\s*'?%?%(\\(\\w+\\))?[sdr]")
  (#set! id "py-sql-injection")
  (#set! severity "error")
  (#set! message "SQL %-formatted before `{method}()` is open to SQL injection; pass the values as its second argument instead")
  (#set! exclude-paths "test_*.py,*_test.py,*/test_*.py,tests/*,*/tests/*,test/*,*/test/*,conftest.py,*/conftest.py"))

; cursor.execute("... WHERE id = {}".format(x)): the same with str.format.
((call
   function: (attribute attribute: (identifier) @method)
   arguments: (argument_list
     .
     (call
       function: (attribute
         object: [(string) (concatenated_string)] @sql
         attribute: (identifier) @format)) @finding))
  (#eq? @format "format")
  (#any-of? @method "execute" "executemany" "executescript" "raw" "exec_driver_sql" "read_sql" "read_sql_query")
  (#match? @sql "(?is)\\b(select|insert|update|delete|where|values)\\b")
  (#match? @sql "(?i)(=|<|>|\\blike|\\bin\\s*\\(|\\bvalues\\s*\\(|')\\s*'?%?\\{")
  (#set! id "py-sql-injection")
  (#set! severity "error")
  (#set! message "SQL built with `.format()` and passed to `{method}()` is open to SQL injection; pass the values as query parameters")
  (#set! exclude-paths "test_*.py,*_test.py,*/test_*.py,tests/*,*/tests/*,test/*,*/test/*,conftest.py,*/conftest.py"))

; cursor.execute("... WHERE id = '" + x + "'"): the same, built with `+`.
((call
   function: (attribute attribute: (identifier) @method)
   arguments: (argument_list
     .
     (binary_operator operator: "+") @finding))
  (#any-of? @method "execute" "executemany" "executescript" "raw" "exec_driver_sql" "read_sql" "read_sql_query")
  (#match? @finding "(?is)\\b(select|insert|update|delete|where|values)\\b")
  (#match? @finding "(?i)(=|<|>|\\blike|\\bin\\s*\\(|\\bvalues\\s*\\(|')\\s*'?%?[\"']\\s*\\+\\s*(?!\\s*([\\w]+\\.)*(escape|quote|sanitize)\\w*\\s*\\()[A-Za-z_(]")
  (#set! id "py-sql-injection")
  (#set! severity "error")
  (#set! message "SQL concatenated with a value and passed to `{method}()` is open to SQL injection; pass the value as a query parameter")
  (#set! exclude-paths "test_*.py,*_test.py,*/test_*.py,tests/*,*/tests/*,test/*,*/test/*,conftest.py,*/conftest.py"))

; os.system(f"rm {path}") / subprocess.run(f"...", shell=True): a command line
; built by formatting runs through the shell, so the values can inject commands.
((call
   function: (attribute
     object: (identifier) @module
     attribute: (identifier) @func)
   arguments: (argument_list
     .
     [(string (interpolation))
      (binary_operator left: [(string) (concatenated_string)] operator: ["%" "+"])
      (binary_operator operator: "+" right: [(string) (concatenated_string)])
      (call function: (attribute object: [(string) (concatenated_string)] attribute: (identifier) @format))] @finding))
  (#eq? @module "os")
  (#any-of? @func "system" "popen")
  (#set! id "py-shell-injection")
  (#set! severity "error")
  (#set! message "Command line built by string formatting and run by `os.{func}()` through the shell can inject commands; use subprocess with an argument list")
  (#set! exclude-paths "test_*.py,*_test.py,*/test_*.py,tests/*,*/tests/*,test/*,*/test/*,conftest.py,*/conftest.py"))

; subprocess.run(f"...", shell=True): the same, through subprocess with a shell.
((call
   function: (attribute
     object: (identifier) @module
     attribute: (identifier) @func)
   arguments: (argument_list
     .
     [(string (interpolation))
      (binary_operator left: [(string) (concatenated_string)] operator: ["%" "+"])
      (binary_operator operator: "+" right: [(string) (concatenated_string)])
      (call function: (attribute object: [(string) (concatenated_string)] attribute: (identifier) @format))] @finding
     (keyword_argument name: (identifier) @shell value: (true))))
  (#eq? @module "subprocess")
  (#eq? @shell "shell")
  (#set! id "py-shell-injection")
  (#set! severity "error")
  (#set! message "Command line built by string formatting and run with `shell=True` can inject commands; pass an argument list without a shell")
  (#set! exclude-paths "test_*.py,*_test.py,*/test_*.py,tests/*,*/tests/*,test/*,*/test/*,conftest.py,*/conftest.py"))

; yaml.load(f) without a Loader: the full loader builds arbitrary Python objects
; from the document (and PyYAML 6 makes Loader a required argument).
((call
   function: (attribute
     object: (identifier) @module
     attribute: (identifier) @fix)
   arguments: (argument_list
     .
     [(identifier) (attribute) (call) (subscript) (string)]
     .)) @finding
  (#eq? @module "yaml")
  (#any-of? @fix "load" "load_all")
  (#set! id "py-yaml-load")
  (#set! severity "error")
  (#set! message "`yaml.{fix}()` without a Loader can construct arbitrary objects from the input (and fails on PyYAML 6); use `yaml.safe_{fix}()`")
  (#set! fix "safe_{fix}"))

; return in finally: it replaces the exception being raised (which is lost)
; and overrides the try block's return value.
((return_statement) @finding
  (#nearest-inside? @finding "finally_clause" "function_definition" "lambda" "class_definition")
  (#set! id "py-return-in-finally")
  (#set! severity "warning")
  (#set! message "`return` in `finally` silently discards any exception raised in the `try` block"))

; break/continue in finally: they drop the exception in flight just like return.
([(break_statement) (continue_statement)] @finding
  (#nearest-inside? @finding "finally_clause" "function_definition" "lambda" "class_definition" "for_statement" "while_statement")
  (#set! id "py-return-in-finally")
  (#set! severity "warning")
  (#set! message "`{finding}` in `finally` silently discards any exception raised in the `try` block"))

; ValueError("bad input") on its own line: the exception is built and dropped,
; `raise` is missing.
((expression_statement
   .
   (call
     function: [(identifier) @type (attribute attribute: (identifier) @type)]) @finding
   .)
  (#match? @type "^(?!(Set|Get|Raise|Throw|Log|Report|Handle|Check|Clear|Reset|Print|Show|On)[A-Z])[A-Z][A-Za-z0-9]*(Error|Exception)$")
  (#set! id "py-exception-not-raised")
  (#set! severity "error")
  (#set! message "`{type}(...)` is created and thrown away; `raise` is missing")
  (#set! fix "raise {finding}")
  (#set! exclude-paths "test_*.py,*_test.py,*/test_*.py,tests/*,*/tests/*,test/*,*/test/*"))

; raise NotImplemented: NotImplemented is a constant, not an exception, so this
; raises a TypeError instead.
((raise_statement
   [(identifier) @fix (call function: (identifier) @fix)]) @finding
  (#eq? @fix "NotImplemented")
  (#set! id "py-raise-not-implemented")
  (#set! severity "error")
  (#set! message "`raise NotImplemented` raises a TypeError (NotImplemented is not an exception); raise `NotImplementedError`")
  (#set! fix "NotImplementedError"))

; requests.get(url): without a timeout the call can hang forever on a stalled server.
((call
   function: (attribute
     object: (identifier) @module
     attribute: (identifier) @func)
   arguments: (argument_list) @args) @finding
  (#eq? @module "requests")
  (#any-of? @func "get" "post" "put" "patch" "delete" "head" "options" "request")
  (#not-match? @args "(\\btimeout\\s*=|\\*\\*)")
  (#set! id "py-requests-no-timeout")
  (#set! severity "warning")
  (#set! message "`requests.{func}()` without `timeout=` waits forever on a server that stops answering"))

; asyncio.sleep(1) as a statement: the coroutine is created but never awaited,
; so nothing happens (and Python warns "coroutine was never awaited").
((expression_statement
   .
   (call
     function: (attribute
       object: (identifier) @module
       attribute: (identifier) @func)) @finding
   .)
  (#eq? @module "asyncio")
  (#any-of? @func "sleep" "wait_for" "wait" "open_connection" "start_server" "to_thread" "create_subprocess_exec" "create_subprocess_shell" "open_unix_connection")
  (#set! id "py-coroutine-not-awaited")
  (#set! severity "error")
  (#set! message "`asyncio.{func}()` returns a coroutine that is never awaited here, so it never runs; add `await`"))

; ["a" "b", "c"]: two word-like string literals side by side on one line in a
; list or set are concatenated into one item; almost always a missing comma.
; (Long text split over literals, `"some help " "(default: x)"`, is left alone.)
([(list (concatenated_string) @finding)
  (set (concatenated_string) @finding)]
  (#match? @finding "^[rRbBuU]?(\"[^\"\\s]*\"|'[^'\\s]*')([ \\t]+[rRbBuU]?(\"[^\"\\s]*\"|'[^'\\s]*'))+$")
  (#set! id "py-implicit-concat")
  (#set! severity "warning")
  (#set! message "Adjacent string literals `{finding}` in a collection are concatenated into one item; a comma is probably missing"))

; tempfile.mktemp(): the name can be taken by another process before it is
; opened (a race the docs warn about); use mkstemp or NamedTemporaryFile.
((call
   function: (attribute
     object: (identifier) @module
     attribute: (identifier) @func)) @finding
  (#eq? @module "tempfile")
  (#eq? @func "mktemp")
  (#set! id "py-tempfile-mktemp")
  (#set! severity "warning")
  (#set! message "`tempfile.mktemp()` is insecure: the file name can be taken before it is opened; use `mkstemp()` or `NamedTemporaryFile()`"))
