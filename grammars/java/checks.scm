; Structural checks for Java. See reviewer/checks/catalog.py for the keys.

; == on strings compares references: equal text in two String objects is
; "not equal", so the branch depends on interning. The literal goes first in
; the fix, so a null operand gives false instead of an exception.
((binary_expression
   left: (_) @other
   operator: "=="
   right: (string_literal) @literal) @finding
  (#not-match? @other "^(null|\".*\")$")
  (#set! id "java-string-reference-equality")
  (#set! severity "error")
  (#set! message "`==` compares String references, not text, so equal strings can compare unequal; use `equals`")
  (#set! fix "{literal}.equals({other})"))

; Same, with the literal on the left.
((binary_expression
   left: (string_literal) @literal
   operator: "=="
   right: (_) @other) @finding
  (#not-match? @other "^(null|\".*\")$")
  (#set! id "java-string-reference-equality")
  (#set! severity "error")
  (#set! message "`==` compares String references, not text, so equal strings can compare unequal; use `equals`")
  (#set! fix "{literal}.equals({other})"))

; Same for `!=`.
((binary_expression
   left: (_) @other
   operator: "!="
   right: (string_literal) @literal) @finding
  (#not-match? @other "^(null|\".*\")$")
  (#set! id "java-string-reference-equality")
  (#set! severity "error")
  (#set! message "`!=` compares String references, not text, so equal strings can compare unequal; use `!equals`")
  (#set! fix "!{literal}.equals({other})"))

; Same for `!=`, literal on the left.
((binary_expression
   left: (string_literal) @literal
   operator: "!="
   right: (_) @other) @finding
  (#not-match? @other "^(null|\".*\")$")
  (#set! id "java-string-reference-equality")
  (#set! severity "error")
  (#set! message "`!=` compares String references, not text, so equal strings can compare unequal; use `!equals`")
  (#set! fix "!{literal}.equals({other})"))

; x.equals(null) is false for every correct equals (or throws when x is
; null); a null check is what was meant. (Tests of equals itself call it on
; purpose, so test files are skipped.)
((method_invocation
   object: (_) @object
   name: (identifier) @method
   arguments: (argument_list . (null_literal) .)) @finding
  (#eq? @method "equals")
  (#set! id "java-equals-null")
  (#set! severity "error")
  (#set! exclude-paths "*Test.java,*Tests.java,*/test/*,*/tests/*")
  (#set! message "`equals(null)` is always false (or throws when the receiver is null); compare with `== null`")
  (#set! fix "{object} == null"))

; equals(Foo) overloads instead of overriding equals(Object): collections,
; assertEquals and every other caller keep using identity. A class that also
; declares equals(Object) added the overload on purpose and is left alone.
((_
   (method_declaration
     type: (boolean_type)
     name: (identifier) @name
     parameters: (formal_parameters . (formal_parameter type: (_) @type) .)) @finding) @body
  (#eq? @name "equals")
  (#not-match? @type "^(java\\.lang\\.)?Object$")
  (#not-match? @body "boolean\\s+equals\\s*\\(\\s*(final\\s+)?(java\\.lang\\.)?Object\\s")
  (#set! id "java-equals-overload")
  (#set! severity "warning")
  (#set! message "`equals({type})` overloads instead of overriding `equals(Object)`, so collections and other callers never use it; take an Object parameter"))

; An empty catch of a broad type hides every failure, bugs included: the
; program goes on with whatever state the exception left behind. Emptily
; caught InterruptedException also loses the interrupt. A comment inside, or
; a variable named ignored/expected, marks a deliberate choice; narrow checked
; exceptions are left alone (often a deliberate fallback).
((catch_clause
   (catch_formal_parameter
     (catch_type) @type
     name: (identifier) @name)
   body: (block) @finding)
  (#match? @finding "^\\{\\s*\\}$")
  (#match? @type "(^|[|.]\\s*)(Exception|Throwable|RuntimeException|Error|InterruptedException)\\s*($|\\|)")
  (#not-match? @name "^(ignored?|expected|_)")
  (#set! id "java-empty-catch")
  (#set! severity "warning")
  (#set! exclude-paths "*Test.java,*Tests.java,*/test/*,*/tests/*")
  (#set! message "This empty catch block silently swallows every `{type}`; handle it, log it, or say in a comment why it is safe to ignore"))

; return in finally discards the exception (or the return value) of the try
; block: failures vanish without a trace. (A return in a lambda or a method
; of a class declared inside the finally block is not meant.)
((return_statement) @finding
  (#nearest-inside? @finding "finally_clause" "lambda_expression" "method_declaration" "constructor_declaration")
  (#set! id "java-return-in-finally")
  (#set! severity "error")
  (#set! message "`return` inside `finally` discards any exception thrown by the try block; move the return after the try statement"))

; new BigDecimal(0.1) holds the binary double 0.1000000000000000055..., not
; 0.1; BigDecimal.valueOf goes through the decimal string.
((object_creation_expression
   type: (_) @type
   arguments: (argument_list . (decimal_floating_point_literal) @value .)) @finding
  (#match? @type "(^|\\.)BigDecimal$")
  (#set! id "java-bigdecimal-double")
  (#set! severity "warning")
  (#set! message "`new BigDecimal({value})` stores the inexact binary double, not {value}; use `BigDecimal.valueOf({value})` or the String constructor")
  (#set! fix "BigDecimal.valueOf({value})"))

; printStackTrace() writes to stderr, bypasses logging and then lets the code
; carry on as if nothing happened.
((method_invocation
   object: (identifier)
   name: (identifier) @method
   arguments: (argument_list)) @finding
  (#eq? @method "printStackTrace")
  (#match? @finding "\\(\\s*\\)$")
  (#set! id "java-print-stack-trace")
  (#set! severity "warning")
  (#set! exclude-paths "*Test.java,*Tests.java,*/test/*,*/tests/*,*/examples/*")
  (#set! message "`{finding}` writes to stderr and carries on; log the exception or rethrow it"))

; SQL text with a value concatenated or formatted into it and executed: the
; value can rewrite the statement (SQL injection); use a PreparedStatement
; with `?`. Only value positions count (quoted, after a comparison, LIKE):
; table and column names cannot be parameters. The quoted cases are left to
; the patterns after these, so one call gets one finding.
((method_invocation
   name: (identifier) @method
   arguments: (argument_list . (binary_expression operator: "+") @finding))
  (#any-of? @method
    "executeQuery" "executeUpdate" "executeLargeUpdate" "execute" "addBatch"
    "prepareStatement" "prepareCall" "createQuery" "createNativeQuery" "createSQLQuery"
    "queryForObject" "queryForList" "queryForMap" "queryForRowSet" "query" "update"
    "batchUpdate")
  (#match? @finding "^\"\\s*(?i:select|insert|update|delete|with|replace|merge|upsert)\\s")
  (#match? @finding "(?i)([=<>]\\s*|\\blike\\s+)\"\\s*\\+")
  (#not-match? @finding "^\"\\s*(?i:select|insert|update|delete)\\s[^;]*'\"\\s*\\+\\s*[^\"\\s]")
  (#set! id "java-sql-injection")
  (#set! severity "error")
  (#set! message "SQL passed to `{method}` has a value concatenated into it; the value can rewrite the statement (SQL injection), so use a PreparedStatement with `?` parameters"))

; Same, for String.format.
((method_invocation
   name: (identifier) @method
   arguments: (argument_list .
     (method_invocation
       object: (identifier) @string
       name: (identifier) @format
       arguments: (argument_list . (string_literal) @sql)) @finding))
  (#any-of? @method
    "executeQuery" "executeUpdate" "executeLargeUpdate" "execute" "addBatch"
    "prepareStatement" "prepareCall" "createQuery" "createNativeQuery" "createSQLQuery"
    "queryForObject" "queryForList" "queryForMap" "queryForRowSet" "query" "update"
    "batchUpdate")
  (#eq? @string "String")
  (#eq? @format "format")
  (#match? @sql "^\"\\s*(?i:select|insert|update|delete|with|replace|merge|upsert)\\s")
  (#match? @sql "(?i)([=<>]|\\blike|\\bvalues\\s*\\([^)]*)\\s*%[-#+ 0-9,(]*s")
  (#not-match? @sql "'[^']*%[-#+ 0-9,(]*s[^']*'")
  (#set! id "java-sql-injection")
  (#set! severity "error")
  (#set! message "SQL passed to `{method}` has a value formatted into it with String.format; the value can rewrite the statement (SQL injection), so use a PreparedStatement with `?` parameters"))

; A value spliced between quotes in SQL text ("... = '" + x + "'", or '%s'
; in String.format) is the textbook injection, wherever the string goes next.
((binary_expression operator: "+") @finding
  (#not-inside? @finding "binary_expression")
  (#match? @finding "^\"\\s*(?i:select|insert|update|delete)\\s[^;]*'\"\\s*\\+\\s*[^\"\\s]")
  (#set! id "java-sql-injection")
  (#set! severity "error")
  (#set! message "A value is concatenated into quoted SQL text; it can rewrite the statement (SQL injection), so use a PreparedStatement with `?` parameters"))

; Same, for '%s' in String.format.
((method_invocation
   object: (identifier) @string
   name: (identifier) @format
   arguments: (argument_list . (string_literal) @sql)) @finding
  (#eq? @string "String")
  (#eq? @format "format")
  (#match? @sql "^\"\\s*(?i:select|insert|update|delete)\\s")
  (#match? @sql "'[^']*%[-#+ 0-9,(]*s[^']*'")
  (#set! id "java-sql-injection")
  (#set! severity "error")
  (#set! message "A value is formatted between quotes into SQL text; it can rewrite the statement (SQL injection), so use a PreparedStatement with `?` parameters"))

; A private key in the source is readable by everyone with the code and
; cannot be rotated without a release.
(([(string_literal) (binary_expression)] @finding)
  (#match? @finding "^(\"\"\"\\s*|\"[^\\n]*)-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----[A-Za-z0-9+/=\\s\\\\:,\"+-]{20}")
  (#not-inside? @finding "binary_expression")
  (#set! id "java-private-key")
  (#set! severity "error")
  (#set! exclude-paths "*Test.java,*Tests.java,*/test/*,*/tests/*")
  (#set! message "A private key is embedded in the source; anyone who can read the code can use it, so load it from a secret store or file instead"))

; A credential in the source ships to everyone who can read the code and
; cannot be rotated without a release. Names say what the value is; the value
; must look like a real secret (no spaces, placeholders, paths or env names).
(([(variable_declarator
     name: (identifier) @name
     value: (string_literal) @finding)
   (assignment_expression
     left: [(identifier) @name (field_access field: (identifier) @name)]
     right: (string_literal) @finding)])
  (#match? @name "(?i)(passwd|password|secret|api_?key|access_?key|secret_?key|private_?key|auth_?token|access_?token|bearer_?token|refresh_?token|client_?secret)$")
  (#match? @finding "^\"[^\\s$%{}<>\"]{6,}\"$")
  (#match? @finding "[0-9!@#^&*+=]")
  (#not-match? @finding "(?i)^\"\\.{0,2}/|://|example|change_?me|placeholder|your|xxx|\\*\\*\\*|dummy|fake|sample|redacted|secret|passw|token|key|test")
  (#not-match? @finding "^\"[A-Z][A-Z0-9_]+\"$")
  (#set! id "java-hardcoded-credential")
  (#set! severity "warning")
  (#set! exclude-paths "*Test.java,*Tests.java,*/test/*,*/tests/*")
  (#set! message "`{name}` is set to a literal secret; anyone who can read the code has it, so read it from the environment or a secret store"))
