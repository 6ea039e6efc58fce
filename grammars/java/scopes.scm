; Scopes a review unit can be: @scope.function / @scope.class, named by @name.
; Nesting gives `Class.method` and `Outer.Inner.method`.
(method_declaration name: (identifier) @name) @scope.function
(constructor_declaration name: (identifier) @name) @scope.function
(compact_constructor_declaration name: (identifier) @name) @scope.function
(class_declaration name: (identifier) @name) @scope.class
(interface_declaration name: (identifier) @name) @scope.class
(enum_declaration name: (identifier) @name) @scope.class
(record_declaration name: (identifier) @name) @scope.class
(annotation_type_declaration name: (identifier) @name) @scope.class
