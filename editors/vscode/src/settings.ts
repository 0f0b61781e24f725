// The extension's settings, and the part of them the language server reads
// (the shape of cli.md, "`dimap lsp` settings").

import * as vscode from 'vscode';

export const SECTION = 'dimap';

export type Severity = 'error' | 'warning' | 'information' | 'hint' | 'off';

const SEVERITIES: ReadonlySet<string> = new Set(['error', 'warning', 'information', 'hint', 'off']);

/** What `dimap lsp` takes in `initializationOptions` and `didChangeConfiguration`. */
export interface ServerSettings {
  schemas?: string;
  diagnostics: {
    debounceMs?: number;
    severity: Record<string, Severity>;
  };
}

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

/**
 * The server's settings from the user's. Empty values are left out, so that
 * the workspace's `dimap.toml` and the server's own defaults still apply.
 */
export function serverSettings(): ServerSettings {
  const c = config();
  const settings: ServerSettings = { diagnostics: { severity: {} } };

  const schemas = c.get<string>('schemas', '').trim();
  if (schemas) {
    settings.schemas = schemas;
  }

  const debounce = c.get<number>('diagnostics.debounceMs');
  if (typeof debounce === 'number' && Number.isFinite(debounce) && debounce >= 0) {
    settings.diagnostics.debounceMs = Math.min(Math.round(debounce), 10_000);
  }

  const severity = c.get<Record<string, unknown>>('diagnostics.severity', {});
  for (const [code, level] of Object.entries(severity ?? {})) {
    if (typeof level === 'string' && SEVERITIES.has(level)) {
      settings.diagnostics.severity[code.trim().toUpperCase()] = level as Severity;
    }
  }
  return settings;
}

/**
 * Whether moving from `before` to `after` can be told to a running server.
 * The server only ever adds to what it was told: a schema folder or a
 * severity override that is taken away needs a fresh start.
 */
export function canUpdateInPlace(before: ServerSettings, after: ServerSettings): boolean {
  if (before.schemas !== undefined && after.schemas === undefined) {
    return false;
  }
  if (before.diagnostics.debounceMs !== undefined && after.diagnostics.debounceMs === undefined) {
    return false;
  }
  return Object.keys(before.diagnostics.severity).every((code) => code in after.diagnostics.severity);
}

export function configuredServerPath(): string {
  return config().get<string>('server.path', '').trim();
}
