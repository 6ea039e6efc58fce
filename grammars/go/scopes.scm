; Scopes a review unit can be: @scope.function / @scope.class, named by @name.
; Methods are named by the method alone: one @name node cannot spell
; `Receiver.method`. Function literals are not units (their enclosing
; function gives the reviewer the context they need).
(function_declaration name: (identifier) @name) @scope.function
(method_declaration name: (field_identifier) @name) @scope.function
(type_spec name: (type_identifier) @name type: [(struct_type) (interface_type)]) @scope.class
