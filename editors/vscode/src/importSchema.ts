// "dimap: Import schema…": runs `dimap schema import` on a metadata file the
// user picks, in the workspace folder, so the cache lands in its schema folder.

import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ServerExecutable } from './serverPath';

type Format = 'csdl' | 'entitydefinitions';
type App = 'finance_and_operations' | 'dataverse';

const TITLE = 'dimap: Import schema';

export interface ImportRequest {
  folder: string;
  file: string;
  from: Format;
  environment: string;
  app: App;
}

export function importArgs(request: ImportRequest): string[] {
  return [
    'schema',
    'import',
    '--from',
    request.from,
    request.file,
    '--environment',
    request.environment,
    '--app',
    request.app,
  ];
}

/** The format a file's extension suggests, if any. */
export function formatOf(file: string): Format | undefined {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.xml' || ext === '.edmx' || ext === '.csdl') {
    return 'csdl';
  }
  if (ext === '.json') {
    return 'entitydefinitions';
  }
  return undefined;
}

/** An environment name guessed from the file's name: `contoso-prod.metadata.xml` gives `contoso-prod`. */
export function guessEnvironment(file: string): string {
  const base = path.basename(file).replace(/\.[^.]*$/, '');
  const first = base.split('.')[0] ?? '';
  const generic = /^(\$?metadata|entitydefinitions|definitions|csdl|schema)$/i;
  return generic.test(first) ? '' : first;
}

export function validateEnvironment(value: string): string | undefined {
  const v = value.trim();
  if (!v) {
    return 'Name the environment, as the connection lines of a connection set name it.';
  }
  if (/[\\/:*?"<>|]/.test(v) || v.startsWith('.')) {
    return 'The name becomes a file name (ENVIRONMENT.json): leave out / \\ : * ? " < > | and a leading dot.';
  }
  return undefined;
}

async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showErrorMessage('dimap: open a folder first: the schema is written into its schema folder.');
    return undefined;
  }
  if (folders.length === 1) {
    return folders[0];
  }
  return vscode.window.showWorkspaceFolderPick({ placeHolder: 'Workspace folder to import the schema into' });
}

/** Asks for the file, the environment and the app. Undefined when the user cancels. */
async function ask(): Promise<ImportRequest | undefined> {
  const folder = await pickFolder();
  if (!folder) {
    return undefined;
  }
  const picked = await vscode.window.showOpenDialog({
    title: `${TITLE}: published metadata`,
    openLabel: 'Import',
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: false,
    defaultUri: folder.uri,
    filters: {
      'CSDL $metadata or EntityDefinitions': ['xml', 'json', 'edmx'],
      'All files': ['*'],
    },
  });
  const uri = picked?.[0];
  if (!uri) {
    return undefined;
  }
  const file = uri.fsPath;

  let from = formatOf(file);
  if (!from) {
    const choice = await vscode.window.showQuickPick(
      [
        { label: 'csdl', description: 'OData CSDL $metadata (XML)' },
        { label: 'entitydefinitions', description: 'Dataverse EntityDefinitions (JSON)' },
      ],
      { title: `${TITLE}: format of ${path.basename(file)}`, ignoreFocusOut: true },
    );
    if (!choice) {
      return undefined;
    }
    from = choice.label as Format;
  }

  const environment = await vscode.window.showInputBox({
    title: `${TITLE}: environment`,
    prompt: 'Environment name, as a connection line names it (connection_set { dataverse dv "NAME" })',
    placeHolder: 'contoso-prod',
    value: guessEnvironment(file),
    ignoreFocusOut: true,
    validateInput: validateEnvironment,
  });
  if (environment === undefined) {
    return undefined;
  }

  const apps: (vscode.QuickPickItem & { label: App })[] = [
    { label: 'finance_and_operations', description: 'Finance and operations apps (CSDL $metadata)' },
    { label: 'dataverse', description: 'Dataverse (EntityDefinitions, or its CSDL $metadata)' },
  ];
  if (from === 'entitydefinitions') {
    apps.reverse();
  }
  const app = await vscode.window.showQuickPick(apps, { title: `${TITLE}: app`, ignoreFocusOut: true });
  if (!app) {
    return undefined;
  }
  return { folder: folder.uri.fsPath, file, from, environment: environment.trim(), app: app.label };
}

interface Outcome {
  code: number | null;
  error?: Error;
  lastError: string;
}

function run(command: string, args: string[], cwd: string, output: vscode.LogOutputChannel): Promise<Outcome> {
  return new Promise((resolve) => {
    let lastError = '';
    let settled = false;
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const lines = (stream: NodeJS.ReadableStream, write: (line: string) => void) => {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        pending += chunk;
        const parts = pending.split(/\r?\n/);
        pending = parts.pop() ?? '';
        parts.filter((l) => l.length > 0).forEach(write);
      });
      stream.on('end', () => {
        if (pending) {
          write(pending);
        }
      });
    };
    lines(child.stdout, (line) => output.info(line));
    // `schema import` reports on standard error: what it wrote (info), what
    // it skipped (warning), and why it stopped (error).
    lines(child.stderr, (line) => {
      lastError = line;
      if (/\bskipped\b.*:/.test(line) && !/\b\d+ skipped\b/.test(line)) {
        output.warn(line);
      } else if (/\b(error|cannot|could not|not well formed|invalid|failed)\b/i.test(line)) {
        output.error(line);
      } else {
        output.info(line);
      }
    });
    child.on('error', (error) => {
      if (!settled) {
        settled = true;
        resolve({ code: null, error, lastError });
      }
    });
    child.on('close', (code) => {
      if (!settled) {
        settled = true;
        resolve({ code, lastError });
      }
    });
  });
}

export async function importSchema(server: ServerExecutable, output: vscode.LogOutputChannel): Promise<boolean> {
  const request = await ask();
  if (!request) {
    return false;
  }
  const args = importArgs(request);
  const shown = [server.command, ...args].map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a)).join(' ');
  output.info(`Importing a schema (in ${request.folder}): ${shown}`);

  const outcome = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `dimap: importing the schema of "${request.environment}"…`,
    },
    () => run(server.command, args, request.folder, output),
  );

  if (outcome.code === 0) {
    output.info(`Imported the schema of "${request.environment}" (${request.app}).`);
    const choice = await vscode.window.showInformationMessage(
      `dimap: imported the schema of "${request.environment}" from ${path.basename(request.file)}.`,
      'Show output',
    );
    if (choice) {
      output.show(true);
    }
    return true;
  }
  const why = outcome.error
    ? `could not run ${server.command}: ${outcome.error.message}`
    : `exit status ${outcome.code}${outcome.lastError ? `: ${outcome.lastError}` : ''}`;
  output.error(`Schema import failed: ${why}`);
  const choice = await vscode.window.showErrorMessage(`dimap: schema import failed (${why})`, 'Show output');
  if (choice) {
    output.show(true);
  }
  return false;
}
