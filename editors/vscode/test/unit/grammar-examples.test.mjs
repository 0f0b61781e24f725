// The TextMate grammar on the project's real examples: every map header,
// filter, field line and annotation gets its scopes, the language of each
// filter follows its side's app, and every file closes all its blocks.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const ext = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const repo = path.resolve(ext, '../..');

async function loadGrammar() {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () =>
      vsctm.parseRawGrammar(readFileSync(path.join(ext, 'syntaxes', 'dimap.tmLanguage.json'), 'utf8'), 'dimap.tmLanguage.json'),
  });
  return registry.loadGrammar('source.dimap');
}

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return files(full);
    return name.endsWith('.dimap') ? [full] : [];
  });
}

/** Each line of `file` with its tokens: { text, scopes } a token. */
function tokenize(grammar, text) {
  let state = vsctm.INITIAL;
  const lines = text.split('\n').map((line) => {
    const { tokens, ruleStack } = grammar.tokenizeLine(line, state);
    state = ruleStack;
    return { line, tokens: tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes })) };
  });
  // A comment after the last line must be a top-level one: every block closed.
  const after = grammar.tokenizeLine('# end', state).tokens[0].scopes;
  return { lines, closed: after.length === 3 && after[1] === 'comment.line.number-sign.dimap' };
}

const has = (token, scope) => token.scopes.some((s) => s === scope || s.startsWith(`${scope}.`));

const examples = [...files(path.join(repo, 'examples', 'contoso')), ...files(path.join(repo, 'examples', 'broken'))];
const grammar = await loadGrammar();

test('the examples are there', () => {
  assert.ok(examples.length >= 8, `found ${examples.length} example files`);
});

for (const file of examples) {
  const name = path.relative(repo, file);
  const clean = name.includes(`${path.sep}contoso${path.sep}`);
  const text = readFileSync(file, 'utf8');

  test(`grammar on ${name}`, () => {
    const { lines, closed } = tokenize(grammar, text);
    // syntax.dimap is broken on purpose, but its blocks still close.
    assert.ok(closed, 'a block is left open at the end of the file');

    for (const [i, { line, tokens }] of lines.entries()) {
      const where = `${name}:${i + 1}: ${line.trim()}`;
      const find = (t) => tokens.find((tok) => tok.text === t);

      if (clean) {
        assert.ok(!tokens.some((t) => has(t, 'invalid')), `invalid scope at ${where}`);
      }

      const header = /^\s*map\s+(\w+)\s+(\w+)\.(\w+)\s+\S+\s+(\w+)\.(\w+)/.exec(line);
      if (header) {
        assert.ok(has(find(header[1]), 'entity.name.function.map'), `map name at ${where}`);
        assert.ok(has(find(header[3]), 'entity.name.type.entity'), `left entity at ${where}`);
        assert.ok(has(find(header[5]), 'entity.name.type.entity'), `right entity at ${where}`);
        assert.ok(has(find(header[2]), 'variable.parameter.alias'), `left alias at ${where}`);
      }

      const filter = /^\s*filter\s+(\w+)\s+(["'])/.exec(line);
      if (filter) {
        // In the examples, fo is finance and operations (X++); dv and crm are Dataverse (OData).
        const lang = filter[1] === 'fo' ? 'xpp' : 'odata';
        const inner = tokens.filter((t) => has(t, `meta.embedded.expression.${lang}`));
        assert.ok(inner.length > 0, `no ${lang} expression in ${where}`);
        assert.ok(inner.some((t) => has(t, 'variable.other.column')), `no column in ${where}`);
        assert.ok(inner.some((t) => has(t, 'keyword.operator') || has(t, 'support.function')), `no operator in ${where}`);
      }

      const mapping = /^\s*(\w+)\s+(><|>>|<<|=|>|<)\s+(\w+)/.exec(line);
      if (mapping && !/^\s*(map|project|organization)\b/.test(line)) {
        const left = tokens.find((t) => t.text === mapping[1]);
        const direction = tokens.find((t) => t.text === mapping[2]);
        if (has(left, 'meta.value-map')) {
          // An entry of a value map spread over lines: `No = 192350000, ...`
          assert.ok(has(left, 'constant.other.enum-member'), `value-map entry of ${where}`);
          assert.ok(has(direction, 'keyword.operator.assignment'), `= of ${where}`);
        } else {
          assert.ok(
            mapping[1] === 'none' ? has(left, 'constant.language.none') : has(left, 'variable.other.property.field'),
            `left side of ${where}`,
          );
          assert.ok(has(direction, 'keyword.operator.direction'), `direction of ${where}`);
        }
      }

      const annotation = /#~((?:\s+[A-Z]+\d{4})+)/.exec(line);
      if (annotation) {
        for (const code of annotation[1].trim().split(/\s+/)) {
          assert.ok(has(find(code), 'constant.other.finding-code'), `${code} in ${where}`);
        }
      }

      for (const word of ['default', 'value_map']) {
        const token = tokens.find((t) => t.text === word && !has(t, 'comment'));
        if (token) assert.ok(has(token, `keyword.other.${word.replace('_', '-')}`), `${word} in ${where}`);
      }
    }
  });
}
