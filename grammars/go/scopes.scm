; Scopes a review unit can be: @scope.function / @scope.class, named by @name.
; Methods are `Receiver.method`: @owner is the receiver's type. Function literals are not units (their enclosing
; function gives the reviewer the context they need).
(function_declaration name: (identifier) @name) @scope.function
(method_declaration
  receiver: (parameter_list
    (parameter_declaration
      type: [(type_identifier) @owner
             (pointer_type (type_identifier) @owner)
             (generic_type type: (type_identifier) @owner)
             (pointer_type (generic_type type: (type_identifier) @owner))]))
  name: (field_identifier) @name) @scope.function
(type_spec name: (type_identifier) @name type: [(struct_type) (interface_type)]) @scope.class
