/**
 * @file Tree-sitter grammar for Lattice
 * @license BSD-3-Clause
 *
 * Follows the compiler's parser (compiler/src/syntax/parser): no semicolons and no
 * significant newlines, so a statement ends where its grammar ends and every operator or
 * postfix that can continue an expression does (the conflicts below are resolved towards
 * the longer parse, as the compiler's greedy parser does). Where the compiler looks
 * further ahead than one token (`Name {` as a struct literal or an expression followed by
 * a block, `{}` as a map or a block) the parser forks (GLR) and keeps the parse that
 * succeeds.
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

const PREC = {
  closure: -1,
  nil_coalesce: 1,
  or: 2,
  and: 3,
  bit_or: 4,
  bit_xor: 5,
  bit_and: 6,
  equality: 7,
  comparison: 8,
  shift: 9,
  range: 10,
  additive: 11,
  multiplicative: 12,
  unary: 13,
  postfix: 14,
};

const ASSIGNMENT_OPERATORS = ['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>='];

/**
 * @param {RuleOrLiteral} rule
 * @param {RuleOrLiteral} separator
 */
function sepBy1(rule, separator) {
  return seq(rule, repeat(seq(separator, rule)));
}

/**
 * Comma-separated, trailing comma allowed.
 * @param {RuleOrLiteral} rule
 */
function commaSep(rule) {
  return optional(seq(sepBy1(rule, ','), optional(',')));
}

/**
 * @param {RuleOrLiteral} rule
 */
function commaSep1(rule) {
  return seq(sepBy1(rule, ','), optional(','));
}

