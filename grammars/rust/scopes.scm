; Scopes a review unit can be: @scope.function / @scope.class, named by @name.
; An impl is named by its type without generic arguments, so a method reads
; `Type.method` whether the impl is inherent or of a trait.
(function_item name: (identifier) @name) @scope.function
(impl_item type: [(type_identifier) @name
                  (generic_type type: (_) @name)
                  (scoped_type_identifier name: (type_identifier) @name)
                  (reference_type type: (type_identifier) @name)]) @scope.class
(trait_item name: (type_identifier) @name) @scope.class
(struct_item name: (type_identifier) @name) @scope.class
(enum_item name: (type_identifier) @name) @scope.class
(union_item name: (type_identifier) @name) @scope.class
(mod_item name: (identifier) @name body: (declaration_list)) @scope.class
