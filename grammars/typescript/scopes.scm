; Scopes a review unit can be: @scope.function / @scope.class, named by @name.
; Used by both the typescript and the tsx grammars. Nesting gives
; `Class.method`. Only code scopes: interfaces and type aliases hold no
; statements to review. Anonymous callbacks are not units (their enclosing
; function gives the context); a function stored in a variable, property or
; object key is named by that slot.
(function_declaration name: (identifier) @name) @scope.function
(generator_function_declaration name: (identifier) @name) @scope.function
(method_definition name: (_) @name) @scope.function
(class_declaration name: (type_identifier) @name) @scope.class
(abstract_class_declaration name: (type_identifier) @name) @scope.class
(class name: (type_identifier) @name) @scope.class

; const f = () => {}, let g = function () {}, var h = function* () {}
(variable_declarator
  name: (identifier) @name
  value: [(arrow_function) (function_expression) (generator_function)]) @scope.function

; const A = class {}
(variable_declarator
  name: (identifier) @name
  value: (class !name)) @scope.class

; module.exports.f = function () {}, obj.f = () => {}
(assignment_expression
  left: [(identifier) @name (member_expression property: (property_identifier) @name)]
  right: [(arrow_function) (function_expression) (generator_function)]) @scope.function

; { f: function () {}, g: () => {} }
(pair
  key: [(property_identifier) @name (string (string_fragment) @name) (number) @name]
  value: [(arrow_function) (function_expression) (generator_function)]) @scope.function

; class A { private handle = () => {} }
(public_field_definition
  name: (property_identifier) @name
  value: [(arrow_function) (function_expression)]) @scope.function
