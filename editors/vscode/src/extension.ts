// The dimap extension: starts `dimap lsp` for the workspace, keeps its
// settings in step, shows its state in the status bar, and adds the commands
// "Restart server", "Show output" and "Import schema…".

import * as readline from 'node:readline';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  DocumentDiagnosticRequest,
  type LanguageClientOptions,
  type Middleware,
  type ServerOptions,
  LanguageClient,
  State,
} from 'vscode-languageclient/node';
import { importSchema } from './importSchema';
import { dropStrings } from './semanticTokens';
import { problemWith, resolveServer, type ServerExecutable } from './serverPath';
import { canUpdateInPlace, SECTION, serverSettings, type ServerSettings } from './settings';
import { isStatusParams, STATUS_NOTIFICATION, StatusItem } from './status';
import { TraceChannel } from './trace';

let extension: Extension | undefined;

function eachLine(input: NodeJS.ReadableStream, write: (line: string) => void): void {
  readline.createInterface({ input, crlfDelay: Infinity, terminal: false }).on('line', write);
}

class Extension implements vscode.Disposable {
  readonly output: vscode.LogOutputChannel;
  private readonly trace: TraceChannel;
  private readonly status: StatusItem;
  private readonly disposables: vscode.Disposable[] = [];
  private client: LanguageClient | undefined;
  private sent: ServerSettings | undefined;
  /** Starts and stops run one after another, never interleaved. */
  private queue: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('dimap', { log: true });
    this.trace = new TraceChannel(this.output);
    this.status = new StatusItem('dimap.showOutput');
    this.disposables.push(
      this.output,
      this.trace,
      this.status,
      vscode.commands.registerCommand('dimap.restartServer', () => this.restart()),
      vscode.commands.registerCommand('dimap.showOutput', () => this.output.show(true)),
      vscode.commands.registerCommand('dimap.importSchema', () => importSchema(this.server(), this.output)),
      vscode.workspace.onDidChangeConfiguration((e) => this.configurationChanged(e)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.restart()),
    );
  }

  server(): ServerExecutable {
    return resolveServer(this.context);
  }

  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      this.output.info('Restarting the dimap language server.');
      await this.doStop();
      await this.doStart();
    });
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(task, task).catch((error: unknown) => {
      this.output.error(`dimap: ${error instanceof Error ? error.message : String(error)}`);
    });
    return this.queue;
  }

  private async doStart(): Promise<void> {
    const server = this.server();
    const problem = problemWith(server);
    if (problem) {
      this.output.error(problem);
      this.status.stopped(problem);
      void vscode.window.showErrorMessage(`dimap: ${problem}`, 'Open settings').then((choice) => {
        if (choice) {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'dimap.server.path');
        }
      });
      return;
    }

    const folder = vscode.workspace.workspaceFolders?.[0];
    this.sent = serverSettings();
    const serverOptions: ServerOptions = {
      command: server.command,
      args: ['lsp'],
      options: { cwd: folder?.uri.fsPath },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'dimap' },
        { scheme: 'untitled', language: 'dimap' },
      ],
      outputChannel: this.output,
      traceOutputChannel: this.trace,
      initializationOptions: this.sent,
      workspaceFolder: folder,
      // Findings depend on other files and on the caches: pull again on
      // every edit, save and change of editor (the client's defaults pull
      // only when a document opens).
      diagnosticPullOptions: { onChange: true, onSave: true, onFocus: true },
      middleware: this.middleware(),
      // The server logs its progress on standard error ("dimap: indexed 7
      // file(s)…"): that is information, not an error, unless it says so.
      stdioOptions: {
        stdout: (input, channel) => eachLine(input, (line) => channel.info(line)),
        stderr: (input, channel) =>
          eachLine(input, (line) =>
            /\b(error|panic(ked)?|fatal|failed)\b/i.test(line) ? channel.error(line) : channel.info(line),
          ),
      },
    };

    this.output.info(`Starting ${server.command} lsp (${server.source === 'setting' ? 'from dimap.server.path' : server.source}).`);
    this.status.starting();
    const client = new LanguageClient('dimap', 'dimap', serverOptions, clientOptions);
    client.onNotification(STATUS_NOTIFICATION, (params: unknown) => {
      if (client !== this.client) {
        return;
      }
      if (isStatusParams(params)) {
        this.status.update(params);
        if (params.state === 'ready') {
          this.repullDiagnostics(client);
        }
      } else {
        this.output.warn(`Ignored a ${STATUS_NOTIFICATION} notification of unknown shape: ${JSON.stringify(params)}`);
      }
    });
    client.onDidChangeState((event) => {
      if (client !== this.client || this.stopping) {
        return;
      }
      if (event.newState === State.Starting) {
        this.status.starting();
      } else if (event.newState === State.Stopped) {
        this.status.stopped('The dimap language server stopped. Run "dimap: Restart server" to start it again.');
      }
    });
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.output.error(`The dimap language server did not start: ${message}`);
      this.status.stopped(`The dimap language server did not start: ${message}`);
      void vscode.window.showErrorMessage(`dimap: the language server did not start (${message}).`, 'Show output').then((choice) => {
        if (choice) {
          this.output.show(true);
        }
      });
    }
  }

  /**
   * Pulls the findings of the open documents again. The server answers
   * pulls made before its workspace has loaded (or while caches reload)
   * without the caches; once it reports `ready`, those answers are stale.
   */
  private repullDiagnostics(client: LanguageClient): void {
    const feature = client.getFeature(DocumentDiagnosticRequest.method);
    const document = vscode.workspace.textDocuments.find((d) => d.languageId === 'dimap');
    if (!feature || !document) {
      return;
    }
    try {
      feature.getProvider(document)?.onDidChangeDiagnosticsEmitter.fire();
    } catch (error) {
      this.output.warn(`Pulling findings again: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    if (!client) {
      return;
    }
    this.stopping = true;
    try {
      if (client.needsStop()) {
        await client.stop(5000);
      }
    } catch (error) {
      this.output.warn(`Stopping the language server: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.client = undefined;
      this.stopping = false;
    }
  }

  private middleware(): Middleware {
    const stringType = () => {
      const legend = this.client?.initializeResult?.capabilities.semanticTokensProvider?.legend;
      return legend ? legend.tokenTypes.indexOf('string') : -1;
    };
    return {
      provideDocumentSemanticTokens: async (document, token, next) => {
        const tokens = await next(document, token);
        return tokens ? dropStrings(tokens, stringType()) : tokens;
      },
    };
  }

  private configurationChanged(event: vscode.ConfigurationChangeEvent): void {
    if (!event.affectsConfiguration(SECTION)) {
      return;
    }
    if (event.affectsConfiguration(`${SECTION}.server.path`)) {
      void this.restart();
      return;
    }
    const next = serverSettings();
    const client = this.client;
    if (!client || !client.isRunning() || !this.sent) {
      this.output.debug('Settings changed while the server is not running: they apply when it starts.');
      return;
    }
    if (JSON.stringify(next) === JSON.stringify(this.sent)) {
      return;
    }
    if (!canUpdateInPlace(this.sent, next)) {
      this.output.info('Settings changed: a value was taken away, so the server starts afresh.');
      void this.restart();
      return;
    }
    this.output.info(`Settings changed: ${JSON.stringify(next)}`);
    this.sent = next;
    client
      .sendNotification(DidChangeConfigurationNotification.type, { settings: { [SECTION]: next } })
      .then(
        () => this.repullDiagnostics(client),
        (error: unknown) => this.output.warn(`Sending settings: ${String(error)}`),
      );
  }

  dispose(): void {
    for (const d of this.disposables) {
      d.dispose();
    }
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extension = new Extension(context);
  context.subscriptions.push(extension);
  await extension.start();
}

export async function deactivate(): Promise<void> {
  if (extension) {
    await extension.stop();
  }
}
