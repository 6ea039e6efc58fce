; Structural checks for Ruby. See reviewer/checks/catalog.py for the keys.
; Avoid two unanchored sibling sub-patterns under a node that can be large (a
; hash, a program): the matcher goes quadratic on those.

; binding.pry / binding.irb: a debugger stop left in the code halts the program.
((call
   receiver: (identifier) @receiver
   method: (identifier) @method) @finding
  (#eq? @receiver "binding")
  (#any-of? @method "pry" "irb" "remote_pry" "pry_remote" "console")
  (#set! id "rb-debugger")
  (#set! severity "error")
  (#set! message "Debugger call `binding.{method}` left in the code stops the program at run time"))

; byebug / debugger on a line of its own: the same leftover breakpoint.
([(body_statement (identifier) @finding)
  (block_body (identifier) @finding)
  (then (identifier) @finding)
  (else (identifier) @finding)
  (program (identifier) @finding)
  (begin (identifier) @finding)
  (ensure (identifier) @finding)]
  (#any-of? @finding "byebug" "debugger")
  (#set! id "rb-debugger")
  (#set! severity "error")
  (#set! message "Debugger call `{finding}` left in the code stops the program at run time"))

; password = "hunter2": a secret in source is leaked to everyone who can read
; the repository. Values must look like a secret (letters and digits, no
; spaces or interpolation), which skips placeholders and key names.
([(assignment
    left: [(identifier) (constant) (instance_variable) (class_variable) (global_variable)
           (call method: (identifier))] @name
    right: (string . (string_content) @value .))
  (pair
    key: [(hash_key_symbol) (simple_symbol) (string . (string_content) .)] @name
    value: (string . (string_content) @value .))] @finding
  (#match? @name "(?i)(passw(or)?d|passphrase|secret|secret_?key|api_?key|access_?key|auth_?key|token|private_?key)[\"']?$")
  (#match? @value "^(?=[^\\s]*[0-9])(?=[^\\s]*[A-Za-z])[^\\s<>{}$%*()\\[\\]#]{6,}$")
  (#not-match? @value "(?i)(x{3}|changeme|change_me|example|dummy|placeholder|redacted|secret|password|your|sample|fake|test|^env)")
  (#set! id "rb-hardcoded-credential")
  (#set! severity "error")
  (#set! message "Hard-coded credential in `{name}`: anyone with the source has it; read it from ENV or Rails credentials")
  (#set! exclude-paths "*_spec.rb,*_test.rb,spec/*,*/spec/*,test/*,*/test/*,*/fixtures/*,fixtures/*,db/seeds.rb,*/db/seeds.rb"))

; "-----BEGIN RSA PRIVATE KEY-----\nMIIE...": a private key (header plus key
; material) committed to source is compromised.
(([(string) (heredoc_body)]) @finding
  (#match? @finding "-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----(\\\\n|\\s)+[A-Za-z0-9+/=]{16}")
  (#set! id "rb-private-key")
  (#set! severity "error")
  (#set! message "Private key embedded in a string literal: it is exposed to everyone with the source; load it from a file or secret store"))

; where("name = '#{name}'") / execute("... id = #{id}"): a value interpolated
; into SQL is an injection hole; use placeholders (`where("name = ?", name)`).
; Only interpolations in a value position count (after `=`, `<`, `>`, LIKE,
; IN ( or inside quotes), and not values passed through `quote`/`sanitize`:
; `#{table_name}.id = ?` and `= #{quote(v)}` are the common safe idioms.
((call
   method: (identifier) @method
   arguments: (argument_list
     .
     (string (interpolation)) @finding))
  (#any-of? @method "execute" "exec_query" "exec_update" "exec_delete" "exec_insert" "find_by_sql" "count_by_sql" "select_all" "select_one" "select_value" "select_values" "select_rows" "where" "having" "joins" "delete_all" "update_all" "pluck" "from")
  (#match? @finding "(?i)(=|<|>|\\blike|\\bin\\s*\\(|')\\s*'?%?#\\{(?!\\s*([\\w:]+\\.)*(quote|sanitize|quote_\\w+)\\b)")
  (#set! id "rb-sql-injection")
  (#set! severity "error")
  (#set! message "Value interpolated into SQL passed to `{method}` is open to SQL injection; use `?` placeholders or a hash of conditions")
  (#set! exclude-paths "*_spec.rb,*_test.rb,spec/*,*/spec/*,test/*,*/test/*"))

; eval(code): runs arbitrary code; with any outside input it is code injection.
((call
   !receiver
   method: (identifier) @eval
   arguments: (argument_list
     .
     [(identifier) (instance_variable) (call) (element_reference) (binary) (string (interpolation))] @finding))
  (#eq? @eval "eval")
  (#set! id "rb-eval")
  (#set! severity "error")
  (#set! message "`eval` of a computed string runs whatever the string holds (code injection); use `send`/`public_send` or parse the data")
  (#set! exclude-paths "*_spec.rb,*_test.rb,spec/*,*/spec/*,test/*,*/test/*"))

; system("tar xf #{file}"): one interpolated string goes through the shell, so
; the value can inject commands; pass the arguments separately.
([(call
    !receiver
    method: (identifier) @method
    arguments: (argument_list
      .
      (string (interpolation)) @finding
      .))
  (call
    receiver: (constant) @module
    method: (identifier) @method
    arguments: (argument_list
      .
      (string (interpolation)) @finding
      .))]
  (#any-of? @method "system" "exec" "spawn" "popen" "capture2" "capture2e" "capture3" "popen2" "popen3" "pipeline")
  (#set! id "rb-shell-injection")
  (#set! severity "error")
  (#set! message "Command line built by interpolation and run by `{method}` through the shell can inject commands; pass the command and arguments separately")
  (#set! exclude-paths "*_spec.rb,*_test.rb,spec/*,*/spec/*,test/*,*/test/*"))

; rescue Exception: also catches SignalException (Ctrl-C), SystemExit and
; NoMemoryError; fine when the handler re-raises, or when the line already
; carries rubocop's disable comment for the same rule (a recorded decision).
((rescue
   exceptions: (exceptions (constant) @type)) @finding
  (#eq? @type "Exception")
  (#not-match? @finding "\\braise\\b")
  (#not-match? @finding "rubocop:disable[^\\n]*Lint/RescueException")
  (#set! id "rb-rescue-exception")
  (#set! severity "warning")
  (#set! message "`rescue Exception` also catches interrupts and `exit`; rescue `StandardError` (or re-raise)"))

; rescue => e with an empty body: every error, real bugs included, vanishes.
; A comment inside (`# ignored: ...`) records a deliberate choice; tests
; rescue to assert on side effects.
((rescue
   !exceptions
   !body) @finding
  (#not-match? @finding "#")
  (#set! id "rb-empty-rescue")
  (#set! severity "warning")
  (#set! message "`rescue` with an empty body silently swallows every StandardError, real bugs included; handle it, log it or narrow the rescue")
  (#set! exclude-paths "*_spec.rb,*_test.rb,spec/*,*/spec/*,test/*,*/test/*"))

; rescue StandardError with an empty body: the same, spelled out.
((rescue
   exceptions: (exceptions . (constant) @type .)
   !body) @finding
  (#eq? @type "StandardError")
  (#not-match? @finding "#")
  (#set! id "rb-empty-rescue")
  (#set! severity "warning")
  (#set! message "`rescue StandardError` with an empty body silently swallows every error, real bugs included; handle it, log it or narrow the rescue")
  (#set! exclude-paths "*_spec.rb,*_test.rb,spec/*,*/spec/*,test/*,*/test/*"))
