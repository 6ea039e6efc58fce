; Scopes a review unit can be: @scope.function / @scope.class, named by @name.
; Nesting gives `Class.method` and `outer.inner`; `async def` is a
; function_definition too, and reviewer/syntax.py widens a decorated
; definition to include its decorators.
(function_definition name: (identifier) @name) @scope.function
(class_definition name: (identifier) @name) @scope.class
