; Structural checks for C++ only. C++ inherits the C checks (grammars/c/checks.scm,
; with cpp- ids; see grammars/languages.toml); these follow them.
; Catching a polymorphic exception by value copies it as the base class: the
; derived part and its what() are sliced off. A reference keeps it whole.
((catch_clause
   parameters: (parameter_list
     (parameter_declaration
       type: [(type_identifier) (qualified_identifier) (template_type)] @type
       declarator: (identifier) @fix)) @finding)
  (#set! id "cpp-catch-by-value")
  (#set! severity "warning")
  (#set! message "`{type}` is caught by value, which copies and slices a derived exception; catch it by (const) reference")
  (#set! fix "&{fix}"))

; throw new T(...) throws a pointer: `catch (T&)` never matches it and the
; object leaks. (MFC-style code that catches pointers is the exception.)
((throw_statement (new_expression type: (_) @type) @finding)
  (#set! id "cpp-throw-new")
  (#set! severity "warning")
  (#set! message "`throw new {type}` throws a pointer, which `catch ({type}&)` does not catch and nobody deletes; throw the object by value"))

; The string returned by to_string()/str()/substr() or built by `+` is a
; temporary that dies at the end of the statement: the stored pointer
; dangles at once.
((init_declarator
   value: (call_expression
     function: (field_expression
       argument: (call_expression
         function: [(identifier) @maker
                    (qualified_identifier name: (identifier) @maker)
                    (field_expression field: (field_identifier) @maker)])
       field: (field_identifier) @accessor)) @finding)
  (#any-of? @maker "to_string" "to_wstring" "str" "substr")
  (#any-of? @accessor "c_str" "data")
  (#set! id "cpp-dangling-c-str")
  (#set! severity "error")
  (#set! message "`{finding}` points into a temporary string destroyed at the end of this statement, so the pointer dangles; keep the std::string in a variable"))

; Same, for an assignment to an existing pointer.
((assignment_expression
   right: (call_expression
     function: (field_expression
       argument: (call_expression
         function: [(identifier) @maker
                    (qualified_identifier name: (identifier) @maker)
                    (field_expression field: (field_identifier) @maker)])
       field: (field_identifier) @accessor)) @finding)
  (#any-of? @maker "to_string" "to_wstring" "str" "substr")
  (#any-of? @accessor "c_str" "data")
  (#set! id "cpp-dangling-c-str")
  (#set! severity "error")
  (#set! message "`{finding}` points into a temporary string destroyed at the end of this statement, so the pointer dangles; keep the std::string in a variable"))

; Same, for a string built with `+`.
((init_declarator
   value: (call_expression
     function: (field_expression
       argument: (parenthesized_expression (binary_expression operator: "+"))
       field: (field_identifier) @accessor)) @finding)
  (#any-of? @accessor "c_str" "data")
  (#set! id "cpp-dangling-c-str")
  (#set! severity "error")
  (#set! message "`{finding}` points into a temporary string destroyed at the end of this statement, so the pointer dangles; keep the std::string in a variable"))

; A value spliced between quotes in SQL text ("... = '" + x + "'") is the
; textbook injection, wherever the string goes next.
((binary_expression operator: "+") @finding
  (#not-inside? @finding "binary_expression")
  (#match? @finding "^\"\\s*(?i:select|insert|update|delete)\\s[^;]*'\"\\s*\\+\\s*[^\"\\s]")
  (#set! id "cpp-sql-injection")
  (#set! severity "error")
  (#set! message "A value is concatenated into quoted SQL text; it can rewrite the statement (SQL injection), so bind it as a parameter"))
