// Writes syntaxes/dimap.tmLanguage.json, the TextMate grammar of .dimap files.
//   node scripts/grammar.mjs          write the grammar
//   node scripts/grammar.mjs --check  fail if the written grammar is out of date
//
// The grammar follows grammar/grammar.js and the spec's language.md. TextMate
// grammars see one line at a time, so blocks are begin/end rules:
// connection_set { connection and organization lines }, project { maps },
// map { filter, key and field mapping lines }, value_map { entries }.
//
// Filters are strings holding an X++ query range (finance and operations) or
// an OData $filter (Dataverse). Which app an alias stands for is declared in
// another file, so the language is told from the expression itself: X++ uses
// symbols (== != < > && || ! ::) and `like`, OData only words (eq, and, ...).
// Their inside gets the scope meta.embedded.expression.{xpp,odata}.dimap,
// with columns, operators, functions and literals scoped within it.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const out = path.join(root, 'syntaxes', 'dimap.tmLanguage.json');

const ID = String.raw`[A-Za-z_][A-Za-z0-9_]*`;
const DQ = String.raw`"(?:[^"\\]|\\.)*"?`;
const SQ = String.raw`'(?:[^'\\]|\\.)*'?`;
const NUMBER = String.raw`(?<![A-Za-z0-9_.])-?[0-9]+(?:\.[0-9]+)?(?![A-Za-z0-9_])`;
const DIRECTION = String.raw`><|>>|<<|=|>|<`;
const APPS = ['finance_and_operations', 'dataverse', 'sales', 'salesforce', 'sql'];
/** The end of a statement that runs to the end of its line. */
const LINE_END = String.raw`(?=$|#|\})`;
/** Marks of an X++ query range inside a filter's quotes (OData has none of them). */
const XPP_MARK = String.raw`(?:[=<>!&|]|::|\blike\b)`;

/** A string of the dimap language, with its escapes. */
function quoted(kind, quote, extra = '') {
  const name = `string.quoted.${kind}${extra}.dimap`;
  return {
    name,
    begin: quote,
    beginCaptures: { 0: { name: 'punctuation.definition.string.begin.dimap' } },
    end: `${quote}|$`,
    endCaptures: { 0: { name: 'punctuation.definition.string.end.dimap' } },
    patterns: [{ include: '#escape' }],
  };
}

/**
 * A filter string in one language with one outer quote. Literal strings of
 * the expression use the other quote; with the same quote they are escaped.
 */
function filterString(lang, outer) {
  const kind = outer === "'" ? 'single' : 'double';
  const rule = {
    name: `meta.filter.${lang}.dimap`,
    begin: lang === 'xpp' ? `${outer}(?=(?:[^${outer}\\\\]|\\\\.)*?${XPP_MARK})` : outer,
    beginCaptures: { 0: { name: `string.quoted.${kind}.dimap punctuation.definition.string.begin.dimap` } },
    end: `${outer}|$`,
    endCaptures: { 0: { name: `string.quoted.${kind}.dimap punctuation.definition.string.end.dimap` } },
    contentName: `meta.embedded.expression.${lang}.dimap`,
    patterns: [],
  };
  const literal = (q, escaped) => {
    const open = escaped ? `\\\\${q}` : q;
    return {
      name: `string.quoted.${q === "'" ? 'single' : 'double'}.${lang}.dimap`,
      begin: open,
      beginCaptures: { 0: { name: `punctuation.definition.string.begin.${lang}.dimap` } },
      // A literal left open ends where the filter does.
      // (an OData literal doubles its quote to hold one: 'O''Brien')
      end: `${open}${lang === 'odata' && !escaped ? "(?!')" : ''}|(?=(?<!\\\\)${outer})|$`,
      endCaptures: { 0: { name: `punctuation.definition.string.end.${lang}.dimap` } },
      patterns:
        lang === 'xpp'
          ? [{ name: 'constant.character.wildcard.xpp.dimap', match: String.raw`[*?]` }]
          : escaped
            ? []
            : [{ name: 'constant.character.escape.odata.dimap', match: "''" }],
    };
  };
  // X++ literals are in ", OData literals in '; in a filter quoted the same
  // way they are escaped (\" or \').
  const literalQuote = lang === 'xpp' ? '"' : "'";
  rule.patterns.push(literal(literalQuote, literalQuote === outer));
  rule.patterns.push({ include: `#${lang}-tokens` });
  rule.patterns.push({ include: '#escape' });
  return rule;
}

