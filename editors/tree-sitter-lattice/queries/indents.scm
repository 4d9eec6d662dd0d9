; Indentation (nvim-treesitter captures): `lat fmt` indents 4 spaces inside every bracket.
[
  (block)
  (field_declaration_list)
  (enum_variant_list)
  (trait_body)
  (impl_body)
  (match_block)
  (select_expression)
  (map_literal)
  (array_expression)
  (arguments)
  (parameters)
  (field_initializer_list)
  (tuple_expression)
  (parenthesized_expression)
  (array_pattern)
  (struct_pattern)
] @indent.begin

[
  "}"
  "]"
  ")"
] @indent.branch @indent.end

[
  (line_comment)
  (block_comment)
  (string)
  (raw_string)
] @indent.auto

(string) @indent.ignore
