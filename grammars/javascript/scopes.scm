; Scopes a review unit can be: @scope.function / @scope.class, named by @name.
; Nesting gives `Class.method`. Anonymous callbacks are not units (their
; enclosing function gives the reviewer the context they need); a function
; stored in a variable, property or object key is named by that slot.
; TypeScript and TSX inherit these; its grammar names classes with
; type_identifier and class fields public_field_definition. Interfaces and
; type aliases hold no statements to review, so they are not scopes.
(function_declaration name: (identifier) @name) @scope.function
(generator_function_declaration name: (identifier) @name) @scope.function
(method_definition name: (_) @name) @scope.function
(class_declaration name: (identifier) @name) @scope.class ; not typescript
(class name: (identifier) @name) @scope.class ; not typescript
(class_declaration name: (type_identifier) @name) @scope.class ; only typescript
(abstract_class_declaration name: (type_identifier) @name) @scope.class ; only typescript
(class name: (type_identifier) @name) @scope.class ; only typescript

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

; class A { handle = () => {} } (TypeScript: class A { private handle = () => {} })
(field_definition ; not typescript
  property: (property_identifier) @name ; not typescript
(public_field_definition ; only typescript
  name: (property_identifier) @name ; only typescript
  value: [(arrow_function) (function_expression)]) @scope.function
