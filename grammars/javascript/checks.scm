; Structural checks for JavaScript. See reviewer/checks/catalog.py for the keys.
; TypeScript and TSX inherit them with ts- ids (grammars/languages.toml); a line
; ending in `; only typescript` or `; not typescript` is for one side alone
; (see reviewer/queries.py). Avoid two unanchored sibling sub-patterns under a
; node that can be large (an object, a program): the matcher goes quadratic.

; x == 0 / x == "" / x == false: against these operands `==` is true for a
; whole family of values ("", "0", [], false all equal 0). Other `==` uses are
; left to the project's linter (and `== null` is the null-or-undefined idiom).
; Operands that are numbers anyway (`.length`, `i % 2`) are not flagged.
((binary_expression
   left: (_) @other
   operator: ["==" "!="] @fix
   right: [(number) (string) (true) (false) (array)] @operand) @finding
  (#match? @operand "^(0|0n|-0|0\\.0|\"\"|''|``|true|false|\\[\\])$")
  (#not-match? @other "(\\.length|\\.size|%\\s*[\\w.]+)$")
  (#set! id "js-loose-equality")
  (#set! severity "warning")
  (#set! message "`{fix} {operand}` converts types, so several different values (0, \"\", false, []) compare equal to it; use `{fix}=`")
  (#set! fix "{fix}="))

; 0 == x / "" != x: the same coercion, operands swapped.
((binary_expression
   left: [(number) (string) (true) (false) (array)] @operand
   operator: ["==" "!="] @fix
   right: (_) @other) @finding
  (#match? @operand "^(0|0n|-0|0\\.0|\"\"|''|``|true|false|\\[\\])$")
  (#not-match? @other "(\\.length|\\.size|%\\s*[\\w.]+)$")
  (#set! id "js-loose-equality")
  (#set! severity "warning")
  (#set! message "`{operand} {fix}` converts types, so several different values (0, \"\", false, []) compare equal to it; use `{fix}=`")
  (#set! fix "{fix}="))

; x === NaN: NaN is unequal to everything, itself included, so this is always
; false (or always true for !==).
((binary_expression
   operator: ["==" "===" "!=" "!=="]
   [(identifier) @nan (member_expression object: (identifier) @number property: (property_identifier) @nan)]) @finding
  (#eq? @nan "NaN")
  (#set! id "js-nan-comparison")
  (#set! severity "error")
  (#set! message "This comparison with NaN is constant (NaN equals nothing, itself included); use `Number.isNaN(x)`"))

; typeof x === "strng": typeof only ever returns eight strings, so a comparison
; with any other string is constant.
((binary_expression
   left: (unary_expression operator: "typeof")
   operator: ["==" "===" "!=" "!=="]
   right: (string . (string_fragment) @type .) @finding)
  (#not-match? @type "^(undefined|object|boolean|number|bigint|string|symbol|function)$")
  (#set! id "js-typeof-typo")
  (#set! severity "error")
  (#set! message "`typeof` never returns \"{type}\", so this comparison is constant; check the spelling"))

; "strng" === typeof x: the same, with the operands swapped.
((binary_expression
   left: (string . (string_fragment) @type .) @finding
   operator: ["==" "===" "!=" "!=="]
   right: (unary_expression operator: "typeof"))
  (#not-match? @type "^(undefined|object|boolean|number|bigint|string|symbol|function)$")
  (#set! id "js-typeof-typo")
  (#set! severity "error")
  (#set! message "`typeof` never returns \"{type}\", so this comparison is constant; check the spelling"))

; !key in obj / !x instanceof C: `!` binds first, so this tests a boolean.
((binary_expression
   left: (unary_expression operator: "!") @finding
   operator: ["in" "instanceof"] @op)
  (#set! id "js-unsafe-negation")
  (#set! severity "error")
  (#set! message "`{finding} {op} ...` negates the left operand, not the test; write `!(a {op} b)`"))

; if (a = b): an assignment where a comparison was almost certainly meant
; (extra parentheses, `if ((a = b))`, mark the rare deliberate case).
(if_statement
  condition: (parenthesized_expression
    .
    (assignment_expression) @finding
    .)
  (#set! id "js-assign-in-condition")
  (#set! severity "warning")
  (#set! message "Assignment `{finding}` used as the `if` condition; did you mean `===`?"))

; debugger;: a breakpoint left in the code stops every user with devtools open.
((debugger_statement) @finding
  (#set! id "js-debugger")
  (#set! severity "error")
  (#set! message "`debugger` statement left in the code"))

; console.log(...) in library/app code: leftover debug output (info: noise, not
; a bug). Scripts, CLIs and their commands, loggers, playgrounds and tests
; print on purpose.
((call_expression
   function: (member_expression
     object: (identifier) @console
     property: (property_identifier) @method)) @finding
  (#eq? @console "console")
  (#any-of? @method "log" "debug")
  (#set! id "js-console-log")
  (#set! severity "info")
  (#set! message "Leftover `console.{method}()`: debug output shipped to users; remove it or use the project's logger")
  (#set! exclude-paths "*.test.*,*.spec.*,*/test/*,test/*,*/tests/*,tests/*,*/__tests__/*,__tests__/*,*/spec/*,spec/*,*/scripts/*,scripts/*,*/bin/*,bin/*,*/cli/*,cli/*,*/cli.*,cli.*,*/examples/*,examples/*,*/example/*,example/*,*/sandbox/*,sandbox/*,*/demo/*,demo/*,*/tools/*,tools/*,*/benchmarks/*,benchmarks/*,*/docs/*,docs/*,*.config.*,*/config/*,config/*,*/commands/*,commands/*,*/logger*,logger*,*/logging/*,*/playground/*,playground/*,*/test.js,test.js,*/bench.js,bench.js"))

; Inside an async function, fetch(...) as a bare statement: the promise
; floats, its errors are unhandled and nothing waits for it.
((expression_statement
   .
   (call_expression
     function: (identifier) @callee) @finding
   .)
  (#eq? @callee "fetch")
  (#nearest-match? @finding "(^|\\n)[^(\\n]*\\basync\\b" "function_declaration" "function_expression" "function" "arrow_function" "method_definition" "generator_function_declaration" "generator_function")
  (#set! id "js-floating-promise")
  (#set! severity "warning")
  (#set! message "Promise from `{callee}(...)` is neither awaited nor returned in this async function, so its failure goes unhandled; add `await`")
  (#set! fix "await {finding}"))

; Inside an async function, Promise.all(...) as a bare statement: the same
; floating promise, and the combined work is not waited for.
((expression_statement
   .
   (call_expression
     function: (member_expression
       object: (identifier) @promise
       property: (property_identifier) @callee)) @finding
   .)
  (#eq? @promise "Promise")
  (#any-of? @callee "all" "allSettled" "race" "any")
  (#nearest-match? @finding "(^|\\n)[^(\\n]*\\basync\\b" "function_declaration" "function_expression" "function" "arrow_function" "method_definition" "generator_function_declaration" "generator_function")
  (#set! id "js-floating-promise")
  (#set! severity "warning")
  (#set! message "Promise from `Promise.{callee}(...)` is neither awaited nor returned in this async function, so its failure goes unhandled; add `await`")
  (#set! fix "await {finding}"))

; arr.forEach(async x => ...): forEach ignores the returned promises, so nothing
; waits for the callbacks and their errors are unhandled.
((call_expression
   function: (member_expression property: (property_identifier) @method)
   arguments: (arguments
     [(arrow_function) (function_expression)] @callback)) @finding
  (#eq? @method "forEach")
  (#match? @callback "^async\\b")
  (#set! id "js-async-foreach")
  (#set! severity "warning")
  (#set! message "`forEach` does not wait for an async callback: the work runs unordered and its errors are unhandled; use `for...of` with `await` or `Promise.all(arr.map(...))`"))

; new Promise(async (resolve) => ...): a throw in the async executor rejects a
; promise nobody sees; the outer promise never settles.
; (An executor whose body is wrapped in try/catch handles that itself.)
((new_expression
   constructor: (identifier) @promise
   arguments: (arguments
     .
     [(arrow_function) (function_expression)] @executor)) @finding
  (#eq? @promise "Promise")
  (#match? @executor "^async\\b")
  (#not-match? @executor "^async\\b[^{]*\\{\\s*try\\s*\\{")
  (#set! id "js-async-promise-executor")
  (#set! severity "warning")
  (#set! message "Async Promise executor: an error thrown inside it is lost and the promise never settles; do the async work outside `new Promise`"))

; return in finally: it overrides the try block's result and discards any
; exception being thrown. (A throw there is left alone: re-throwing a saved
; error from finally is a common, deliberate pattern.)
((return_statement) @finding
  (#nearest-inside? @finding "finally_clause" "function_declaration" "function_expression" "function" "arrow_function" "method_definition" "generator_function_declaration" "generator_function" "class_body")
  (#set! id "js-unsafe-finally")
  (#set! severity "warning")
  (#set! message "`{finding}` in `finally` overrides the result of `try`/`catch` and discards any exception in flight"))

; break/continue out of finally: the same, jumping out of the finally block.
([(break_statement) (continue_statement)] @finding
  (#nearest-inside? @finding "finally_clause" "function_declaration" "function_expression" "function" "arrow_function" "method_definition" "generator_function_declaration" "generator_function" "class_body" "for_statement" "for_in_statement" "while_statement" "do_statement" "switch_statement")
  (#set! id "js-unsafe-finally")
  (#set! severity "warning")
  (#set! message "`{finding}` in `finally` discards any exception in flight"))

; new Error("...") as a statement: the error is built and dropped, `throw` is missing.
((expression_statement
   .
   (new_expression
     constructor: [(identifier) @type (member_expression property: (property_identifier) @type)]) @finding
   .)
  (#match? @type "^([A-Z][A-Za-z0-9]*)?Error$")
  (#set! id "js-error-not-thrown")
  (#set! severity "error")
  (#set! message "`{finding}` creates an error and throws it away; `throw` is missing")
  (#set! fix "throw {finding}"))

; eval(code): runs arbitrary code; with any outside input it is code injection.
((call_expression
   function: (identifier) @eval
   arguments: (arguments
     .
     [(identifier) (member_expression) (subscript_expression) (call_expression) (binary_expression)
      (as_expression) (non_null_expression) ; only typescript
      (template_string (template_substitution))] @finding))
  (#eq? @eval "eval")
  (#set! id "js-eval")
  (#set! severity "error")
  (#set! message "`eval` of a computed string runs whatever the string holds (code injection); parse the data instead")
  (#set! exclude-paths "*.test.*,*.spec.*,*/test/*,test/*,*/tests/*,tests/*,*/__tests__/*,__tests__/*,*/spec/*,spec/*"))

; new Function(..., body): eval under another name when the body is computed.
((new_expression
   constructor: (identifier) @function
   arguments: (arguments
     [(identifier) (member_expression) (subscript_expression) (call_expression) (binary_expression)
      (as_expression) (non_null_expression) ; only typescript
      (template_string (template_substitution))] @finding
     .))
  (#eq? @function "Function")
  (#set! id "js-eval")
  (#set! severity "error")
  (#set! message "`new Function` with a computed body compiles whatever the string holds (code injection)")
  (#set! exclude-paths "*.test.*,*.spec.*,*/test/*,test/*,*/tests/*,tests/*,*/__tests__/*,__tests__/*,*/spec/*,spec/*"))

; el.innerHTML = value: markup from a variable is parsed as HTML, so any user
; data in it is a cross-site-scripting hole.
([(assignment_expression
    left: (member_expression property: (property_identifier) @property)
    right: [(identifier) (member_expression) (subscript_expression) (call_expression) (binary_expression)
            (as_expression) (non_null_expression) ; only typescript
            (template_string (template_substitution))] @finding)
  (augmented_assignment_expression
    left: (member_expression property: (property_identifier) @property)
    right: [(identifier) (member_expression) (subscript_expression) (call_expression) (binary_expression)
            (as_expression) (non_null_expression) ; only typescript
            (template_string (template_substitution))] @finding)]
  (#any-of? @property "innerHTML" "outerHTML")
  (#set! id "js-inner-html")
  (#set! severity "warning")
  (#set! message "Assigning computed markup to `{property}` parses it as HTML (cross-site scripting if it holds user data); use `textContent` or escape it"))

; db.query(`SELECT ... WHERE id = ${id}`): a value formatted into SQL is an
; injection hole; pass it as a query parameter. Only substitutions in a value
; position count (after `=`, `<`, `>`, LIKE, IN (, VALUES ( or a quote), and
; not ones passed through escape/quote helpers: `FROM ${table}` and
; `= ${escape(v)}` are how query builders work.
((call_expression
   function: (member_expression property: (property_identifier) @method)
   arguments: (arguments
     .
     (template_string (template_substitution)) @finding))
  (#any-of? @method "query" "execute" "raw" "prepare" "exec" "$queryRawUnsafe" "$executeRawUnsafe" "unsafe")
  (#match? @finding "(?is)\\b(select|insert|update|delete|where|values)\\b")
  (#match? @finding "(?i)(=|<|>|\\blike|\\bin\\s*\\(|\\bvalues\\s*\\(|')\\s*'?%?\\$\\{(?!\\s*([\\w$]+\\.)*(escape|quote|sanitize)\\w*\\s*\\()")
  (#set! id "js-sql-injection")
  (#set! severity "error")
  (#set! message "Value formatted into SQL passed to `{method}()` is open to SQL injection; use placeholders and pass the values separately")
  (#set! exclude-paths "*.test.*,*.spec.*,*/test/*,test/*,*/tests/*,tests/*,*/__tests__/*,__tests__/*,*/spec/*,spec/*"))

; db.query("SELECT ... WHERE id = '" + id + "'"): the same hole, built with `+`
; (a variable joined right after a value position).
((call_expression
   function: (member_expression property: (property_identifier) @method)
   arguments: (arguments
     .
     [(binary_expression operator: "+" [(identifier) (member_expression) (call_expression) (subscript_expression)])
      (binary_expression
        left: (binary_expression operator: "+" [(identifier) (member_expression) (call_expression) (subscript_expression)]))] @finding))
  (#any-of? @method "query" "execute" "raw" "prepare" "exec" "$queryRawUnsafe" "$executeRawUnsafe" "unsafe")
  (#match? @finding "(?is)\\b(select|insert|update|delete|where|values)\\b")
  (#match? @finding "(?i)(=|<|>|\\blike|\\bin\\s*\\(|\\bvalues\\s*\\(|')\\s*'?%?[\"'`]\\s*\\+\\s*(?!\\s*([\\w$]+\\.)*(escape|quote|sanitize)\\w*\\s*\\()")
  (#set! id "js-sql-injection")
  (#set! severity "error")
  (#set! message "Value concatenated into SQL passed to `{method}()` is open to SQL injection; use placeholders and pass the values separately")
  (#set! exclude-paths "*.test.*,*.spec.*,*/test/*,test/*,*/tests/*,tests/*,*/__tests__/*,__tests__/*,*/spec/*,spec/*"))

; const password = "hunter2": a secret in source is leaked to everyone who can
; read the repository. Values must look like a secret (letters and digits, no
; spaces or template syntax), which skips placeholders and key names.
([(variable_declarator
    name: (identifier) @name
    value: (string . (string_fragment) @value .))
  (assignment_expression
    left: [(identifier) @name (member_expression property: (property_identifier) @name)]
    right: (string . (string_fragment) @value .))
  (pair
    key: [(property_identifier) @name (string . (string_fragment) @name .)]
    value: (string . (string_fragment) @value .))
  (field_definition ; not typescript
    property: (property_identifier) @name ; not typescript
  (public_field_definition ; only typescript
    name: (property_identifier) @name ; only typescript
    value: (string . (string_fragment) @value .))] @finding
  (#match? @name "(?i)(passw(or)?d|passphrase|secret|secret_?key|api_?key|access_?key|auth_?key|token|private_?key)$")
  (#match? @value "^(?=[^\\s]*[0-9])(?=[^\\s]*[A-Za-z])[^\\s<>{}$%*()\\[\\]]{6,}$")
  (#not-match? @value "(?i)(x{3}|changeme|change_me|example|dummy|placeholder|redacted|secret|password|your|sample|fake|test|^env)")
  (#set! id "js-hardcoded-credential")
  (#set! severity "error")
  (#set! message "Hard-coded credential in `{name}`: anyone with the source has it; read it from the environment or a secret store")
  (#set! exclude-paths "*.test.*,*.spec.*,*/test/*,test/*,*/tests/*,tests/*,*/__tests__/*,__tests__/*,*/spec/*,spec/*,*/fixtures/*,fixtures/*,*/__mocks__/*,__mocks__/*"))

; "-----BEGIN RSA PRIVATE KEY-----\nMIIE...": a private key (header plus key
; material) committed to source is compromised.
(([(string) (template_string)]) @finding
  (#match? @finding "-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----(\\\\n|\\s)+[A-Za-z0-9+/=]{16}")
  (#set! id "js-private-key")
  (#set! severity "error")
  (#set! message "Private key embedded in a string literal: it is exposed to everyone with the source; load it from a file or secret store"))
