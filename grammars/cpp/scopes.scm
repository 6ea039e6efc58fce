; Scopes a review unit can be: @scope.function / @scope.class, named by @name.
; Methods defined in their class read `Class.method`; defined out of line
; they keep their C++ spelling, `Class::method`. The name sits in the
; declarator, under at most one pointer or reference level. Namespaces and
; lambdas are not units.
(function_definition
  declarator: (function_declarator
    declarator: [(identifier) (field_identifier) (qualified_identifier)
                 (destructor_name) (operator_name)] @name)) @scope.function
(function_definition
  declarator: (pointer_declarator
    declarator: (function_declarator
      declarator: [(identifier) (field_identifier) (qualified_identifier)
                   (destructor_name) (operator_name)] @name))) @scope.function
(function_definition
  declarator: (reference_declarator
    (function_declarator
      declarator: [(identifier) (field_identifier) (qualified_identifier)
                   (destructor_name) (operator_name)] @name))) @scope.function
(class_specifier name: (_) @name body: (field_declaration_list)) @scope.class
(struct_specifier name: (_) @name body: (field_declaration_list)) @scope.class
(union_specifier name: (_) @name body: (field_declaration_list)) @scope.class
