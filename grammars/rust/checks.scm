; Structural checks for Rust. See reviewer/checks/catalog.py for the keys.
;
; Test code is left alone: files under tests/, benches/, examples/ and
; build.rs (exclude-paths), `#[cfg(test)]` modules and `#[test]` functions
; (#not-inside-match?).

; dbg! is a debugging leftover: it writes to stderr in release builds too.
((macro_invocation
   macro: [(identifier) @macro
           (scoped_identifier name: (identifier) @macro)]) @finding
  (#eq? @macro "dbg")
  (#not-inside-match? @finding "function_item" "#\\[(\\w+::)*test\\b")
  (#not-inside-match? @finding "mod_item" "#\\[cfg\\([^\\]]*\\btest\\b")
  (#set! id "rust-dbg-macro")
  (#set! severity "warning")
  (#set! exclude-paths "*tests/*,*tests.rs,*benches/*,*examples/*,build.rs,*/build.rs")
  (#set! message "`dbg!` is a debugging leftover; it prints to stderr in release builds too, so remove it or use a logging call"))

; todo!() / unimplemented!() compile fine and panic the first time the code
; path runs in production.
((macro_invocation
   macro: [(identifier) @macro
           (scoped_identifier name: (identifier) @macro)]) @finding
  (#any-of? @macro "todo" "unimplemented")
  (#not-inside-match? @finding "function_item" "#\\[(\\w+::)*test\\b")
  (#not-inside-match? @finding "mod_item" "#\\[cfg\\([^\\]]*\\btest\\b")
  (#set! id "rust-todo")
  (#set! severity "warning")
  (#set! exclude-paths "*tests/*,*tests.rs,*benches/*,*examples/*,build.rs,*/build.rs")
  (#set! message "`{macro}!` is unfinished code that panics when reached; implement it or return an error"))

; .unwrap() on a fallible I/O, parse or process call, in a function that
; already returns Result, turns a recoverable error into a panic; `?` hands
; it to the caller instead. Only calls known to return Result are flagged:
; unwrap on an Option (last(), pop(), get()...) is usually a checked
; invariant. The nearest function, closure or async block is what `?` would
; return from, so that is the one whose return type must be a Result.
((call_expression
   function: (field_expression
     value: (call_expression
       function: [(identifier) @callee
                  (scoped_identifier name: (identifier) @callee)
                  (field_expression field: (field_identifier) @callee)
                  (generic_function
                    function: [(identifier) @callee
                               (scoped_identifier name: (identifier) @callee)
                               (field_expression field: (field_identifier) @callee)])])
     field: (field_identifier) @method)) @finding
  (#eq? @method "unwrap")
  (#any-of? @callee
    "open" "create" "read_to_string" "read_to_end" "read_line" "read_dir" "write_all"
    "flush" "metadata" "canonicalize" "remove_file" "remove_dir_all" "create_dir"
    "create_dir_all" "rename" "parse" "from_str" "from_slice" "from_reader" "to_writer"
    "from_utf8" "try_from" "try_into" "output" "spawn" "status" "wait" "connect" "bind"
    "accept")
  (#nearest-match? @finding "->\\s*([\\w]+::)*Result\\b" "function_item" "closure_expression" "async_block")
  (#not-inside-match? @finding "function_item" "#\\[(\\w+::)*test\\b")
  (#not-inside-match? @finding "mod_item" "#\\[cfg\\([^\\]]*\\btest\\b")
  (#set! id "rust-unwrap-in-result-fn")
  (#set! severity "warning")
  (#set! exclude-paths "*tests/*,*tests.rs,*benches/*,*examples/*,build.rs,*/build.rs")
  (#set! message "`{finding}` panics when `{callee}` fails although this function returns `Result`; propagate the error with `?`"))

; std::thread::sleep blocks the executor thread: every other task on it
; stalls for the whole duration. The nearest function, closure or block must
; be async (sleeping in a plain closure handed to spawn_blocking is fine).
((call_expression
   function: (scoped_identifier
     path: [(identifier) @module
            (scoped_identifier name: (identifier) @module)]
     name: (identifier) @fn)) @finding
  (#eq? @module "thread")
  (#eq? @fn "sleep")
  (#nearest-match? @finding "^\\s*(pub(\\([^)]*\\))?\\s+)?(const\\s+)?async\\b" "function_item" "closure_expression" "async_block")
  (#set! id "rust-blocking-sleep-in-async")
  (#set! severity "warning")
  (#set! message "`{finding}` blocks the async executor's thread and stalls every task on it; await the runtime's sleep (e.g. `tokio::time::sleep`) instead"))

; mem::uninitialized is undefined behaviour for almost every type (and
; deprecated); MaybeUninit is the sound replacement.
((call_expression
   function: [(scoped_identifier
                path: [(identifier) @module (scoped_identifier name: (identifier) @module)]
                name: (identifier) @fn)
              (generic_function
                function: (scoped_identifier
                  path: [(identifier) @module (scoped_identifier name: (identifier) @module)]
                  name: (identifier) @fn))]) @finding
  (#eq? @module "mem")
  (#eq? @fn "uninitialized")
  (#set! id "rust-mem-uninitialized")
  (#set! severity "error")
  (#set! message "`mem::uninitialized` is undefined behaviour for almost every type; use `MaybeUninit` instead"))

; SQL text with a value formatted into it and run as is: the value can
; rewrite the statement (SQL injection); bind it as a parameter. Only value
; positions count (quoted, after a comparison, LIKE or VALUES): table and
; column names cannot be parameters. The quoted case is left to the next
; pattern, so one call gets one finding.
((call_expression
   function: [(field_expression field: (field_identifier) @method)
              (scoped_identifier name: (identifier) @method)
              (identifier) @method]
   arguments: (arguments
     [(macro_invocation
        macro: (identifier) @format
        (token_tree . [(string_literal) (raw_string_literal)] @sql)) @finding
      (reference_expression
        value: (macro_invocation
          macro: (identifier) @format
          (token_tree . [(string_literal) (raw_string_literal)] @sql)) @finding)]))
  (#any-of? @method
    "query" "query_as" "query_scalar" "execute" "execute_batch" "batch_execute"
    "query_row" "query_map" "query_one" "query_opt" "prepare" "prepare_cached"
    "simple_query" "sql_query")
  (#eq? @format "format")
  (#match? @sql "^r?#*\"\\s*(?i:select|insert|update|delete|with|replace|merge)\\s")
  (#match? @sql "(?i)([=<>]|\\blike|\\bvalues\\s*\\([^)]*)\\s*\\{[^}]*\\}")
  (#not-match? @sql "^r?#*\"\\s*(?i:select|insert|update|delete)\\s[\\s\\S]*'[^']*\\{[^}]*\\}[^']*'")
  (#set! id "rust-sql-injection")
  (#set! severity "error")
  (#set! message "SQL passed to `{method}` has a value formatted into it with format!; the value can rewrite the statement (SQL injection), so bind it as a parameter"))

; A value quoted into SQL text ('{}') is the textbook injection, wherever the
; string goes next.
((macro_invocation
   macro: (identifier) @format
   (token_tree . [(string_literal) (raw_string_literal)] @sql)) @finding
  (#eq? @format "format")
  (#match? @sql "^r?#*\"\\s*(?i:select|insert|update|delete)\\s")
  (#match? @sql "'[^']*\\{[^}]*\\}[^']*'")
  (#set! id "rust-sql-injection")
  (#set! severity "error")
  (#set! message "A value is formatted into quoted SQL text with format!; it can rewrite the statement (SQL injection), so bind it as a query parameter"))

; A private key in the source is readable by everyone with the code and
; cannot be rotated without a release.
(([(string_literal) (raw_string_literal)] @finding)
  (#match? @finding "-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----[A-Za-z0-9+/=\\s\\\\:,-]{20}")
  (#set! id "rust-private-key")
  (#set! severity "error")
  (#set! exclude-paths "*tests/*,*tests.rs,*benches/*,*examples/*")
  (#set! message "A private key is embedded in the source; anyone who can read the code can use it, so load it from a secret store or file instead"))

; A credential in the source ships to everyone who can read the code and
; cannot be rotated without a release. Names say what the value is; the value
; must look like a real secret (no spaces, placeholders, paths or env names).
([(let_declaration
     pattern: (identifier) @name
     value: [(string_literal (string_content) @value) @finding
       (call_expression
         function: (field_expression value: (string_literal (string_content) @value) @finding))
       (call_expression
         function: (scoped_identifier)
         arguments: (arguments . (string_literal (string_content) @value) @finding .))])
   (const_item
     name: (identifier) @name
     value: [(string_literal (string_content) @value) @finding
       (call_expression
         function: (field_expression value: (string_literal (string_content) @value) @finding))
       (call_expression
         function: (scoped_identifier)
         arguments: (arguments . (string_literal (string_content) @value) @finding .))])
   (static_item
     name: (identifier) @name
     value: [(string_literal (string_content) @value) @finding
       (call_expression
         function: (field_expression value: (string_literal (string_content) @value) @finding))
       (call_expression
         function: (scoped_identifier)
         arguments: (arguments . (string_literal (string_content) @value) @finding .))])
   (field_initializer
     field: (field_identifier) @name
     value: [(string_literal (string_content) @value) @finding
       (call_expression
         function: (field_expression value: (string_literal (string_content) @value) @finding))
       (call_expression
         function: (scoped_identifier)
         arguments: (arguments . (string_literal (string_content) @value) @finding .))])]
  (#match? @name "(?i)(passwd|password|secret|api_?key|access_?key|secret_?key|private_?key|auth_?token|access_?token|bearer_?token|refresh_?token|client_?secret)$")
  (#match? @value "^[^\\s$%{}<>]{6,}$")
  (#match? @value "[0-9!@#^&*+=]")
  (#not-match? @value "(?i)^\\.{0,2}/|://|example|change_?me|placeholder|your|xxx|\\*\\*\\*|dummy|fake|sample|redacted|secret|passw|token|key|test")
  (#not-match? @value "^[A-Z][A-Z0-9_]+$")
  (#not-inside-match? @name "function_item" "#\\[(\\w+::)*test\\b")
  (#not-inside-match? @name "mod_item" "#\\[cfg\\([^\\]]*\\btest\\b")
  (#set! id "rust-hardcoded-credential")
  (#set! severity "warning")
  (#set! exclude-paths "*tests/*,*tests.rs,*benches/*,*examples/*")
  (#set! message "`{name}` is set to a literal secret; anyone who can read the code has it, so read it from the environment or a secret store"))