module.exports = grammar({
  name: 'lattice',

  word: $ => $.identifier,

  extras: $ => [/\s/, $.line_comment, $.block_comment],

  supertypes: $ => [$._expression, $._statement, $._pattern, $._type],

  inline: $ => [$._name, $._item],

  conflicts: $ => [
    // `Name {`: a struct literal, or a name followed by a block (`if x == Y { ... }`).
    [$._expression, $.struct_literal],
    [$._primary_expression, $.struct_literal],
  ],

  rules: {
    source_file: $ => seq(
      optional($.mode_directive),
      repeat(choice($._item, ';')),
    ),

    mode_directive: $ => seq(token(prec(1, '#mode')), field('mode', choice('strict', 'casual'))),

    _item: $ => choice(
      $.function_declaration,
      $.struct_declaration,
      $.enum_declaration,
      $.trait_declaration,
      $.impl_block,
      $.test_declaration,
      $._statement,
    ),

    // ---- declarations ----

    _modifiers: $ => repeat1(choice($.export_modifier, $.annotation)),

    export_modifier: _ => 'export',

    annotation: $ => seq('@', field('name', $.identifier)),

    function_declaration: $ => seq(
      optional($._modifiers),
      'fn',
      field('name', $.identifier),
      optional(field('type_parameters', $.type_parameters)),
      field('parameters', $.parameters),
      optional(seq('->', field('return_type', $._type))),
      repeat($.contract),
      field('body', $.block),
    ),

    type_parameters: $ => seq('<', commaSep($.identifier), '>'),

    parameters: $ => seq('(', commaSep($.parameter), ')'),

    parameter: $ => seq(
      optional(field('variadic', '...')),
      field('name', $.identifier),
      optional(seq(':', field('type', $._type))),
      optional(seq('=', field('default', $._expression))),
    ),

    contract: $ => prec.right(seq(
      field('kind', choice('require', 'ensure')),
      field('condition', $._expression),
      optional(seq(',', field('message', $._expression))),
    )),

    struct_declaration: $ => seq(
      optional($._modifiers),
      'struct',
      field('name', $.identifier),
      optional(field('type_parameters', $.type_parameters)),
      field('body', $.field_declaration_list),
    ),

    field_declaration_list: $ => seq('{', repeat($.field_declaration), '}'),

    field_declaration: $ => seq(
      field('name', $.identifier),
      optional(seq(':', field('type', $._type))),
      optional(','),
    ),

    enum_declaration: $ => seq(
      optional($._modifiers),
      'enum',
      field('name', $.identifier),
      optional(field('type_parameters', $.type_parameters)),
      field('body', $.enum_variant_list),
    ),

    enum_variant_list: $ => seq('{', repeat($.enum_variant), '}'),

    enum_variant: $ => seq(
      field('name', $.identifier),
      optional(seq('(', commaSep($._type), ')')),
      optional(','),
    ),

    trait_declaration: $ => seq(
      optional($._modifiers),
      'trait',
      field('name', $.identifier),
      field('body', $.trait_body),
    ),

    trait_body: $ => seq('{', repeat(choice($.trait_method, ';', ',')), '}'),

    trait_method: $ => prec.right(seq(
      'fn',
      field('name', $.identifier),
      field('parameters', $.parameters),
      optional(seq('->', field('return_type', $._type))),
      optional(field('body', $.block)),
    )),

    impl_block: $ => seq(
      'impl',
      field('trait', $.identifier),
      optional(seq('for', field('type', $.identifier))),
      field('body', $.impl_body),
    ),

    impl_body: $ => seq('{', repeat(choice($.function_declaration, ';')), '}'),

    test_declaration: $ => seq('test', field('name', $.string), field('body', $.block)),

    // ---- types ----

    _type: $ => choice(
      $.type_identifier,
      $.generic_type,
      $.array_type,
      $.function_type,
      $.phase_type,
    ),

    type_identifier: $ => $.identifier,

    generic_type: $ => seq(
      field('name', $.identifier),
      field('arguments', seq('<', sepBy1($._type, ','), '>')),
    ),

    array_type: $ => seq('[', field('element', $._type), ']'),

    function_type: $ => prec.right(choice(
      seq('fn', $.type_list, optional(seq('->', field('return_type', $._type)))),
      seq('Fn', optional(seq($.type_list, optional(seq('->', field('return_type', $._type)))))),
    )),

    type_list: $ => seq('(', commaSep($._type), ')'),

    phase_type: $ => prec.right(seq(
      field('phase', $.phase_constraint),
      optional(field('type', choice($.type_identifier, $.generic_type, $.array_type, $.function_type))),
    )),

    phase_constraint: $ => choice(
      $._phase_word,
      seq('(', sepBy1($._phase_word, '|'), ')'),
    ),

    _phase_word: _ => choice('flux', 'fix', '~', '*', 'sublimated'),

    // ---- statements ----

    _statement: $ => choice(
      $.let_declaration,
      $.return_statement,
      $.break_statement,
      $.continue_statement,
      $.for_statement,
      $.while_statement,
      $.loop_statement,
      $.defer_statement,
      $.import_statement,
      $.assignment_statement,
      $.expression_statement,
    ),

    let_declaration: $ => seq(
      optional($._modifiers),
      field('kind', choice('let', 'flux', 'fix')),
      field('pattern', $._bind_target),
      optional(seq(':', field('type', $._type))),
      '=',
      field('value', $._expression),
    ),

    _bind_target: $ => choice($.identifier, $.array_binding, $.struct_binding),

    array_binding: $ => seq(
      '[',
      optional(choice(
        seq(sepBy1($.identifier, ','), optional(seq(',', optional($.rest_binding))), optional(',')),
        seq($.rest_binding, optional(',')),
      )),
      ']',
    ),

    rest_binding: $ => seq('...', field('name', $.identifier)),

    struct_binding: $ => seq('{', commaSep($.identifier), '}'),

    return_statement: $ => prec.right(seq('return', optional(field('value', $._expression)))),

    break_statement: _ => 'break',

    continue_statement: _ => 'continue',

    for_statement: $ => seq(
      'for',
      field('pattern', $._bind_target),
      'in',
      field('value', $._expression),
      field('body', $.block),
    ),

    while_statement: $ => seq('while', field('condition', $._expression), field('body', $.block)),

    loop_statement: $ => seq('loop', field('body', $.block)),

    defer_statement: $ => seq('defer', field('body', $.block)),

    import_statement: $ => seq(
      'import',
      choice(
        seq(field('path', $.string), optional(seq('as', field('alias', $.identifier)))),
        seq(
          '{',
          repeat(seq(field('name', $.identifier), optional(','))),
          '}',
          'from',
          field('path', $.string),
        ),
      ),
    ),

    assignment_statement: $ => prec.right(seq(
      field('left', $._expression),
      field('operator', choice(...ASSIGNMENT_OPERATORS)),
      field('right', $._expression),
    )),

    expression_statement: $ => $._expression,

    block: $ => seq('{', repeat(choice($._item, ';')), '}'),

    // ---- expressions ----

    _expression: $ => choice(
      $.identifier,
      $.binary_expression,
      $.range_expression,
      $.unary_expression,
      $.closure_expression,
      $._primary_expression,
    ),

    _primary_expression: $ => choice(
      $.integer,
      $.float,
      $.boolean,
      $.nil,
      $.string,
      $.raw_string,
      $.parenthesized_expression,
      $.unit,
      $.tuple_expression,
      $.array_expression,
      $.map_literal,
      $.block,
      $.struct_literal,
      $.scoped_identifier,
      $.call_expression,
      $.index_expression,
      $.field_expression,
      $.try_expression,
      $.function_expression,
      $.if_expression,
      $.match_expression,
      $.try_catch_expression,
      $.freeze_expression,
      $.thaw_expression,
      $.clone_expression,
      $.sublimate_expression,
      $.anneal_expression,
      $.crystallize_expression,
      $.borrow_expression,
      $.forge_expression,
      $.scope_expression,
      $.spawn_expression,
      $.select_expression,
    ),

    binary_expression: $ => {
      const table = [
        [PREC.nil_coalesce, '??'],
        [PREC.or, '||'],
        [PREC.and, '&&'],
        [PREC.bit_or, '|'],
        [PREC.bit_xor, '^'],
        [PREC.bit_and, '&'],
        [PREC.equality, choice('==', '!=')],
        [PREC.comparison, choice('<', '>', '<=', '>=')],
        [PREC.shift, choice('<<', '>>')],
        [PREC.additive, choice('+', '-')],
        [PREC.multiplicative, choice('*', '/', '%')],
      ];
      return choice(...table.map(([precedence, operator]) => prec.left(/** @type {number} */ (precedence), seq(
        field('left', $._expression),
        // @ts-ignore
        field('operator', operator),
        field('right', $._expression),
      ))));
    },

    range_expression: $ => prec.left(PREC.range, seq(
      field('start', $._expression),
      '..',
      field('end', $._expression),
    )),

    unary_expression: $ => prec(PREC.unary, seq(
      field('operator', choice('-', '!', '~')),
      field('operand', $._expression),
    )),

    call_expression: $ => prec(PREC.postfix, seq(
      field('function', $._expression),
      field('arguments', $.arguments),
    )),

    arguments: $ => seq('(', commaSep(choice($._expression, $.spread_element)), ')'),

    spread_element: $ => seq('...', $._expression),

    index_expression: $ => prec(PREC.postfix, seq(
      field('value', $._expression),
      choice('[', '?['),
      field('index', $._expression),
      ']',
    )),

    field_expression: $ => prec(PREC.postfix, seq(
      field('value', $._expression),
      choice('.', '?.'),
      field('field', choice($.identifier, alias($.integer, $.tuple_index), alias($.float, $.tuple_index))),
    )),

    scoped_identifier: $ => prec(PREC.postfix, seq(
      field('path', choice($.identifier, $.field_expression)),
      '::',
      field('name', $.identifier),
    )),

    try_expression: $ => prec(PREC.postfix, seq($._expression, '?')),

    parenthesized_expression: $ => seq('(', $._expression, ')'),

    unit: _ => seq('(', ')'),

    tuple_expression: $ => seq(
      '(',
      $._expression,
      ',',
      optional(seq(sepBy1($._expression, ','), optional(','))),
      ')',
    ),

    array_expression: $ => seq('[', commaSep(choice($._expression, $.spread_element)), ']'),

    map_literal: $ => prec(1, seq('{', commaSep($.map_entry), '}')),

    map_entry: $ => seq(
      field('key', choice(alias($.identifier, $.map_key), $.string)),
      ':',
      field('value', $._expression),
    ),

    // `Name { x: 1, y }`: the braces hold nothing, or begin with `name:` or `name,`, as
    // the compiler requires (so `if x == Y { z }` stays a condition and a block).
    struct_literal: $ => seq(
      field('name', choice($.identifier, $.field_expression)),
      field('body', $.field_initializer_list),
    ),

    field_initializer_list: $ => seq(
      '{',
      optional(choice(
        seq($.field_initializer, repeat(seq(',', $._field_init)), optional(',')),
        seq($.shorthand_field_initializer, ',', optional(seq(sepBy1($._field_init, ','), optional(','))))),
      ),
      '}',
    ),

    _field_init: $ => choice($.field_initializer, $.shorthand_field_initializer),

    field_initializer: $ => seq(field('name', $.identifier), ':', field('value', $._expression)),

    shorthand_field_initializer: $ => field('name', $.identifier),

    closure_expression: $ => prec.right(PREC.closure, seq(
      field('parameters', $.closure_parameters),
      field('body', choice($.block, $._expression)),
    )),

    closure_parameters: $ => choice(
      '||',
      seq('|', commaSep($.closure_parameter), '|'),
    ),

    closure_parameter: $ => prec(PREC.postfix + 1, seq(
      optional(field('variadic', '...')),
      field('name', $.identifier),
      optional(seq(':', field('type', $._type))),
      optional(seq('=', field('default', choice(
        $.identifier,
        $.integer,
        $.float,
        $.boolean,
        $.nil,
        $.string,
        $.raw_string,
        $.parenthesized_expression,
        $.unit,
        $.tuple_expression,
        $.array_expression,
        $.scoped_identifier,
      )))),
    )),

    function_expression: $ => seq(
      'fn',
      field('parameters', $.parameters),
      optional(seq('->', field('return_type', $._type))),
      field('body', $.block),
    ),

    if_expression: $ => prec.right(seq(
      'if',
      field('condition', $._expression),
      field('consequence', $.block),
      optional(field('alternative', $.else_clause)),
    )),

    else_clause: $ => seq('else', choice($.block, $.if_expression)),

    match_expression: $ => seq(
      'match',
      field('value', $._expression),
      field('body', $.match_block),
    ),

    match_block: $ => seq('{', repeat($.match_arm), '}'),

    match_arm: $ => seq(
      field('pattern', $._pattern),
      optional(seq('if', field('guard', $._expression))),
      '=>',
      field('value', $._expression),
      optional(','),
    ),

    try_catch_expression: $ => seq(
      'try',
      field('body', $.block),
      'catch',
      optional(field('error', $.identifier)),
      field('handler', $.block),
    ),

    // ---- phase constructs ----

    freeze_expression: $ => prec.right(seq(
      'freeze',
      '(', field('target', $._expression), ')',
      optional(seq('where', field('contract', $._expression))),
      optional(field('except', $.except_clause)),
    )),

    except_clause: $ => seq('except', '[', commaSep($._expression), ']'),

    thaw_expression: $ => seq('thaw', '(', field('target', $._expression), ')'),

    clone_expression: $ => seq('clone', '(', field('target', $._expression), ')'),

    sublimate_expression: $ => seq('sublimate', '(', field('target', $._expression), ')'),

    anneal_expression: $ => seq(
      'anneal',
      '(', field('target', $._expression), ')',
      field('transform', $.closure_expression),
    ),

    crystallize_expression: $ => seq(
      'crystallize',
      '(', field('target', $._expression), ')',
      field('body', $.block),
    ),

    borrow_expression: $ => seq('borrow', '(', field('target', $._expression), ')', field('body', $.block)),

    forge_expression: $ => seq('forge', field('body', $.block)),

    scope_expression: $ => seq('scope', field('body', $.block)),

    spawn_expression: $ => seq('spawn', field('body', $.block)),

    select_expression: $ => seq('select', '{', repeat($.select_arm), '}'),

    select_arm: $ => seq(
      choice(
        seq(optional(field('binding', $.identifier)), 'from', field('channel', $._expression)),
        'default',
        seq('timeout', '(', field('timeout', $._expression), ')'),
      ),
      '=>',
      field('body', $.block),
      optional(','),
    ),

    // ---- patterns ----

    _pattern: $ => choice(
      $.phase_pattern,
      $._plain_pattern,
    ),

    phase_pattern: $ => seq(field('phase', choice('fluid', 'crystal')), field('pattern', $._plain_pattern)),

    _plain_pattern: $ => choice(
      $.literal_pattern,
      $.range_pattern,
      $.variant_pattern,
      $.identifier,
      $.wildcard_pattern,
      $.array_pattern,
      $.struct_pattern,
    ),

    literal_pattern: $ => choice(
      $.integer,
      $.float,
      $.string,
      $.raw_string,
      $.boolean,
      $.nil,
      seq('-', choice($.integer, $.float)),
    ),

    range_pattern: $ => prec.right(seq(
      field('start', choice($.literal_pattern, $.identifier)),
      '..',
      field('end', $._expression),
    )),

    variant_pattern: $ => seq(
      field('enum', $.identifier),
      '::',
      field('variant', $.identifier),
      optional(seq('(', commaSep($._pattern), ')')),
    ),

    wildcard_pattern: _ => '_',

    array_pattern: $ => seq('[', commaSep(choice($._pattern, $.rest_pattern)), ']'),

    rest_pattern: $ => seq('...', optional(field('name', choice($.identifier, '_')))),

    struct_pattern: $ => seq('{', commaSep1($.field_pattern), '}'),

    field_pattern: $ => seq(field('name', $.identifier), optional(seq(':', field('pattern', $._pattern)))),

    // ---- literals and tokens ----

    _name: $ => $.identifier,

    identifier: _ => /[A-Za-z_][A-Za-z0-9_]*/,

    integer: _ => token(choice(/[0-9][0-9_]*/, /0[xX][0-9a-fA-F_]+/)),

    float: _ => token(choice(
      /[0-9][0-9_]*\.[0-9][0-9_]*([eE][+-]?[0-9_]+)?/,
      /[0-9][0-9_]*[eE][+-]?[0-9_]+/,
    )),

    boolean: _ => choice('true', 'false'),

    nil: _ => 'nil',

    string: $ => choice(
      seq(
        '"',
        repeat(choice(
          $.string_content,
          $.escape_sequence,
          $.interpolation,
          alias(token.immediate('$'), $.string_content),
        )),
        token.immediate('"'),
      ),
      seq(
        '"""',
        repeat(choice(
          alias($._triple_content, $.string_content),
          $.escape_sequence,
          $.interpolation,
          alias(token.immediate('$'), $.string_content),
          alias(token.immediate(choice('"', '""')), $.string_content),
        )),
        token.immediate('"""'),
      ),
    ),

    string_content: _ => token.immediate(prec(1, /[^"\\$]+/)),

    _triple_content: _ => token.immediate(prec(1, /[^"\\$]+/)),

    escape_sequence: _ => token.immediate(seq(
      '\\',
      choice(/u\{[0-9a-fA-F]*\}/, /x[0-9a-fA-F]{2}/, /[\s\S]/),
    )),

    interpolation: $ => seq(token.immediate('${'), $._expression, '}'),

    raw_string: _ => token(seq("'", repeat(choice(/[^'\\]/, /\\[\s\S]/)), "'")),

    line_comment: _ => token(seq('//', /[^\n]*/)),

    block_comment: _ => token(seq('/*', /[^*]*\*+([^/*][^*]*\*+)*/, '/')),
  },
});
