; Foldable regions.
[
  (block)
  (function_declaration)
  (struct_declaration)
  (enum_declaration)
  (trait_declaration)
  (impl_block)
  (test_declaration)
  (match_block)
  (select_expression)
  (map_literal)
  (array_expression)
  (arguments)
  (parameters)
  (field_initializer_list)
  (import_statement)
  (block_comment)
] @fold
