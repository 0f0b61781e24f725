/**
 * @file The .dimap table-map language of dual-write and Data Integrator.
 * @license MIT
 *
 * Newlines are tokens, not whitespace: a field mapping ends at the end of
 * its line (unless a `{ ... }` block is open), so that a broken line is one
 * error on that line and the next line parses normally.
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

const APPS = ['finance_and_operations', 'dataverse', 'sales', 'salesforce', 'sql'];

/**
 * A block of statements, one per line; the last may share its line with `}`.
 * The `{` may stand on the line after its header.
 *
 * @param {GrammarSymbols<string>} $
 * @param {RuleOrLiteral} statement
 */
function lineBlock($, statement) {
  return seq(
    repeat($._newline),
    '{',
    repeat(choice($._newline, seq(statement, $._newline))),
    optional(statement),
    '}',
  );
}

module.exports = grammar({
  name: 'dimap',

  word: $ => $.identifier,

  extras: $ => [/[ \t\f\r\uFEFF\u00A0]/, $.comment],


  rules: {
    source_file: $ => repeat(choice($._newline, $._item)),

    _item: $ => choice($.connection_set, $.project),

    _newline: _ => /\n/,

    comment: _ => token(seq('#', /[^\r\n]*/)),

    // ---- connection sets -------------------------------------------------

    connection_set: $ => seq(
      'connection_set',
      field('name', $.identifier),
      field('body', $.connection_set_body),
    ),

    connection_set_body: $ => lineBlock($, choice($.connection, $.organization)),

    connection: $ => seq(
      field('app', $.app),
      field('alias', $.identifier),
      optional(field('environment', $.string)),
    ),

    app: _ => choice(...APPS),

    organization: $ => seq(
      'organization',
      field('left', $.organization_ref),
      '=',
      field('right', $.organization_ref),
    ),

    organization_ref: $ => seq(field('alias', $.identifier), field('name', $.string)),

    // ---- projects and maps -----------------------------------------------

    project: $ => seq(
      'project',
      field('name', choice($.string, $.identifier)),
      field('kind', $.project_kind),
      field('connection_set', $.identifier),
      field('body', $.project_body),
    ),

    project_kind: _ => choice('dual_write', 'data_integrator'),

    project_body: $ => seq(repeat($._newline), '{', repeat(choice($._newline, $.map)), '}'),

    map: $ => seq(
      'map',
      field('name', $.identifier),
      field('left', $.entity_ref),
      field('direction', $.direction),
      field('right', $.entity_ref),
      field('body', $.map_body),
    ),

    entity_ref: $ => seq(field('alias', $.identifier), '.', field('entity', $.identifier)),

    map_body: $ => lineBlock($, choice($.filter, $.key, $.field_mapping)),

    filter: $ => seq('filter', field('alias', $.identifier), field('expression', $.string)),

    key: $ => seq('key', sep1(field('field', $.path), ',')),

    // ---- field mappings --------------------------------------------------

    field_mapping: $ => seq(
      field('left', choice($.path, $.none)),
      field('direction', $.direction),
      field('right', choice($.path, $.none)),
      repeat(field('transform', choice($.default, $.value_map))),
    ),

    direction: _ => choice('=', '>', '<', '><', '>>', '<<'),

    none: _ => 'none',

    // A path's first segment may be a word that is a keyword elsewhere:
    // a field may be called `key` or `filter`.
    path: $ => seq(
      field('segment', choice($.identifier, alias('key', $.identifier), alias('filter', $.identifier))),
      repeat(seq('.', field('segment', $.identifier))),
    ),

    default: $ => seq('default', field('value', $._value)),

    value_map: $ => seq(
      'value_map',
      '{',
      repeat(choice(',', $._newline)),
      optional(seq(
        $.value_map_entry,
        repeat(seq(repeat1(choice(',', $._newline)), $.value_map_entry)),
        repeat(choice(',', $._newline)),
      )),
      '}',
    ),

    value_map_entry: $ => seq(field('left', $._value), '=', field('right', $._value)),

    // ---- values ----------------------------------------------------------

    _value: $ => choice($.identifier, $.number, $.string, $.true, $.false, $.null),

    identifier: _ => /[A-Za-z_][A-Za-z0-9_]*/,

    number: _ => /-?[0-9]+(\.[0-9]+)?/,

    string: _ => choice(
      token(seq('"', repeat(choice(/[^"\\\r\n]/, /\\[^\r\n]/)), '"')),
      token(seq("'", repeat(choice(/[^'\\\r\n]/, /\\[^\r\n]/)), "'")),
    ),

    true: _ => 'true',
    false: _ => 'false',
    null: _ => 'null',
  },
});

/**
 * One or more `rule`, separated by `separator`.
 *
 * @param {RuleOrLiteral} rule
 * @param {RuleOrLiteral} separator
 */
function sep1(rule, separator) {
  return seq(rule, repeat(seq(separator, rule)));
}
