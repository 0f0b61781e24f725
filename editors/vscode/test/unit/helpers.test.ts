// Unit tests of the extension's plain logic, under node:test.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatOf, guessEnvironment, importArgs, validateEnvironment } from '../../src/importSchema';
import { withoutTokenType } from '../../src/semanticTokens';
import { canUpdateInPlace, serverSettings } from '../../src/settings';
import { isStatusParams } from '../../src/status';
import { settings } from './vscode-stub';

/** Absolute tokens [line, start, length, type] to the protocol's relative encoding. */
function encode(tokens: number[][]): Uint32Array {
  const out: number[] = [];
  let line = 0;
  let start = 0;
  for (const [l, s, len, type] of tokens) {
    out.push(l - line, l === line ? s - start : s, len, type, 0);
    line = l;
    start = s;
  }
  return Uint32Array.from(out);
}

test('string tokens are dropped and the rest re-encoded relative to what is kept', () => {
  const STRING = 9;
  const all = [
    [0, 0, 6, 1], // filter
    [0, 7, 2, 6], // fo
    [0, 10, 30, STRING], // '...'
    [1, 4, 3, 7],
    [1, 8, 1, 8],
    [1, 10, 5, STRING],
    [1, 16, 7, 1],
    [3, 2, 5, STRING],
    [4, 0, 1, 0],
  ];
  const kept = all.filter((t) => t[3] !== STRING);
  assert.deepEqual([...withoutTokenType(encode(all), STRING)], [...encode(kept)]);
  assert.deepEqual([...withoutTokenType(new Uint32Array(), STRING)], []);
  assert.deepEqual([...withoutTokenType(encode([[2, 3, 4, STRING]]), STRING)], []);
});

test('schema import: format from the extension, environment from the file name', () => {
  assert.equal(formatOf('/x/metadata.xml'), 'csdl');
  assert.equal(formatOf('C:\\x\\prod.EDMX'), 'csdl');
  assert.equal(formatOf('/x/definitions.json'), 'entitydefinitions');
  assert.equal(formatOf('/x/definitions.txt'), undefined);
  assert.equal(guessEnvironment('/x/contoso-prod.xml'), 'contoso-prod');
  assert.equal(guessEnvironment('/x/contoso-sales.metadata.xml'), 'contoso-sales');
  assert.equal(guessEnvironment('/x/$metadata.xml'), '');
  assert.equal(guessEnvironment('/x/EntityDefinitions.json'), '');
  assert.equal(validateEnvironment('contoso-prod'), undefined);
  assert.match(validateEnvironment('  ') ?? '', /Name the environment/);
  assert.match(validateEnvironment('a/b') ?? '', /file name/);
  assert.match(validateEnvironment('.hidden') ?? '', /file name/);
  assert.deepEqual(
    importArgs({ folder: '/w', file: '/m/prod.xml', from: 'csdl', environment: 'contoso-prod', app: 'finance_and_operations' }),
    ['schema', 'import', '--from', 'csdl', '/m/prod.xml', '--environment', 'contoso-prod', '--app', 'finance_and_operations'],
  );
});

test('server settings leave out what is not set, and keep the shape of cli.md', () => {
  for (const key of Object.keys(settings)) delete settings[key];
  assert.deepEqual(serverSettings(), { diagnostics: { severity: {} } });

  settings['dimap.schemas'] = ' caches/ ';
  settings['dimap.diagnostics.debounceMs'] = 120.4;
  settings['dimap.diagnostics.severity'] = { DIMAP0009: 'off', dipv1031: 'warning', DIPV1010: 'loud' };
  settings['dimap.server.path'] = '/opt/dimap';
  assert.deepEqual(serverSettings(), {
    schemas: 'caches/',
    diagnostics: { debounceMs: 120, severity: { DIMAP0009: 'off', DIPV1031: 'warning' } },
  });

  settings['dimap.diagnostics.debounceMs'] = -5;
  settings['dimap.schemas'] = '';
  assert.deepEqual(serverSettings().diagnostics.debounceMs, undefined);
  assert.equal(serverSettings().schemas, undefined);
});

test('settings that only add can go to a running server; taking one away restarts it', () => {
  const base = { schemas: 'a', diagnostics: { debounceMs: 50, severity: { DIMAP0009: 'off' as const } } };
  assert.ok(canUpdateInPlace(base, { ...base, schemas: 'b' }));
  assert.ok(canUpdateInPlace(base, { ...base, diagnostics: { debounceMs: 0, severity: { DIMAP0009: 'hint', DIPV1031: 'warning' } } }));
  assert.ok(!canUpdateInPlace(base, { diagnostics: base.diagnostics }));
  assert.ok(!canUpdateInPlace(base, { ...base, diagnostics: { debounceMs: 50, severity: {} } }));
  assert.ok(!canUpdateInPlace(base, { ...base, diagnostics: { severity: base.diagnostics.severity } }));
});

test('dimap/status parameters are checked before the status bar shows them', () => {
  assert.ok(isStatusParams({ state: 'ready', environments: 3, maps: 34 }));
  assert.ok(isStatusParams({ state: 'error', environments: 0, maps: 0, message: 'dimap.toml: bad' }));
  assert.ok(!isStatusParams({ state: 'done', environments: 3, maps: 34 }));
  assert.ok(!isStatusParams({ state: 'ready', environments: '3', maps: 34 }));
  assert.ok(!isStatusParams(null));
});
