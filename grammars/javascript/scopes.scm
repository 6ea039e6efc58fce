; Scopes a review unit can be: @scope.function / @scope.class, named by @name.
; Nesting gives `Class.method`. Anonymous callbacks are not units (their
; enclosing function gives the reviewer the context they need); a function
; stored in a variable, property or object key is named by that slot.
(function_declaration name: (identifier) @name) @scope.function
(generator_function_declaration name: (identifier) @name) @scope.function
(method_definition name: (_) @name) @scope.function
(class_declaration name: (identifier) @name) @scope.class
(class name: (identifier) @name) @scope.class

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

; class A { handle = () => {} }
(field_definition
  property: (property_identifier) @name
  value: [(arrow_function) (function_expression)]) @scope.function
