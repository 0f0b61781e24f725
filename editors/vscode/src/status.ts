// The status bar item: the server's state and how many environments it has
// cached schemas for, from the server's `dimap/status` notification.

import * as vscode from 'vscode';

export const STATUS_NOTIFICATION = 'dimap/status';

export interface StatusParams {
  state: 'loading' | 'ready' | 'error';
  environments: number;
  maps: number;
  message?: string;
}

export function isStatusParams(value: unknown): value is StatusParams {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const v = value as Record<string, unknown>;
  return (
    (v.state === 'loading' || v.state === 'ready' || v.state === 'error') &&
    typeof v.environments === 'number' &&
    typeof v.maps === 'number' &&
    (v.message === undefined || v.message === null || typeof v.message === 'string')
  );
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export class StatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor(command: string) {
    this.item = vscode.window.createStatusBarItem('dimap.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'dimap';
    this.item.command = command;
    this.starting();
    this.item.show();
  }

  /** The server process is starting, or has started but not yet reported. */
  starting(): void {
    this.set('$(sync~spin) dimap: starting', 'The dimap language server is starting.');
  }

  /** The client could not start the server, or it stopped. */
  stopped(message: string): void {
    this.set('$(error) dimap: stopped', message, true);
  }

  update(status: StatusParams): void {
    const counts = `${plural(status.environments, 'cached environment', 'cached environments')} · ${plural(status.maps, 'map', 'maps')}`;
    const detail = status.message ? `\n\n${status.message}` : '';
    switch (status.state) {
      case 'loading':
        this.set('$(sync~spin) dimap: loading', `Reading the workspace and its cached schemas…${detail}`);
        break;
      case 'ready':
        this.set(
          `$(database) dimap: ${plural(status.environments, 'environment', 'environments')}`,
          `dimap is ready: ${counts}${detail}`,
        );
        break;
      case 'error':
        this.set(`$(error) dimap: error`, `dimap could not read the workspace: ${counts}${detail}`, true);
        break;
    }
  }

  private set(text: string, tooltip: string, error = false): void {
    this.item.text = text;
    const md = new vscode.MarkdownString();
    md.appendText(tooltip);
    md.appendMarkdown('\n\n*Click to show the dimap output.*');
    this.item.tooltip = md;
    this.item.accessibilityInformation = { label: text.replace(/\$\([^)]*\)\s*/g, '') };
    this.item.backgroundColor = error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
