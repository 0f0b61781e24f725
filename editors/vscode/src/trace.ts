// `dimap.trace.server` as a switch of its own. vscode-languageclient 10 traces
// only when its trace channel's log level is Trace; this channel reports Trace
// exactly when the setting is `messages` or `verbose`, and writes each traced
// message into the dimap output channel.

import * as vscode from 'vscode';
import { SECTION } from './settings';

export class TraceChannel implements vscode.LogOutputChannel {
  private readonly changed = new vscode.EventEmitter<vscode.LogLevel>();
  private readonly listener: vscode.Disposable;
  private level: vscode.LogLevel;

  readonly onDidChangeLogLevel = this.changed.event;

  constructor(private readonly output: vscode.LogOutputChannel) {
    this.level = TraceChannel.configured();
    this.listener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.trace.server`)) {
        const level = TraceChannel.configured();
        if (level !== this.level) {
          this.level = level;
          this.changed.fire(level);
        }
      }
    });
  }

  private static configured(): vscode.LogLevel {
    const value = vscode.workspace.getConfiguration(SECTION).get<string>('trace.server', 'off');
    return value === 'messages' || value === 'verbose' ? vscode.LogLevel.Trace : vscode.LogLevel.Info;
  }

  get name(): string {
    return this.output.name;
  }

  get logLevel(): vscode.LogLevel {
    return this.level;
  }

  trace(message: string, ...args: unknown[]): void {
    this.output.info(`[trace] ${message}`, ...args);
  }
  debug(message: string, ...args: unknown[]): void {
    this.output.debug(message, ...args);
  }
  info(message: string, ...args: unknown[]): void {
    this.output.info(message, ...args);
  }
  warn(message: string, ...args: unknown[]): void {
    this.output.warn(message, ...args);
  }
  error(error: string | Error, ...args: unknown[]): void {
    this.output.error(error, ...args);
  }
  append(value: string): void {
    this.output.append(value);
  }
  appendLine(value: string): void {
    this.output.appendLine(value);
  }
  replace(value: string): void {
    this.output.replace(value);
  }
  clear(): void {
    this.output.clear();
  }
  show(preserveFocus?: boolean): void;
  show(column?: vscode.ViewColumn, preserveFocus?: boolean): void;
  show(arg?: boolean | vscode.ViewColumn, preserveFocus?: boolean): void {
    if (typeof arg === 'boolean' || arg === undefined) {
      this.output.show(arg);
    } else {
      this.output.show(arg, preserveFocus);
    }
  }
  hide(): void {
    this.output.hide();
  }
  dispose(): void {
    this.listener.dispose();
    this.changed.dispose();
  }
}
