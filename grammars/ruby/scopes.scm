; Scopes a review unit can be: @scope.function / @scope.class, named by @name.
; Nesting gives `Module.Class.method`; `def self.m` is named `m`.
(method name: (_) @name) @scope.function
(singleton_method name: (_) @name) @scope.function
(class name: (_) @name) @scope.class
(module name: (_) @name) @scope.class
