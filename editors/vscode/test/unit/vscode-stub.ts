// The few parts of the `vscode` API the unit-tested modules touch, so they
// run under plain Node (the bundler maps `vscode` here for the unit tests).

export class SemanticTokens {
  constructor(
    readonly data: Uint32Array,
    readonly resultId?: string,
  ) {}
}

/** The settings `workspace.getConfiguration('dimap')` answers with; tests set them. */
export const settings: Record<string, unknown> = {};

export const workspace = {
  workspaceFolders: undefined as undefined | { uri: { fsPath: string } }[],
  getConfiguration(section: string) {
    return {
      get<T>(key: string, fallback?: T): T | undefined {
        const value = settings[`${section}.${key}`];
        return (value === undefined ? fallback : value) as T | undefined;
      },
    };
  },
};
