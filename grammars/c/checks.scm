; Structural checks for C. See reviewer/checks/catalog.py for the keys.
; C++ inherits them with cpp- ids (grammars/languages.toml); a line ending in
; `; only cpp` or `; not cpp` is for one side alone (see reviewer/queries.py).

; gets() cannot know the buffer size: any long input line overflows it (it
; was removed from C11 for that reason).
((call_expression function: (identifier) @fn) @finding ; not cpp
((call_expression function: [(identifier) @fn (qualified_identifier name: (identifier) @fn)]) @finding ; only cpp
  (#eq? @fn "gets")
  (#set! id "c-gets")
  (#set! severity "error")
  (#set! message "`gets` cannot limit the input to the buffer size, so a long line overflows it; use `fgets(buf, sizeof buf, stdin)`"))

; strcpy/strcat of a non-literal source write as much as the source holds,
; whatever the destination's size. (A literal source has a size the author
; could see, so it is left alone; so are ALL_CAPS macro constants.)
((call_expression
   function: (identifier) @fn ; not cpp
   function: [(identifier) @fn (qualified_identifier name: (identifier) @fn)] ; only cpp
   arguments: (argument_list . (_) . (_) @source .)) @finding
  (#any-of? @fn "strcpy" "strcat" "wcscpy" "wcscat" "stpcpy")
  (#not-match? @source "^(L|u8|u|U)?\"|^[A-Z][A-Z0-9_]*$")
  (#set! id "c-unbounded-copy")
  (#set! severity "warning")
  (#set! message "`{fn}` copies `{source}` without checking the destination's size, so a long value overflows the buffer; use a bounded copy (snprintf, strlcpy) and check for truncation"))

; sprintf with a %s conversion (or a format it cannot see) writes an
; unbounded amount into a fixed buffer; vsprintf always can.
((call_expression
   function: (identifier) @fn ; not cpp
   function: [(identifier) @fn (qualified_identifier name: (identifier) @fn)] ; only cpp
   arguments: (argument_list . (_) . (string_literal) @format)) @finding
  (#eq? @fn "sprintf")
  (#match? @format "%[-+ #0]*[0-9*]*l?s")
  (#set! id "c-unbounded-sprintf")
  (#set! severity "warning")
  (#set! message "`sprintf` with an unbounded `%s` can write past the end of the buffer; use `snprintf` with the buffer size and check the result"))

; Same, for a format that is not a literal.
((call_expression
   function: (identifier) @fn ; not cpp
   function: [(identifier) @fn (qualified_identifier name: (identifier) @fn)] ; only cpp
   arguments: (argument_list . (_) . [(identifier) (field_expression) (subscript_expression)] . (_))) @finding
  (#eq? @fn "sprintf")
  (#set! id "c-unbounded-sprintf")
  (#set! severity "warning")
  (#set! message "`sprintf` with a format it cannot see can write past the end of the buffer; use `snprintf` with the buffer size and check the result"))

; vsprintf cannot be bounded at all.
((call_expression function: (identifier) @fn) @finding ; not cpp
((call_expression function: [(identifier) @fn (qualified_identifier name: (identifier) @fn)]) @finding ; only cpp
  (#any-of? @fn "vsprintf" "vswprintf")
  (#set! id "c-unbounded-sprintf")
  (#set! severity "warning")
  (#set! message "`{fn}` does not know the buffer size and can write past its end; use `vsnprintf` with the buffer size"))

; scanf("%s") with no field width reads a whole word of any length into a
; fixed buffer.
((call_expression
   function: (identifier) @fn ; not cpp
   function: [(identifier) @fn (qualified_identifier name: (identifier) @fn)] ; only cpp
   arguments: (argument_list . (string_literal) @format)) @finding
  (#any-of? @fn "scanf" "wscanf")
  (#match? @format "%l?(s|\\[)")
  (#set! id "c-scanf-unbounded")
  (#set! severity "error")
  (#set! message "A `%s` or `%[` conversion in a scanf format has no field width, so a long word overflows the buffer; give a width such as `%63s`"))

; Same, for fscanf/sscanf (the format is the second argument).
((call_expression
   function: (identifier) @fn ; not cpp
   function: [(identifier) @fn (qualified_identifier name: (identifier) @fn)] ; only cpp
   arguments: (argument_list . (_) . (string_literal) @format)) @finding
  (#any-of? @fn "fscanf" "sscanf" "fwscanf" "swscanf")
  (#match? @format "%l?(s|\\[)")
  (#set! id "c-scanf-unbounded")
  (#set! severity "error")
  (#set! message "A `%s` or `%[` conversion in a scanf format has no field width, so a long word overflows the buffer; give a width such as `%63s`"))

; A format string that is not a literal lets its content (often user data)
; drive printf: "%n" writes memory, "%s" reads it.
((call_expression
   function: (identifier) @fn ; not cpp
   function: [(identifier) @fn (qualified_identifier name: (identifier) @fn)] ; only cpp
   arguments: (argument_list . [(identifier) (field_expression) (subscript_expression)] @format .)) @finding
  (#any-of? @fn "printf" "wprintf")
  (#not-match? @format "^[A-Z][A-Z0-9_]*$")
  (#set! id "c-format-string")
  (#set! severity "error")
  (#set! message "`{format}` is used as the format string of `{fn}`; a `%` in it reads or writes memory, so print it with `\"%s\"`"))

; Same, for the functions whose format is the second argument.
((call_expression
   function: (identifier) @fn ; not cpp
   function: [(identifier) @fn (qualified_identifier name: (identifier) @fn)] ; only cpp
   arguments: (argument_list . (_) . [(identifier) (field_expression) (subscript_expression)] @format .)) @finding
  (#any-of? @fn "fprintf" "sprintf" "syslog" "dprintf" "fwprintf")
  (#not-match? @format "^[A-Z][A-Z0-9_]*$")
  (#set! id "c-format-string")
  (#set! severity "error")
  (#set! message "`{format}` is used as the format string of `{fn}`; a `%` in it reads or writes memory, so print it with `\"%s\"`"))

; Same, for snprintf (the format is the third argument).
((call_expression
   function: (identifier) @fn ; not cpp
   function: [(identifier) @fn (qualified_identifier name: (identifier) @fn)] ; only cpp
   arguments: (argument_list . (_) . (_) . [(identifier) (field_expression) (subscript_expression)] @format .)) @finding
  (#eq? @fn "snprintf")
  (#not-match? @format "^[A-Z][A-Z0-9_]*$")
  (#set! id "c-format-string")
  (#set! severity "error")
  (#set! message "`{format}` is used as the format string of `{fn}`; a `%` in it reads or writes memory, so print it with `\"%s\"`"))

; system()/popen() of a built string runs whatever the shell makes of it:
; a `;` in any part of it is command injection.
((call_expression
   function: (identifier) @fn ; not cpp
   function: [(identifier) @fn (qualified_identifier name: (identifier) @fn)] ; only cpp
   arguments: (argument_list . (_) @command)) @finding
  (#any-of? @fn "system" "popen")
  (#not-match? @command "^(L|u8|u|U)?\"|^[A-Z][A-Z0-9_]*$")
  (#set! id "c-command-injection")
  (#set! severity "warning")
  (#set! message "`{fn}` runs `{command}` through the shell, so any `;` or `$()` in it runs as a command; use an exec-family call with an argument vector"))

; if (x = y) assigns; `==` was almost always meant. Compilers stay quiet when
; the assignment has its own parentheses, which marks the intended cases.
((if_statement
   condition: (parenthesized_expression ; not cpp
     (assignment_expression operator: "=") @finding)) ; not cpp
   condition: (condition_clause ; only cpp
     value: (assignment_expression operator: "=") @finding)) ; only cpp
  (#set! id "c-assignment-in-condition")
  (#set! severity "warning")
  (#set! message "`{finding}` assigns inside the `if` condition; if a comparison was meant use `==`, otherwise wrap the assignment in its own parentheses"))

; malloc(strlen(s)) leaves no room for the terminating NUL: copying s into
; it writes one byte past the end.
((call_expression
   function: (identifier) @fn ; not cpp
   function: [(identifier) @fn (qualified_identifier name: (identifier) @fn)] ; only cpp
   arguments: (argument_list .
     (call_expression function: (identifier) @len) @fix .)) @finding ; not cpp
     (call_expression function: [(identifier) @len (qualified_identifier name: (identifier) @len)]) @fix .)) @finding ; only cpp
  (#eq? @fn "malloc")
  (#eq? @len "strlen")
  (#set! id "c-malloc-strlen")
  (#set! severity "error")
  (#set! message "`{finding}` leaves no room for the terminating NUL, so copying the string into it overflows by one byte; allocate `{fix} + 1`")
  (#set! fix "{fix} + 1"))

; strncpy/strncat bounded by the source's own length protect nothing, and
; strncpy then leaves the destination without a terminating NUL.
((call_expression
   function: (identifier) @fn ; not cpp
   function: [(identifier) @fn (qualified_identifier name: (identifier) @fn)] ; only cpp
   arguments: (argument_list .
     (_) .
     (_) @source .
     (call_expression
       function: (identifier) @len ; not cpp
       function: [(identifier) @len (qualified_identifier name: (identifier) @len)] ; only cpp
       arguments: (argument_list . (_) @measured .)) .)) @finding
  (#any-of? @fn "strncpy" "strncat")
  (#eq? @len "strlen")
  (#eq? @source @measured)
  (#set! id "c-strncpy-source-length")
  (#set! severity "error")
  (#set! message "`{fn}` is bounded by the length of its source, not the size of the destination, so it can still overflow (and strncpy leaves no terminating NUL); bound it by the destination size"))

; A local array dies when the function returns: the caller gets a dangling
; pointer to reused stack memory. (static arrays live on and are fine; so is
; a function returning something other than a pointer, e.g. a std::string
; built from the array.)
((compound_statement
   (declaration
     declarator: [(array_declarator declarator: (identifier) @array)
                  (init_declarator declarator: (array_declarator declarator: (identifier) @array))]) @declaration
   (return_statement (identifier) @returned) @finding)
  (#eq? @array @returned)
  (#not-match? @declaration "^(static|extern)\\b")
  (#inside-match? @finding "function_definition" "^[^(]*\\*\\s*[\\w:]+\\s*\\(")
  (#not-inside? @finding "lambda_expression") ; only cpp
  (#set! id "c-return-local-array")
  (#set! severity "error")
  (#set! message "`{returned}` is a local array, so the returned pointer dangles once the function returns; return allocated memory or let the caller pass the buffer"))

; SQL text with a string formatted into a value position ('%s', = %s,
; LIKE, VALUES): a quote in it rewrites the statement (SQL injection). Bind
; parameters (or sqlite3's `%q`) instead. Table and column names cannot be
; parameters, so `FROM %s` is left alone.
((call_expression
   function: (identifier) @fn ; not cpp
   function: [(identifier) @fn (qualified_identifier name: (identifier) @fn)] ; only cpp
   arguments: (argument_list (string_literal) @sql)) @finding
  (#any-of? @fn "sprintf" "snprintf" "asprintf" "sqlite3_mprintf" "sqlite3_snprintf" "g_strdup_printf")
  (#match? @sql "^\"\\s*(?i:select|insert|update|delete|replace)\\s")
  (#match? @sql "(?i)'[^']*%[-+ #0-9.*]*s[^']*'|([=<>]|\\blike|\\bvalues\\s*\\([^)]*)\\s*%[-+ #0-9.*]*s")
  (#set! id "c-sql-injection")
  (#set! severity "error")
  (#set! message "A string is formatted into a value position of SQL text; a quote in it rewrites the statement (SQL injection), so bind it as a parameter (or use sqlite3's `%q`)"))

; A private key in the source is readable by everyone with the code and
; cannot be rotated without a release.
(([(string_literal) (concatenated_string)] @finding) ; not cpp
(([(string_literal) (concatenated_string) (raw_string_literal)] @finding) ; only cpp
  (#match? @finding "-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----[A-Za-z0-9+/=\\s\\\\:,\"-]{20}")
  (#not-inside? @finding "concatenated_string")
  (#set! id "c-private-key")
  (#set! severity "error")
  (#set! exclude-paths "*test/*,*tests/*,*test_*.c") ; not cpp
  (#set! exclude-paths "*test/*,*tests/*,*test_*.cpp,*_test.cc,*_test.cpp,*_unittest.cc") ; only cpp
  (#set! message "A private key is embedded in the source; anyone who can read the code can use it, so load it from a protected file or secret store instead"))

; A credential in the source ships to everyone who can read the code (and
; the binary) and cannot be rotated without a release. Names say what the
; value is; the value must look like a real secret.
(([(init_declarator
     declarator: [(identifier) @name
                  (pointer_declarator declarator: (identifier) @name)
                  (array_declarator declarator: (identifier) @name)]
     value: (string_literal) @finding)
   (assignment_expression
     left: [(identifier) @name (field_expression field: (field_identifier) @name)]
     right: (string_literal) @finding)
   (initializer_pair
     designator: (field_designator (field_identifier) @name)
     value: (string_literal) @finding)
   (preproc_def
     name: (identifier) @name
     value: (preproc_arg) @finding)])
  (#match? @name "(?i)(passwd|password|secret|api_?key|access_?key|secret_?key|private_?key|auth_?token|access_?token|bearer_?token|refresh_?token|client_?secret)$")
  (#match? @finding "^\\s*\"[^\\s$%{}<>\"]{6,}\"\\s*$")
  (#match? @finding "[0-9!@#^&*+=]")
  (#not-match? @finding "(?i)^\\s*\"\\.{0,2}/|://|example|change_?me|placeholder|your|xxx|\\*\\*\\*|dummy|fake|sample|redacted|secret|passw|token|key|test")
  (#not-match? @finding "^\\s*\"[A-Z][A-Z0-9_]+\"\\s*$")
  (#set! id "c-hardcoded-credential")
  (#set! severity "warning")
  (#set! exclude-paths "*test/*,*tests/*,*test_*.c") ; not cpp
  (#set! exclude-paths "*test/*,*tests/*,*test_*.cpp,*_test.cc,*_test.cpp,*_unittest.cc") ; only cpp
  (#set! message "`{name}` is set to a literal secret; anyone with the code or the binary has it, so read it from the environment or a protected file"))
