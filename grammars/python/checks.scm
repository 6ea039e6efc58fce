; Structural checks for Python. See reviewer/checks/catalog.py for the keys.

; def f(items=[]): the default is created once and shared by every call.
(default_parameter
  value: [(list) (dictionary) (set)] @finding
  (#set! id "py-mutable-default-arg")
  (#set! severity "warning")
  (#set! message "Mutable default argument `{finding}` is shared between calls; default to None and create it inside"))

; x == None: calls __eq__, which may be overridden; identity is what is meant.
((comparison_operator
   (_) @left
   operators: ["==" "!="] @op
   (none)) @finding
  (#eq? @op "==")
  (#set! id "py-none-equality")
  (#set! severity "warning")
  (#set! message "Comparison to None with `==`; use `is None`")
  (#set! fix "{left} is None"))
