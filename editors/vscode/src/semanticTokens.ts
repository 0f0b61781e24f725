// The server's semantic tokens paint every string, filters included, as one
// string. The TextMate grammar already colours strings and, inside a filter,
// its columns, operators and literals: so string tokens are dropped here and
// the grammar's finer scopes show through.

import * as vscode from 'vscode';

/**
 * `data` (the protocol's relative encoding, five numbers a token) without the
 * tokens of type `drop`, re-encoded.
 */
export function withoutTokenType(data: Uint32Array, drop: number): Uint32Array {
  const out: number[] = [];
  let line = 0;
  let start = 0;
  let lastLine = 0;
  let lastStart = 0;
  for (let i = 0; i + 4 < data.length; i += 5) {
    const deltaLine = data[i];
    line += deltaLine;
    start = deltaLine === 0 ? start + data[i + 1] : data[i + 1];
    if (data[i + 3] === drop) {
      continue;
    }
    const outDeltaLine = line - lastLine;
    const outDeltaStart = outDeltaLine === 0 ? start - lastStart : start;
    out.push(outDeltaLine, outDeltaStart, data[i + 2], data[i + 3], data[i + 4]);
    lastLine = line;
    lastStart = start;
  }
  return Uint32Array.from(out);
}

/**
 * The tokens without strings. The result carries no result id, so VS Code
 * asks for whole token sets again rather than edits of the server's.
 */
export function dropStrings(tokens: vscode.SemanticTokens, stringType: number): vscode.SemanticTokens {
  if (stringType < 0) {
    return tokens;
  }
  return new vscode.SemanticTokens(withoutTokenType(tokens.data, stringType));
}
