// Which `dimap` executable to run: the setting, else the one bundled in the
// extension's server/ folder, else `dimap` on PATH.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { configuredServerPath } from './settings';

export interface ServerExecutable {
  /** What to spawn: an absolute path, or a bare name looked up on PATH. */
  command: string;
  /** Where it came from, for the output channel and error messages. */
  source: 'setting' | 'bundled' | 'PATH';
}

const EXE = process.platform === 'win32' ? 'dimap.exe' : 'dimap';

function isExecutable(file: string): boolean {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) {
      return false;
    }
    if (process.platform !== 'win32') {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

/** Expands `~` and `${workspaceFolder}`, and resolves a relative path against the first folder. */
function expand(setting: string): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  let value = setting.replace(/\$\{workspaceFolder\}/g, folder ?? '');
  if (value === '~' || value.startsWith('~/') || value.startsWith('~\\')) {
    value = path.join(os.homedir(), value.slice(1));
  }
  if (!path.isAbsolute(value) && (value.includes('/') || value.includes('\\')) && folder) {
    value = path.resolve(folder, value);
  }
  return value;
}

export function resolveServer(context: vscode.ExtensionContext): ServerExecutable {
  const configured = configuredServerPath();
  if (configured) {
    return { command: expand(configured), source: 'setting' };
  }
  const bundled = context.asAbsolutePath(path.join('server', EXE));
  if (isExecutable(bundled)) {
    return { command: bundled, source: 'bundled' };
  }
  return { command: EXE, source: 'PATH' };
}

/** Why `server` cannot run, or undefined when it looks runnable. */
export function problemWith(server: ServerExecutable): string | undefined {
  if (server.source === 'setting') {
    const command = server.command;
    const bare = !command.includes('/') && !command.includes('\\');
    if (!bare && !isExecutable(command)) {
      return `dimap.server.path names "${command}", which is not an executable file.`;
    }
    return undefined;
  }
  if (server.source === 'PATH' && !onPath(server.command)) {
    return 'No dimap executable: none is bundled with the extension and `dimap` is not on PATH. Set dimap.server.path.';
  }
  return undefined;
}

function onPath(name: string): boolean {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const names = process.platform === 'win32' ? [name, `${name}.cmd`] : [name];
  return dirs.some((dir) => names.some((n) => isExecutable(path.join(dir, n))));
}
