; Lattice syntax highlighting (nvim-treesitter / tree-sitter capture names).
; Later patterns win in Neovim, so the general ones come first.

(identifier) @variable

; Types
(type_identifier) @type
(generic_type name: (identifier) @type)
(function_type "Fn" @type.builtin)
((type_identifier (identifier) @type.builtin)
  (#any-of? @type.builtin
    "Int" "Float" "String" "Bool" "Nil" "Map" "Array" "Fn" "Channel" "Range" "Set"
    "Tuple" "Number" "Any" "Buffer" "Ref" "Iterator" "Unit"))
(type_parameters (identifier) @type)
(struct_declaration name: (identifier) @type.definition)
(enum_declaration name: (identifier) @type.definition)
(trait_declaration name: (identifier) @type.definition)
(impl_block trait: (identifier) @type)
(impl_block type: (identifier) @type)
(struct_literal name: (identifier) @type)
(struct_literal name: (field_expression field: (identifier) @type))
(scoped_identifier path: (identifier) @type)
(scoped_identifier name: (identifier) @constant)
(variant_pattern enum: (identifier) @type)
(variant_pattern variant: (identifier) @constant)
(enum_variant name: (identifier) @constant)

; Functions
(function_declaration name: (identifier) @function)
(trait_method name: (identifier) @function.method)
(impl_body (function_declaration name: (identifier) @function.method))
(call_expression function: (identifier) @function.call)
(call_expression function: (scoped_identifier name: (identifier) @function.call))
(call_expression function: (field_expression field: (identifier) @function.method.call))
((call_expression function: (identifier) @function.builtin)
  (#any-of? @function.builtin
    "print" "println" "eprint" "len" "typeof" "phase_of" "to_string" "to_int" "to_float"
    "assert" "assert_eq" "panic" "error" "throw" "input" "range" "iter" "bond" "unbond"
    "react" "unreact" "seed" "unseed" "grow" "track" "phases" "rewind" "pressurize"
    "depressurize" "pressure_of" "require_ext" "repr" "ok" "err"))

; Parameters and fields
(parameter name: (identifier) @variable.parameter)
(closure_parameter name: (identifier) @variable.parameter)
(field_declaration name: (identifier) @variable.member)
(field_initializer name: (identifier) @variable.member)
(shorthand_field_initializer (identifier) @variable.member)
(field_expression field: (identifier) @variable.member)
(field_expression field: (tuple_index) @number)
(field_pattern name: (identifier) @variable.member)
(map_key) @property
((identifier) @variable.builtin
  (#eq? @variable.builtin "self"))

; Literals
(integer) @number
(float) @number.float
(boolean) @boolean
(nil) @constant.builtin
(string) @string
(raw_string) @string
(string_content) @string
(escape_sequence) @string.escape
(line_comment) @comment @spell
(block_comment) @comment @spell
((line_comment) @comment.documentation
  (#match? @comment.documentation "^///"))
(wildcard_pattern) @character.special

; Phase constructs: the heart of Lattice
[
  "flux"
  "fix"
  "freeze"
  "thaw"
  "forge"
  "anneal"
  "crystallize"
  "borrow"
  "sublimate"
  "clone"
  "sublimated"
  "fluid"
  "crystal"
] @keyword.modifier

(phase_constraint ["~" "*"] @keyword.modifier)
(annotation "@" @attribute name: (identifier) @attribute)
(mode_directive) @keyword.directive

; Keywords
[
  "let"
  "struct"
  "enum"
  "trait"
  "impl"
  "test"
] @keyword.type

"fn" @keyword.function

[
  "return"
] @keyword.return

[
  "if"
  "else"
  "match"
] @keyword.conditional

[
  "for"
  "while"
  "loop"
] @keyword.repeat

(break_statement) @keyword.repeat
(continue_statement) @keyword.repeat

[
  "try"
  "catch"
  "defer"
] @keyword.exception

[
  "import"
  "from"
  "as"
] @keyword.import

(export_modifier) @keyword.modifier

[
  "scope"
  "spawn"
  "select"
  "default"
  "timeout"
] @keyword.coroutine

[
  "in"
  "where"
  "except"
  "require"
  "ensure"
] @keyword

; Operators and punctuation
[
  "+" "-" "*" "/" "%" "==" "!=" "<" ">" "<=" ">=" "&&" "||" "!" "~" "&" "|" "^" "<<" ">>"
  "=" "+=" "-=" "*=" "/=" "%=" "&=" "|=" "^=" "<<=" ">>="
  ".." "..." "->" "=>" "??" "?." "?[" "?"
] @operator

["(" ")" "[" "]" "{" "}"] @punctuation.bracket
["," "." ":" "::" ";"] @punctuation.delimiter
(closure_parameters "|" @punctuation.bracket)
(interpolation
  "${" @punctuation.special
  "}" @punctuation.special)
