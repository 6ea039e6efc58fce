; Structural checks for Go. See reviewer/checks/catalog.py for the keys.

; A deferred call runs when the function returns, not at the end of the
; iteration: in a loop with no fixed count (`for {`, `for cond {`: accept
; loops, scanners, row cursors) files, locks and connections pile up without
; bound. Range and counted loops are left alone: deferring there to release
; everything at the end is a common, deliberate idiom.
((for_statement
   body: (block (statement_list (defer_statement) @finding))) @loop
  (#match? @loop "^for(\\s*\\{|\\s+[^;{]+\\{)")
  (#not-match? @loop "^for[^{]*\\brange\\b")
  (#set! id "go-defer-in-loop")
  (#set! severity "warning")
  (#set! message "`defer` inside this loop runs only when the function returns, so every iteration's resource stays open until then; wrap the body in a function or release it explicitly"))

; x, err := f(); defer x.Close(): when f fails x is nil, and the deferred call
; panics (or silently fails) before the error is even looked at.
((statement_list
   (short_var_declaration
     left: (expression_list . (identifier) @res (identifier) @err .))
   .
   (defer_statement
     (call_expression
       function: (selector_expression
         operand: [(identifier) @use
                   (selector_expression operand: (identifier) @use)])) @call) @finding)
  (#eq? @res @use)
  (#eq? @err "err")
  (#set! id "go-defer-before-error-check")
  (#set! severity "error")
  (#set! message "`{call}` is deferred before `err` is checked; when the call failed `{res}` is nil and the deferred call panics, so check `err` first"))

; Same, for `x, err = f()`.
((statement_list
   (assignment_statement
     left: (expression_list . (identifier) @res (identifier) @err .))
   .
   (defer_statement
     (call_expression
       function: (selector_expression
         operand: [(identifier) @use
                   (selector_expression operand: (identifier) @use)])) @call) @finding)
  (#eq? @res @use)
  (#eq? @err "err")
  (#set! id "go-defer-before-error-check")
  (#set! severity "error")
  (#set! message "`{call}` is deferred before `err` is checked; when the call failed `{res}` is nil and the deferred call panics, so check `err` first"))

; These calls return a nil or empty value together with their error: dropping
; the error turns a clear failure into a nil dereference or missing data later.
; (io.ReadAll is left out: reading an error body best-effort is an idiom.)
((short_var_declaration
   left: (expression_list (_) (identifier) @blank .)
   right: (expression_list .
     (call_expression function: (selector_expression) @fn) .)) @finding
  (#eq? @blank "_")
  (#any-of? @fn
    "os.Open" "os.Create" "os.OpenFile" "os.ReadFile" "os.ReadDir"
    "ioutil.ReadFile" "ioutil.ReadDir"
    "http.NewRequest" "http.NewRequestWithContext" "http.Get" "http.Post" "http.Head"
    "sql.Open" "net.Dial" "net.Listen" "url.Parse" "url.ParseRequestURI"
    "regexp.Compile" "template.ParseFiles" "template.ParseGlob"
    "x509.ParseCertificate" "tls.LoadX509KeyPair" "exec.LookPath")
  (#set! id "go-ignored-error")
  (#set! severity "warning")
  (#set! exclude-paths "*_test.go,*testdata/*")
  (#set! message "The error from `{fn}` is discarded; when it fails the other result is nil or empty and the failure surfaces later as a panic or missing data"))

; Same, for `x, _ = f()`.
((assignment_statement
   left: (expression_list (_) (identifier) @blank .)
   right: (expression_list .
     (call_expression function: (selector_expression) @fn) .)) @finding
  (#eq? @blank "_")
  (#any-of? @fn
    "os.Open" "os.Create" "os.OpenFile" "os.ReadFile" "os.ReadDir"
    "ioutil.ReadFile" "ioutil.ReadDir"
    "http.NewRequest" "http.NewRequestWithContext" "http.Get" "http.Post" "http.Head"
    "sql.Open" "net.Dial" "net.Listen" "url.Parse" "url.ParseRequestURI"
    "regexp.Compile" "template.ParseFiles" "template.ParseGlob"
    "x509.ParseCertificate" "tls.LoadX509KeyPair" "exec.LookPath")
  (#set! id "go-ignored-error")
  (#set! severity "warning")
  (#set! exclude-paths "*_test.go,*testdata/*")
  (#set! message "The error from `{fn}` is discarded; when it fails the other result is nil or empty and the failure surfaces later as a panic or missing data"))

; if err != nil { return nil, nil }: the caller is told everything went fine
; and gets a nil value it will dereference.
((if_statement
   condition: (binary_expression
     left: (identifier) @err
     operator: "!="
     right: (nil))
   consequence: (block
     (statement_list .
       (return_statement
         [(expression_list . (nil) . (nil) .)
          (expression_list . (nil) . (nil) . (nil) .)]) @finding .)))
  (#eq? @err "err")
  (#set! id "go-error-swallowed")
  (#set! severity "warning")
  (#set! message "`err` is non-nil here but `{finding}` reports success with a nil value; return the error (or say in a comment why it is ignored)"))

; wg.Add inside the goroutine races with wg.Wait: Wait can return before the
; goroutine has started and counted itself.
((go_statement
   (call_expression
     function: (func_literal
       body: (block
         (statement_list
           (expression_statement
             (call_expression
               function: (selector_expression
                 operand: (_) @wg
                 field: (field_identifier) @add))) @finding
           (defer_statement
             (call_expression
               function: (selector_expression
                 operand: (_) @wg2
                 field: (field_identifier) @done))))))))
  (#eq? @add "Add")
  (#eq? @done "Done")
  (#eq? @wg @wg2)
  (#set! id "go-waitgroup-add-in-goroutine")
  (#set! severity "error")
  (#set! message "`{wg}.Add` runs inside the goroutine, so `{wg}.Wait` can return before it is counted; call `{wg}.Add` before the `go` statement"))

; SQL text with a value formatted or concatenated into it: the value can
; rewrite the statement (SQL injection); pass it as a query argument. Only
; value positions count (quoted, after a comparison, LIKE or VALUES): table
; and column names cannot be parameters, so formatting those in is normal.
((call_expression
   function: (selector_expression field: (field_identifier) @method)
   arguments: (argument_list
     (call_expression
       function: (selector_expression
         operand: (identifier) @pkg
         field: (field_identifier) @format)
       arguments: (argument_list .
         [(interpreted_string_literal) (raw_string_literal)] @sql)) @finding))
  (#any-of? @method
    "Query" "QueryContext" "QueryRow" "QueryRowContext"
    "Exec" "ExecContext" "Prepare" "PrepareContext")
  (#eq? @pkg "fmt")
  (#eq? @format "Sprintf")
  (#match? @sql "(?i)'[^']*%[-+# 0-9.]*[sv][^']*'|([=<>]|\\blike|\\bvalues\\s*\\([^)]*)\\s*%[-+# 0-9.]*[sv]")
  (#not-match? @sql "^[\"`]\\s*(?i:select|insert|update|delete)\\s[^`]*'[^']*%[-+# 0-9.]*[sv][^']*'")
  (#set! id "go-sql-injection")
  (#set! severity "error")
  (#set! exclude-paths "*_test.go,*testdata/*")
  (#set! message "SQL passed to `{method}` has a value formatted into it with fmt.Sprintf; the value can rewrite the statement (SQL injection), so use a placeholder and pass it as an argument"))

; Same, for SQL concatenated with `+`.
((call_expression
   function: (selector_expression field: (field_identifier) @method)
   arguments: (argument_list
     (binary_expression operator: "+") @finding))
  (#any-of? @method
    "Query" "QueryContext" "QueryRow" "QueryRowContext"
    "Exec" "ExecContext" "Prepare" "PrepareContext")
  (#match? @finding "^[\"`]\\s*(?i:select|insert|update|delete|with|replace|merge)\\s")
  (#match? @finding "(?i)('|[=<>]\\s*'?|\\blike\\s+'?)[\"`]\\s*\\+")
  (#set! id "go-sql-injection")
  (#set! severity "error")
  (#set! exclude-paths "*_test.go,*testdata/*")
  (#set! message "SQL passed to `{method}` has a value concatenated into it; the value can rewrite the statement (SQL injection), so use a placeholder and pass it as an argument"))

; A value formatted between quotes into SQL text ('%s') is the textbook
; injection, wherever the string goes next. (The pattern above leaves this
; case to this one, so one call gets one finding.)
((call_expression
   function: (selector_expression
     operand: (identifier) @pkg
     field: (field_identifier) @format)
   arguments: (argument_list .
     [(interpreted_string_literal) (raw_string_literal)] @sql)) @finding
  (#eq? @pkg "fmt")
  (#eq? @format "Sprintf")
  (#match? @sql "^[\"`]\\s*(?i:select|insert|update|delete)\\s")
  (#match? @sql "'[^']*%[-+# 0-9.]*[sv][^']*'")
  (#set! id "go-sql-injection")
  (#set! severity "error")
  (#set! exclude-paths "*_test.go,*testdata/*")
  (#set! message "A value is formatted between quotes into SQL text; it can rewrite the statement (SQL injection), so use a placeholder and pass it as a query argument"))

; InsecureSkipVerify: true accepts any certificate, so anyone on the path can
; read and alter the traffic. Only the literal form is flagged: an assignment
; is nearly always behind a user's explicit configuration switch.
((keyed_element
   key: (literal_element (identifier) @key)
   value: (literal_element (true))) @finding
  (#eq? @key "InsecureSkipVerify")
  (#set! id "go-tls-insecure-skip-verify")
  (#set! severity "error")
  (#set! exclude-paths "*_test.go,*testdata/*")
  (#set! message "`InsecureSkipVerify: true` turns off certificate checks, so any man in the middle can read and alter this TLS traffic"))

; runtime.Breakpoint() is a debugging leftover: outside a debugger it kills
; the process with SIGTRAP.
((call_expression
   function: (selector_expression
     operand: (identifier) @pkg
     field: (field_identifier) @fn)) @finding
  (#eq? @pkg "runtime")
  (#eq? @fn "Breakpoint")
  (#set! id "go-debug-breakpoint")
  (#set! severity "error")
  (#set! message "`runtime.Breakpoint()` is a debugging leftover; without a debugger attached it crashes the process with SIGTRAP"))

; A private key in the source is readable by everyone with the code and
; cannot be rotated without a release.
(([(interpreted_string_literal) (raw_string_literal)] @finding)
  (#match? @finding "-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----[A-Za-z0-9+/=\\s\\\\:,-]{20}")
  (#set! id "go-private-key")
  (#set! severity "error")
  (#set! exclude-paths "*_test.go,*testdata/*")
  (#set! message "A private key is embedded in the source; anyone who can read the code can use it, so load it from a secret store or file instead"))

; A credential in the source ships to everyone who can read the code and
; cannot be rotated without a release. Names say what the value is; the value
; must look like a real secret (no spaces, placeholders, paths or env names).
((short_var_declaration
   left: (expression_list . (identifier) @name .)
   right: (expression_list .
     [(interpreted_string_literal (interpreted_string_literal_content) @value)
      (raw_string_literal (raw_string_literal_content) @value)] @finding .))
  (#match? @name "(?i)(passwd|password|secret|api_?key|access_?key|secret_?key|private_?key|auth_?token|access_?token|bearer_?token|refresh_?token|client_?secret)$")
  (#match? @value "^[^\\s$%{}<>]{6,}$")
  (#match? @value "[0-9!@#^&*+=]")
  (#not-match? @value "(?i)^\\.{0,2}/|://|example|change_?me|placeholder|your|xxx|\\*\\*\\*|dummy|fake|sample|redacted|secret|passw|token|key|test")
  (#not-match? @value "^[A-Z][A-Z0-9_]+$")
  (#set! id "go-hardcoded-credential")
  (#set! severity "warning")
  (#set! exclude-paths "*_test.go,*testdata/*")
  (#set! message "`{name}` is set to a literal secret; anyone who can read the code has it, so read it from the environment or a secret store"))

; Same, for assignments (`cfg.Password = "..."`).
((assignment_statement
   left: (expression_list .
     [(identifier) @name (selector_expression field: (field_identifier) @name)] .)
   right: (expression_list .
     [(interpreted_string_literal (interpreted_string_literal_content) @value)
      (raw_string_literal (raw_string_literal_content) @value)] @finding .))
  (#match? @name "(?i)(passwd|password|secret|api_?key|access_?key|secret_?key|private_?key|auth_?token|access_?token|bearer_?token|refresh_?token|client_?secret)$")
  (#match? @value "^[^\\s$%{}<>]{6,}$")
  (#match? @value "[0-9!@#^&*+=]")
  (#not-match? @value "(?i)^\\.{0,2}/|://|example|change_?me|placeholder|your|xxx|\\*\\*\\*|dummy|fake|sample|redacted|secret|passw|token|key|test")
  (#not-match? @value "^[A-Z][A-Z0-9_]+$")
  (#set! id "go-hardcoded-credential")
  (#set! severity "warning")
  (#set! exclude-paths "*_test.go,*testdata/*")
  (#set! message "`{name}` is set to a literal secret; anyone who can read the code has it, so read it from the environment or a secret store"))

; Same, for var/const declarations and struct literal fields.
(([(var_spec
     name: (identifier) @name .
     value: (expression_list .
       [(interpreted_string_literal (interpreted_string_literal_content) @value)
        (raw_string_literal (raw_string_literal_content) @value)] @finding .))
   (const_spec
     name: (identifier) @name .
     value: (expression_list .
       [(interpreted_string_literal (interpreted_string_literal_content) @value)
        (raw_string_literal (raw_string_literal_content) @value)] @finding .))
   (keyed_element
     key: (literal_element (identifier) @name)
     value: (literal_element
       [(interpreted_string_literal (interpreted_string_literal_content) @value)
        (raw_string_literal (raw_string_literal_content) @value)] @finding))])
  (#match? @name "(?i)(passwd|password|secret|api_?key|access_?key|secret_?key|private_?key|auth_?token|access_?token|bearer_?token|refresh_?token|client_?secret)$")
  (#match? @value "^[^\\s$%{}<>]{6,}$")
  (#match? @value "[0-9!@#^&*+=]")
  (#not-match? @value "(?i)^\\.{0,2}/|://|example|change_?me|placeholder|your|xxx|\\*\\*\\*|dummy|fake|sample|redacted|secret|passw|token|key|test")
  (#not-match? @value "^[A-Z][A-Z0-9_]+$")
  (#set! id "go-hardcoded-credential")
  (#set! severity "warning")
  (#set! exclude-paths "*_test.go,*testdata/*")
  (#set! message "`{name}` is set to a literal secret; anyone who can read the code has it, so read it from the environment or a secret store"))

; A method that passes its own arguments straight to the same method on its
; own receiver, in a top-level statement, recurses (forever, or until a guard
; flag stops it): in a wrapper type the embedded value's method
; (w.ResponseWriter.WriteHeader) was meant. Methods without parameters are
; left out: `c.idx++; return c.Next()` is a normal iterator idiom.
((method_declaration
   receiver: (parameter_list (parameter_declaration name: (identifier) @recv))
   name: (field_identifier) @method
   parameters: (parameter_list . (parameter_declaration name: (identifier) @p1) .)
   body: (block
     (statement_list
       [(expression_statement
          (call_expression function: (selector_expression operand: (identifier) @self field: (field_identifier) @called) arguments: (argument_list . (identifier) @a1 .)) @finding)
        (defer_statement
          (call_expression function: (selector_expression operand: (identifier) @self field: (field_identifier) @called) arguments: (argument_list . (identifier) @a1 .)) @finding)
        (return_statement (expression_list .
          (call_expression function: (selector_expression operand: (identifier) @self field: (field_identifier) @called) arguments: (argument_list . (identifier) @a1 .)) @finding))])))
  (#eq? @recv @self)
  (#eq? @method @called)
  (#eq? @p1 @a1)
  (#set! id "go-method-calls-itself")
  (#set! severity "error")
  (#set! message "`{finding}` calls `{method}` on its own receiver with the same arguments, so it recurses instead of delegating; call the wrapped value's method (e.g. `{recv}.<Embedded>.{method}`)"))

; Same, for methods of two parameters (`ServeHTTP(w, r)`).
((method_declaration
   receiver: (parameter_list (parameter_declaration name: (identifier) @recv))
   name: (field_identifier) @method
   parameters: (parameter_list . (parameter_declaration name: (identifier) @p1) . (parameter_declaration name: (identifier) @p2) .)
   body: (block
     (statement_list
       [(expression_statement
          (call_expression function: (selector_expression operand: (identifier) @self field: (field_identifier) @called) arguments: (argument_list . (identifier) @a1 . (identifier) @a2 .)) @finding)
        (defer_statement
          (call_expression function: (selector_expression operand: (identifier) @self field: (field_identifier) @called) arguments: (argument_list . (identifier) @a1 . (identifier) @a2 .)) @finding)
        (return_statement (expression_list .
          (call_expression function: (selector_expression operand: (identifier) @self field: (field_identifier) @called) arguments: (argument_list . (identifier) @a1 . (identifier) @a2 .)) @finding))])))
  (#eq? @recv @self)
  (#eq? @method @called)
  (#eq? @p1 @a1)
  (#eq? @p2 @a2)
  (#set! id "go-method-calls-itself")
  (#set! severity "error")
  (#set! message "`{finding}` calls `{method}` on its own receiver with the same arguments, so it recurses instead of delegating; call the wrapped value's method (e.g. `{recv}.<Embedded>.{method}`)"))