const grammar = {
  $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
  name: 'dimap',
  scopeName: 'source.dimap',
  fileTypes: ['dimap'],
  patterns: [
    { include: '#comment' },
    { include: '#connection-set' },
    { include: '#project' },
    { include: '#map' },
    { include: '#strings' },
    { include: '#number' },
    { include: '#braces' },
  ],
  repository: {
    // ---- lexical ---------------------------------------------------------
    comment: {
      name: 'comment.line.number-sign.dimap',
      begin: '#',
      beginCaptures: { 0: { name: 'punctuation.definition.comment.dimap' } },
      end: '$',
      patterns: [
        {
          // `#~ DIPV1010 DIMAP0001`: the findings a line of an example expects.
          match: String.raw`(?<=#)~`,
          name: 'punctuation.definition.annotation.dimap',
        },
        { match: String.raw`\b(?:DIPV|DIMAP)[0-9]{4}\b`, name: 'constant.other.finding-code.dimap' },
      ],
    },
    escape: {
      patterns: [
        { name: 'constant.character.escape.dimap', match: String.raw`\\[\\"'nt]` },
      ],
    },
    strings: {
      patterns: [quoted('double', '"'), quoted('single', "'")],
    },
    number: { name: 'constant.numeric.dimap', match: NUMBER },
    braces: {
      patterns: [
        { name: 'punctuation.section.block.begin.dimap', match: String.raw`\{` },
        { name: 'punctuation.section.block.end.dimap', match: String.raw`\}` },
      ],
    },
    value: {
      patterns: [
        { include: '#strings' },
        { name: 'constant.language.boolean.true.dimap', match: String.raw`\btrue\b` },
        { name: 'constant.language.boolean.false.dimap', match: String.raw`\bfalse\b` },
        { name: 'constant.language.null.dimap', match: String.raw`\bnull\b` },
        { include: '#number' },
        { name: 'constant.other.enum-member.dimap', match: ID },
      ],
    },

    // ---- connection sets -------------------------------------------------
    'connection-set': {
      name: 'meta.connection-set.dimap',
      begin: String.raw`\b(connection_set)\b(?:\s+(${ID}))?`,
      beginCaptures: {
        1: { name: 'keyword.other.connection-set.dimap' },
        2: { name: 'entity.name.namespace.connection-set.dimap' },
      },
      end: String.raw`\}`,
      endCaptures: { 0: { name: 'punctuation.section.block.end.dimap' } },
      patterns: [
        { include: '#comment' },
        { name: 'punctuation.section.block.begin.dimap', match: String.raw`\{` },
        { include: '#connection' },
        { include: '#organization' },
      ],
    },
    connection: {
      name: 'meta.connection.dimap',
      begin: String.raw`\b(${APPS.join('|')})\b(?:\s+(${ID}))?`,
      beginCaptures: {
        1: { name: 'support.type.app.dimap' },
        2: { name: 'variable.parameter.alias.dimap' },
      },
      end: LINE_END,
      patterns: [
        {
          name: 'string.quoted.double.environment.dimap',
          begin: '"',
          beginCaptures: { 0: { name: 'punctuation.definition.string.begin.dimap' } },
          end: '"|$',
          endCaptures: { 0: { name: 'punctuation.definition.string.end.dimap' } },
          patterns: [{ include: '#escape' }],
        },
        {
          name: 'string.quoted.single.environment.dimap',
          begin: "'",
          beginCaptures: { 0: { name: 'punctuation.definition.string.begin.dimap' } },
          end: "'|$",
          endCaptures: { 0: { name: 'punctuation.definition.string.end.dimap' } },
          patterns: [{ include: '#escape' }],
        },
      ],
    },
    organization: {
      name: 'meta.organization.dimap',
      begin: String.raw`\b(organization)\b`,
      beginCaptures: { 1: { name: 'keyword.other.organization.dimap' } },
      end: LINE_END,
      patterns: [
        { include: '#strings' },
        { name: 'keyword.operator.assignment.dimap', match: '=' },
        { name: 'variable.parameter.alias.dimap', match: ID },
      ],
    },

    // ---- projects and maps -----------------------------------------------
    project: {
      name: 'meta.project.dimap',
      begin: String.raw`\b(project)\b(?:\s+(?:(${DQ})|(${SQ})|(${ID})))?(?:\s+(?:(dual_write|data_integrator)\b|(${ID})))?(?:\s+(${ID}))?`,
      beginCaptures: {
        1: { name: 'keyword.other.project.dimap' },
        2: { name: 'string.quoted.double.dimap entity.name.section.project.dimap', patterns: [{ include: '#escape' }] },
        3: { name: 'string.quoted.single.dimap entity.name.section.project.dimap', patterns: [{ include: '#escape' }] },
        4: { name: 'entity.name.section.project.dimap' },
        5: { name: 'support.type.project-kind.dimap' },
        6: { name: 'invalid.illegal.project-kind.dimap' },
        7: { name: 'entity.name.namespace.connection-set.dimap' },
      },
      end: String.raw`\}`,
      endCaptures: { 0: { name: 'punctuation.section.block.end.dimap' } },
      patterns: [
        { include: '#comment' },
        { name: 'punctuation.section.block.begin.dimap', match: String.raw`\{` },
        { include: '#map' },
      ],
    },
    map: {
      name: 'meta.map.dimap',
      begin: String.raw`\b(map)\b(?:\s+(${ID}))?(?:\s+(${ID})\s*(\.)\s*(${ID})?)?(?:\s*(${DIRECTION}))?(?:\s*(${ID})\s*(\.)\s*(${ID})?)?`,
      beginCaptures: {
        1: { name: 'keyword.other.map.dimap' },
        2: { name: 'entity.name.function.map.dimap' },
        3: { name: 'variable.parameter.alias.dimap' },
        4: { name: 'punctuation.accessor.dimap' },
        5: { name: 'entity.name.type.entity.dimap' },
        6: { name: 'keyword.operator.direction.dimap' },
        7: { name: 'variable.parameter.alias.dimap' },
        8: { name: 'punctuation.accessor.dimap' },
        9: { name: 'entity.name.type.entity.dimap' },
      },
      end: String.raw`\}`,
      endCaptures: { 0: { name: 'punctuation.section.block.end.dimap' } },
      patterns: [
        { include: '#comment' },
        { name: 'punctuation.section.block.begin.dimap', match: String.raw`\{` },
        { include: '#filter' },
        { include: '#key' },
        { include: '#field-mapping' },
      ],
    },
    filter: {
      name: 'meta.filter-statement.dimap',
      // `filter` followed by a name; `filter = x` maps a field called filter.
      begin: String.raw`(?:^|(?<=\{))\s*(filter)\b(?=\s+[A-Za-z_"']|\s*$|\s*#)(?:\s+(${ID}))?`,
      beginCaptures: {
        1: { name: 'keyword.other.filter.dimap' },
        2: { name: 'variable.parameter.alias.dimap' },
      },
      end: LINE_END,
      patterns: [
        { include: '#filter-xpp-single' },
        { include: '#filter-xpp-double' },
        { include: '#filter-odata-single' },
        { include: '#filter-odata-double' },
      ],
    },
    'filter-xpp-single': filterString('xpp', "'"),
    'filter-xpp-double': filterString('xpp', '"'),
    'filter-odata-single': filterString('odata', "'"),
    'filter-odata-double': filterString('odata', '"'),
    key: {
      name: 'meta.key.dimap',
      // `key` followed by a path; `key = x` maps a field called key.
      begin: String.raw`(?:^|(?<=\{))\s*(key)\b(?=\s+[A-Za-z_]|\s*$|\s*#)`,
      beginCaptures: { 1: { name: 'keyword.other.key.dimap' } },
      end: LINE_END,
      patterns: [
        { name: 'punctuation.separator.comma.dimap', match: ',' },
        { include: '#path' },
      ],
    },

    // ---- field mappings --------------------------------------------------
    'field-mapping': {
      patterns: [
        { include: '#value-map' },
        { include: '#default' },
        { name: 'keyword.operator.direction.dimap', match: DIRECTION },
        { name: 'constant.language.none.dimap', match: String.raw`\bnone\b` },
        { include: '#path' },
        { include: '#strings' },
        { include: '#number' },
      ],
    },
    path: {
      patterns: [
        { name: 'punctuation.accessor.dimap', match: String.raw`\.` },
        { name: 'variable.other.property.field.dimap', match: ID },
      ],
    },
    default: {
      match: String.raw`\b(default)\b(?:\s+(?:(true|false)\b|(null)\b|(${NUMBER})|(${ID})|(${DQ})|(${SQ})))?`,
      captures: {
        1: { name: 'keyword.other.default.dimap' },
        2: { name: 'constant.language.boolean.dimap' },
        3: { name: 'constant.language.null.dimap' },
        4: { name: 'constant.numeric.dimap' },
        5: { name: 'constant.other.enum-member.dimap' },
        6: { name: 'string.quoted.double.dimap', patterns: [{ include: '#escape' }] },
        7: { name: 'string.quoted.single.dimap', patterns: [{ include: '#escape' }] },
      },
    },
    'value-map': {
      name: 'meta.value-map.dimap',
      begin: String.raw`\b(value_map)\b(?:\s*(\{))?`,
      beginCaptures: {
        1: { name: 'keyword.other.value-map.dimap' },
        2: { name: 'punctuation.section.block.begin.dimap' },
      },
      // Without its `{` on the same line, the keyword stands alone.
      end: String.raw`(?<=value_map)(?!\s*\{)|\}`,
      endCaptures: { 0: { name: 'punctuation.section.block.end.dimap' } },
      patterns: [
        { include: '#comment' },
        { name: 'keyword.operator.assignment.dimap', match: '=' },
        { name: 'punctuation.separator.comma.dimap', match: ',' },
        { include: '#value' },
      ],
    },

    // ---- filter expressions ----------------------------------------------
    'xpp-tokens': {
      patterns: [
        {
          match: String.raw`\b(${ID})\s*(::)\s*(${ID})?`,
          captures: {
            1: { name: 'entity.name.type.enum.xpp.dimap' },
            2: { name: 'punctuation.separator.scope.xpp.dimap' },
            3: { name: 'constant.other.enum-member.xpp.dimap' },
          },
        },
        { name: 'constant.other.date.xpp.dimap', match: String.raw`\b[0-9]{1,2}\\[0-9]{1,2}\\[0-9]{4}\b` },
        { name: 'constant.numeric.xpp.dimap', match: NUMBER },
        { name: 'keyword.operator.logical.xpp.dimap', match: String.raw`&&|\|\|` },
        { name: 'keyword.operator.comparison.xpp.dimap', match: String.raw`==|!=|<=|>=|<|>|=` },
        { name: 'keyword.operator.logical.not.xpp.dimap', match: '!' },
        { name: 'keyword.operator.like.xpp.dimap', match: String.raw`\blike\b` },
        { name: 'punctuation.section.parens.begin.xpp.dimap', match: String.raw`\(` },
        { name: 'punctuation.section.parens.end.xpp.dimap', match: String.raw`\)` },
        { name: 'variable.other.column.xpp.dimap', match: ID },
      ],
    },
    'odata-tokens': {
      patterns: [
        {
          match: String.raw`\b(startswith|endswith|contains|substringof|tolower|toupper|trim|length|indexof|substring|concat|year|month|day|hour|minute|second|date|time|now|round|floor|ceiling)\s*(?=\()`,
          captures: { 1: { name: 'support.function.odata.dimap' } },
        },
        { name: 'keyword.operator.comparison.odata.dimap', match: String.raw`\b(?:eq|ne|gt|ge|lt|le|has|in)\b` },
        { name: 'keyword.operator.logical.odata.dimap', match: String.raw`\b(?:and|or|not)\b` },
        { name: 'keyword.operator.arithmetic.odata.dimap', match: String.raw`\b(?:add|sub|mul|div|mod)\b` },
        { name: 'constant.language.boolean.odata.dimap', match: String.raw`\b(?:true|false)\b` },
        { name: 'constant.language.null.odata.dimap', match: String.raw`\bnull\b` },
        {
          name: 'constant.other.guid.odata.dimap',
          match: String.raw`\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b`,
        },
        {
          name: 'constant.other.date.odata.dimap',
          match: String.raw`\b[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:[0-9]{2})?)?(?![A-Za-z0-9_])`,
        },
        { name: 'constant.numeric.odata.dimap', match: NUMBER },
        { name: 'punctuation.section.parens.begin.odata.dimap', match: String.raw`\(` },
        { name: 'punctuation.section.parens.end.odata.dimap', match: String.raw`\)` },
        { name: 'punctuation.separator.comma.odata.dimap', match: ',' },
        { name: 'punctuation.separator.path.odata.dimap', match: '/' },
        { name: 'variable.other.column.odata.dimap', match: ID },
      ],
    },
  },
};

const text = `${JSON.stringify(grammar, null, 2)}\n`;
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(out, 'utf8');
  } catch {
    // missing: out of date
  }
  if (current !== text) {
    console.error(`${path.relative(process.cwd(), out)} is out of date: run node scripts/grammar.mjs`);
    process.exit(1);
  }
  console.log('grammar up to date');
} else {
  writeFileSync(out, text);
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}
